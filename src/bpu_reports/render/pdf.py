"""Print-variant HTML → PDF with Typst (the ``typst`` wheel: the compiler in Rust, no LaTeX,
no browser): the A4 PDF, and the archival PDF (PDF/A-3b) that carries the report's figures
as an embedded file.

The layout is ``templates/report.typ`` alone. It lays out the print HTML read as a document
tree (``render.typeset``); an output the template has no form for is laid out apart by
WeasyPrint (``render.foreign``) and placed as vector pages. :func:`layout` reads the HTML
once; :func:`write` and :func:`write_archive` each typeset it."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import typst

from bpu_reports.errors import BpuReportsError
from bpu_reports.render import foreign, typeset

log = logging.getLogger(__name__)

ARCHIVE_VARIANT = "a-3b"
"""ISO 19005-3, conformance B: fonts embedded, sRGB output intent, XMP identification, and
embedded files allowed (each an associated file of the document, ``/AF``)."""
RASTER_DPI = 300
"""An output laid out apart is placed as vector pages, except in the archival PDF, where
PDF/A forbids embedding a PDF: there it is a picture of this resolution."""


class PrintFailed(BpuReportsError):
    """Typst could not typeset the report."""


@dataclass(frozen=True)
class Layout:
    """A print HTML read for typesetting: the document tree, its drawings and files."""

    document: typeset.Document


def layout(html: str) -> Layout:
    """``html`` (the print variant of ``render.html.to_html``) read for typesetting."""
    return Layout(typeset.read(html, css=foreign.stylesheet()))


def _draws(svg: str) -> bool:
    """Whether Typst draws ``svg`` (it stops at an image it cannot load, bad XML, …)."""
    try:
        _compiler().compile(input=_ONE_DRAWING, sys_inputs={"d": svg})
    except Exception:  # typst raises its own error types
        return False
    return True


_ONE_DRAWING = b'#image(bytes(sys.inputs.at("d")), format: "svg")'


def write(document: Layout) -> bytes:
    """The PDF bytes of ``document``."""
    return _compile(document)


def write_archive(
    document: Layout,
    attachments: Mapping[str, bytes],
    *,
    description: str = "",
) -> bytes:
    """The PDF/A-3b bytes of ``document``, with the attachment of ``attachments`` (one file
    name → bytes; JSON) embedded as an associated file of the document whose relationship
    is ``Data`` (the figures the pages show). ``description`` describes it."""
    ((name, data),) = attachments.items()
    extra = {
        "attachment": {
            "name": name,
            "mime": "application/json" if name.endswith(".json") else "application/octet-stream",
            "description": description or name,
        }
    }
    return _compile(
        document,
        meta=extra,
        inputs={"attachment": data.decode("utf-8")},
        standards=[ARCHIVE_VARIANT],
    )


def ready() -> None:
    """Find the fonts and read the template now, not in the first report (a batch worker
    calls this while the batch computes its metrics)."""
    _compiler()
    _template()


def to_pdf(html: str) -> bytes:
    """The PDF bytes of ``html`` (A4, laid out by the report template)."""
    return write(layout(html))


def _compile(
    document: Layout,
    *,
    meta: dict[str, Any] | None = None,
    inputs: dict[str, str] | None = None,
    standards: list[str] | None = None,
) -> bytes:
    from bpu_reports.report.words import check_lang, word

    doc = document.document
    lang = check_lang(doc.meta.get("lang", "id"))
    tree = {
        "meta": {
            "classification": word("classification", lang),
            "page_word": word("page", lang),
            "page_of": word("page_of", lang),
            **doc.meta,
            **(meta or {}),
        },
        "body": doc.body,
    }
    # untagged, as the PDFs were before Typst: the structure tree made them three times the
    # size (BNH: 300 KB against 102 KB) for every mailbox and the portal
    kwargs: dict[str, Any] = {"pdf_tags": False}
    if standards:
        kwargs["pdf_standards"] = standards
    try:
        return _typeset(doc, tree, inputs or {}, kwargs)
    except PrintFailed:
        # a drawing Typst cannot draw (an analyst's SVG linking an image file, a malformed
        # one) is laid out apart by WeasyPrint instead, with a warning: the report is printed
        refused = {name for name, svg in doc.svgs.items() if not _draws(svg)}
        if not refused:
            raise
        log.warning("%d drawing(s) laid out by WeasyPrint: Typst cannot draw them", len(refused))
        typeset.without_drawings(doc, refused, foreign.stylesheet())
        return _typeset(doc, tree, inputs or {}, kwargs)


def _typeset(
    doc: typeset.Document, tree: dict[str, Any], inputs: dict[str, str], kwargs: dict[str, Any]
) -> bytes:
    files = doc.files
    if kwargs.get("pdf_standards") and files:  # PDF/A embeds no PDF: outputs as pictures
        files = {
            path: _raster(data) if path.endswith(".pdf") else data for path, data in files.items()
        }
        tree = {**tree, "meta": {**tree["meta"], "raster": True}}
    # images and outputs laid out apart go in as JSON arrays of bytes, not as files: nothing
    # is written outside the output folder, not even to a temporary one
    binary = {path: json.dumps(list(data), separators=(",", ":")) for path, data in files.items()}
    kwargs = {
        **kwargs,
        "sys_inputs": {
            "tree": json.dumps(tree, ensure_ascii=False),
            **doc.svgs,
            **binary,
            **inputs,
        },
    }
    try:
        pdf = _compiler().compile(input=_template(), **kwargs)
    except Exception as exc:  # typst raises its own error types
        first = str(exc).strip().splitlines()[:1]
        raise PrintFailed(f"the PDF could not be typeset: {first[0] if first else exc}") from exc
    assert isinstance(pdf, bytes)
    return pdf


@cache
def _template() -> bytes:
    return files("bpu_reports.render.templates").joinpath("report.typ").read_bytes()


@cache
def _compiler() -> typst.Compiler:
    """One compiler per process: finding the fonts costs more than a report. Matplotlib's
    own fonts first (what the charts were measured with), then the system's."""
    import matplotlib

    bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return typst.Compiler(font_paths=typst.Fonts(font_paths=[str(bundled)]))


def _raster(pdf: bytes) -> bytes:
    """One page of PDF as a PNG (poppler's ``pdftoppm``)."""
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", str(RASTER_DPI), "-singlefile"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return done.stdout
