"""Print-variant HTML → PDF with WeasyPrint (no LaTeX, no browser): the A4 PDF, and the
archival PDF (PDF/A-3b) that carries the report's figures as an embedded file.

Both come from one layout: :func:`layout` paginates the HTML once, :func:`write` and
:func:`write_archive` each write the laid-out pages (laying out costs more than writing).
The charts' SVGs are drawn apart, natively, and placed where the layout put them
(``render.drawings``)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import weasyprint

from bpu_reports.render import drawings

# WeasyPrint logs every CSS property it ignores; the print stylesheet is ours and tested.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

ARCHIVE_VARIANT = "pdf/a-3b"
"""ISO 19005-3, conformance B: fonts embedded, sRGB output intent, XMP identification, and
embedded files allowed (each an associated file of the document, ``/AF``)."""

OUTPUT_INTENT = "srgb"
"""WeasyPrint's sRGB ICC profile (sRGB2014), the archival PDF's output intent."""


@dataclass(frozen=True)
class Layout:
    """A print HTML laid out on A4 pages, ready to be written: WeasyPrint's pages, and the
    charts drawn apart with where each goes (none when WeasyPrint drew them itself)."""

    document: weasyprint.Document
    drawn: bytes | None = None
    slots: list[drawings.Slot] = field(default_factory=list)

    def finish(self, pdf: bytes) -> bytes:
        """The written pages with the charts stamped in place."""
        if self.drawn is None:
            return pdf
        return drawings.place(pdf, self.drawn, self.slots)


def layout(html: str, *, base_url: str | None = None) -> Layout:
    """``html`` laid out on A4 pages by the print stylesheet, ready to be written."""
    emptied, svgs = drawings.set_aside(html)
    drawn = drawings.draw(svgs) if svgs else None
    if drawn is None:
        return Layout(weasyprint.HTML(string=html, base_url=base_url).render())
    document = weasyprint.HTML(string=emptied, base_url=base_url).render()
    found = {
        name: drawings.Slot(number, rect)
        for number, page in enumerate(document.pages)
        for name, rect in page.anchors.items()
        if name.startswith(drawings.SLOT)
    }
    slots = [found.get(f"{drawings.SLOT}{i}") for i in range(len(svgs))]
    if any(slot is None for slot in slots):  # an SVG inside something not laid out
        return Layout(weasyprint.HTML(string=html, base_url=base_url).render())
    return Layout(document, drawn, [slot for slot in slots if slot is not None])


def write(document: Layout) -> bytes:
    """The PDF bytes of a laid-out ``document``."""
    pdf = document.document.write_pdf()
    assert pdf is not None
    return document.finish(pdf)


def write_archive(
    document: Layout,
    attachments: Mapping[str, bytes],
    *,
    description: str = "",
) -> bytes:
    """The PDF/A-3b bytes of a laid-out ``document``, with each of ``attachments`` (file
    name → bytes, the type guessed from the name: ``figures.json`` is JSON) embedded as an
    associated file of the document whose relationship is ``Data`` (the figures the pages
    show). ``description`` describes each attachment.

    ``document`` itself is left as it was (the archive is written from a copy with its own
    colour profiles), so :func:`write` gives the same PDF before or after this."""
    archive = document.document.copy()
    archive.color_profiles = dict(document.document.color_profiles)
    archive.output_intent = OUTPUT_INTENT
    files = [
        weasyprint.Attachment(
            string=data, name=name, description=description or None, relationship="Data"
        )
        for name, data in attachments.items()
    ]
    # WeasyPrint 70 opens its sRGB profile and leaves the file to the garbage collector
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        pdf = archive.write_pdf(pdf_variant=ARCHIVE_VARIANT, attachments=files, finisher=_once)
    assert pdf is not None
    return document.finish(pdf)


def _once(document: weasyprint.Document, pdf: Any) -> None:
    """Each associated file once in the catalogue's ``/AF`` (WeasyPrint 70 lists an
    embedded file there twice: once from the name tree, once from its file spec)."""
    files = pdf.catalog.get("AF")  # a pydyf.Array of references ("12 0 R")
    if files:
        pdf.catalog["AF"] = type(files)(dict.fromkeys(files))


def to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF bytes of ``html`` (A4, paged by the print stylesheet)."""
    return write(layout(html, base_url=base_url))
