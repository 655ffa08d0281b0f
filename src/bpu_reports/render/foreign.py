"""An output the print layout has no form for (an analyst's styled HTML, a widget's markup),
laid out by WeasyPrint at the report's text width, as vector PDF pages the Typst layout
places like a drawing: text stays text, nothing a notebook displays is lost.

Only the output itself is laid out here, never a page: the pages of the report (margins,
running header, page numbers) are the Typst template's alone. An output taller than a page
comes back as several slices, each at most a page's text height, the last one cut to what
it holds."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

log = logging.getLogger(__name__)

WIDTH_MM = 176.0
"""The A4 text width (210 mm less two 17 mm margins): the template's ``text-width``."""
HEIGHT_MM = 255.0
"""The most of a page one slice may take (the text height, less a little)."""
_PT_PER_PX = 0.75


@dataclass(frozen=True)
class Slice:
    """One page of a laid-out output: its PDF, and how tall its content is (points)."""

    pdf: bytes
    height_pt: float


def stylesheet() -> str:
    """How an output laid out apart looks: the print variant's stylesheet (the report
    components' look, then ``foreign.css``)."""
    from bpu_reports.render.html import css

    return css("print", "id")


def lay_out(html: str, css: str = "") -> list[Slice]:
    """``html`` (one output's markup) laid out at the text width: one slice per page."""
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    page = f"@page {{ size: {WIDTH_MM}mm {HEIGHT_MM}mm; margin: 0; }}"
    document = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css or stylesheet()}'
        f'{page}</style></head><body class="print"><main class="bpu-report">{html}'
        "</main></body></html>"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        laid = weasyprint.HTML(string=document).render()
    slices = []
    full = HEIGHT_MM / 25.4 * 72
    for number, box in enumerate(laid.pages):
        single = laid.copy([box])
        pdf = single.write_pdf()
        assert pdf is not None
        last = number == len(laid.pages) - 1
        slices.append(Slice(pdf, _used(box) if last else full))
    return slices


def _used(page: object) -> float:
    """How far down the page its content reaches (points): the root box's bottom edge."""
    boxes = getattr(getattr(page, "_page_box", None), "children", None) or []
    root = next((b for b in boxes if hasattr(b, "margin_height")), None)
    if root is None:
        return HEIGHT_MM / 25.4 * 72
    return max((root.position_y + root.margin_height()) * _PT_PER_PX, 1.0)
