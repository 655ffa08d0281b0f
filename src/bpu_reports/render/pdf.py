"""Print-variant HTML → PDF with WeasyPrint (no LaTeX, no browser): the A4 PDF, and the
archival PDF (PDF/A-3b) that carries the report's figures as an embedded file.

Both come from one layout: :func:`layout` paginates the HTML once, :func:`write` and
:func:`write_archive` each write the laid-out pages (laying out costs more than writing)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from typing import Any

import weasyprint

# WeasyPrint logs every CSS property it ignores; the print stylesheet is ours and tested.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

ARCHIVE_VARIANT = "pdf/a-3b"
"""ISO 19005-3, conformance B: fonts embedded, sRGB output intent, XMP identification, and
embedded files allowed (each an associated file of the document, ``/AF``)."""

OUTPUT_INTENT = "srgb"
"""WeasyPrint's sRGB ICC profile (sRGB2014), the archival PDF's output intent."""


def layout(html: str, *, base_url: str | None = None) -> weasyprint.Document:
    """``html`` laid out on A4 pages by the print stylesheet, ready to be written."""
    return weasyprint.HTML(string=html, base_url=base_url).render()


def write(document: weasyprint.Document) -> bytes:
    """The PDF bytes of a laid-out ``document``."""
    pdf = document.write_pdf()
    assert pdf is not None
    return pdf


def write_archive(
    document: weasyprint.Document,
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
    archive = document.copy()
    archive.color_profiles = dict(document.color_profiles)
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
    return pdf


def _once(document: weasyprint.Document, pdf: Any) -> None:
    """Each associated file once in the catalogue's ``/AF`` (WeasyPrint 70 lists an
    embedded file there twice: once from the name tree, once from its file spec)."""
    files = pdf.catalog.get("AF")  # a pydyf.Array of references ("12 0 R")
    if files:
        pdf.catalog["AF"] = type(files)(dict.fromkeys(files))


def to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF bytes of ``html`` (A4, paged by the print stylesheet)."""
    return write(layout(html, base_url=base_url))
