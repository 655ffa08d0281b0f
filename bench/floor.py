"""The floor: the branch report's content built in one Python process with the same helpers,
no kernel and no notebook — the cost a batch could approach but not beat."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from bpu_reports.metrics.views import Unit
from bpu_reports.render.html import to_html
from bpu_reports.render.pdf import to_pdf
from bpu_reports.report import Report

NOTEBOOK = "notebooks/branch_monthly.ipynb"


def _bundle(obj: object) -> dict:
    if hasattr(obj, "_repr_mimebundle_"):
        return obj._repr_mimebundle_()  # type: ignore[no-any-return, attr-defined]
    if hasattr(obj, "_repr_svg_"):
        return {"image/svg+xml": obj._repr_svg_()}  # type: ignore[attr-defined]
    return {"text/html": obj._repr_html_()}  # type: ignore[attr-defined]


def build(unit: Unit, lang: str = "id") -> tuple[str, bytes]:
    """Screen HTML and PDF of the branch report, the notebook's cells evaluated in-process."""
    template = nbformat.read(NOTEBOOK, as_version=4)
    r = Report(unit, lang)  # type: ignore[arg-type]
    scope = {"r": r}
    cells = []
    for cell in template.cells:
        if cell.cell_type == "markdown":
            cells.append(new_markdown_cell(cell.source, metadata=cell.metadata))
        elif cell.cell_type == "code" and "r." in cell.source:
            expr = cell.source.strip().splitlines()[-1]
            value = eval(expr, scope)  # the notebook's last line: r.chart(...), r.table(...)
            out = new_output("display_data", data=_bundle(value))
            cells.append(new_code_cell("", outputs=[out]))
    nb = new_notebook(cells=cells)
    html = to_html(nb, lang=lang, title=unit.name, variant="screen")
    pdf = to_pdf(to_html(nb, lang=lang, title=unit.name, variant="print"))
    return html, pdf
