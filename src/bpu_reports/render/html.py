"""Notebook → HTML with the package's own nbconvert template: a screen variant (one
self-contained file, phone-friendly) and a print variant that ``render.pdf`` typesets on A4.

On a phone (screen variant, ``screen.css``) a report table's cells carry their column's name
(``data-label``), so a table of many columns becomes one block per row instead of scrolling
sideways; a chart that comes with a narrow drawing (``NARROW_SVG``) shows that one.
"""

from __future__ import annotations

import html as htmlmod
import re
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from bpu_reports._version import __version__
from bpu_reports.report.mimetypes import NARROW_SVG, TOC_MARK
from bpu_reports.report.words import check_lang, word

Variant = Literal["screen", "print"]
LANG_TAG = re.compile(r"^lang-(\w+)$")
STACK_COLUMNS = 6
"""Report tables of this many columns or more become one block per row on a phone."""
_NOTEBOOK_STYLE = re.compile(r"<style data-bpu-notebook>.*?</style>", re.S)
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_TABLE = re.compile(r'<table class="(bpu-table(?: [^"]*)?)">(.*?)</table>', re.S)
_HEAD_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_BODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<td\b")
_TAG = re.compile(r"<[^>]+>")
_SELF_CLOSED_ANCHOR = re.compile(r'(<a class="anchor-link" href="[^"<>]*")\s*/>')


def _templates() -> str:
    return str(files("bpu_reports.render").joinpath("templates"))


def _read(package: str, name: str) -> str:
    return files(package).joinpath(name).read_text(encoding="utf-8")


@cache
def css(variant: Variant, lang: str) -> str:
    """The stylesheet of a variant: the components' look, then the screen layout, or in
    print the rules an output laid out apart keeps (``render.foreign``); the printed
    pages themselves are ``templates/report.typ``'s."""
    check_lang(lang)
    components = _read("bpu_reports.report.resources", "components.css")
    if variant == "screen":
        return components + _read("bpu_reports.render.templates", "screen.css")
    return components + _read("bpu_reports.render.templates", "foreign.css")


class _Exporter(HTMLExporter):
    """nbconvert's HTML exporter without its last step, which parses the whole page again
    with BeautifulSoup to give JupyterLab's markup alt texts and tab stops. Our template has
    neither that markup nor images without ``alt``; the step cost as much as the rest of the
    export on a report with charts, and it wrote SVG's attribute names in small letters
    (``viewbox``), which only an HTML parser reads back. What it mended that we need, the
    headings' empty anchor links written as ``<a …/>`` (an HTML parser would open a link
    that runs to the end of the section), is mended here."""

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        info = nb.metadata.get("language_info", {})
        lexer = info.get("pygments_lexer", info.get("name", None))
        highlight = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
        )
        resources = self._init_resources(resources)
        data_type = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", data_type)
        body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _SELF_CLOSED_ANCHOR.sub(r"\1></a>", body), resources


@cache
def _exporter() -> HTMLExporter:
    exporter = _Exporter(
        template_name="bpu",
        extra_template_basedirs=[_templates()],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    exporter.register_filter("strip_notebook_styles", lambda s: _NOTEBOOK_STYLE.sub("", s))
    return exporter


def select_language(nb: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """Drop cells tagged ``lang-xx`` for another language than ``lang``."""
    copy = nbformat.from_dict(nb)

    def keep(cell: nbformat.NotebookNode) -> bool:
        tags = [LANG_TAG.match(tag) for tag in cell.get("metadata", {}).get("tags", [])]
        langs = {m.group(1) for m in tags if m}
        return not langs or lang in langs

    copy.cells = [c for c in copy.cells if keep(c)]
    return copy


def to_html(
    nb: nbformat.NotebookNode, *, lang: str, title: str, variant: Variant = "screen"
) -> str:
    """Render an executed notebook; in the print variant a table of contents of the ``h2``
    sections goes where the cover put ``TOC_MARK``."""
    resources = {
        "bpu": {
            "lang": lang,
            "title": title,
            "css": css(variant, lang),
            "variant": variant,
            "version": __version__,
            "narrow": NARROW_SVG if variant == "screen" else "",
        }
    }
    body, _ = _exporter().from_notebook_node(select_language(nb, lang), resources=resources)
    if variant == "print":
        body = body.replace(TOC_MARK, _toc(body, lang), 1)
    else:
        body = _TABLE.sub(_labelled, body)
    return body


def _labelled(table: re.Match[str]) -> str:
    """A report table whose body cells carry their column's header as ``data-label`` (what
    a phone shows beside each value once the table is one block per row), and, with
    ``STACK_COLUMNS`` columns or more, the class ``bpu-stack`` that turns it into blocks. A
    table of another shape (a row with more or fewer cells than headers) is left as it is."""
    css, inner = table.groups()
    head, _, _ = inner.partition("<tbody>")
    labels = [
        htmlmod.escape(htmlmod.unescape(_TAG.sub("", text)).strip())
        for text in _HEAD_CELL.findall(head)
    ]
    body = _BODY.search(inner)
    rows = _ROW.findall(body.group(1)) if body else []
    if body is None or not labels or not rows:
        return table.group(0)
    if any(len(_CELL.findall(row)) != len(labels) for row in rows):
        return table.group(0)

    def row(match: re.Match[str]) -> str:
        names = iter(labels)
        return _CELL.sub(lambda _: f'<td data-label="{next(names)}"', match.group(0))

    cells = _ROW.sub(row, body.group(1))
    stack = " bpu-stack" if len(labels) >= STACK_COLUMNS else ""
    inner = f"{inner[: body.start(1)]}{cells}{inner[body.end(1) :]}"
    return f'<table class="{css}{stack}">{inner}</table>'


def _toc(body: str, lang: str) -> str:
    entries = [
        f'<li><a href="#{anchor}">{htmlmod.escape(re.sub("<[^>]+>", "", text).strip())}</a></li>'
        for anchor, text in _H2.findall(body)
    ]
    if not entries:
        return ""
    return (
        f'<nav class="bpu-toc"><h2 class="bpu-toc-title">{word("contents", check_lang(lang))}</h2>'
        f"<ol>{''.join(entries)}</ol></nav>"
    )
