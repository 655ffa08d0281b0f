"""Print-variant HTML → PDF with WeasyPrint (no LaTeX, no browser)."""

from __future__ import annotations

import logging

import weasyprint

# WeasyPrint logs every CSS property it ignores; the print stylesheet is ours and tested.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF bytes of ``html`` (A4, paged by the print stylesheet)."""
    pdf = weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    assert pdf is not None
    return pdf
