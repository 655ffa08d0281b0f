"""Vector drawings on printed pages: the SVG charts of a print HTML, drawn natively by Typst
and placed onto the pages WeasyPrint laid out.

WeasyPrint draws SVG with its own Python renderer, which took most of a report's PDF time
(seven charts: about 60 %). So the print HTML is laid out with each chart's ``<svg>`` emptied
(same start tag: same size, same place on the page, nothing to draw), the charts are drawn
once by Typst's compiler (Rust, inside the ``typst`` wheel) as one PDF of a page per chart,
and each of those pages is stamped as a form XObject onto the rectangle its empty ``<svg>``
took (pikepdf). Charts stay vector, their text stays text with its fonts embedded, and the
layout stays the print stylesheet's alone.

An SVG Typst cannot draw is no error: the report is then laid out with its SVGs in place,
as before.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pikepdf
import typst

log = logging.getLogger(__name__)

SLOT = "bpu-drawing-"
"""Prefix of the ``id`` an emptied ``<svg>`` carries: WeasyPrint reports where it put it."""

_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.S | re.I)
_START = re.compile(r"<svg\b[^>]*?(/?)>", re.S | re.I)
_ID = re.compile(r"""\sid\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_PX = 0.75
"""Points per CSS pixel."""


@dataclass(frozen=True)
class Slot:
    """Where a drawing goes: a page (0-based) and a rectangle in CSS pixels from the page's
    top-left corner (``x0, y0, x1, y1``), as WeasyPrint laid out the emptied ``<svg>``."""

    page: int
    rect: tuple[float, float, float, float]


def set_aside(html: str) -> tuple[str, list[str]]:
    """``html`` with each inline ``<svg>`` emptied and given the id ``SLOT + n``, and the
    SVGs taken out, in order. An SVG holding another ``<svg>`` is left as it is (the regular
    expression would cut it short), as is one without content."""
    drawings: list[str] = []

    def empty(match: re.Match[str]) -> str:
        svg = match.group(0)
        start = _START.match(svg)
        if start is None or start.group(1) or "<svg" in svg[start.end() :].lower():
            return svg
        tag = _ID.sub("", start.group(0)[: -1 if not start.group(1) else -2])
        drawings.append(svg)
        return f'{tag} id="{SLOT}{len(drawings) - 1}"></svg>'

    return _SVG.sub(empty, html), drawings


def draw(svgs: Sequence[str]) -> bytes | None:
    """One PDF with a page per SVG, each page the SVG's own size; ``None`` (logged) when
    Typst cannot draw one of them."""
    pages = "\n#pagebreak()\n".join(
        f'#image(bytes(sys.inputs.at("d{i}")), format: "svg")' for i in range(len(svgs))
    )
    source = "#set page(width: auto, height: auto, margin: 0pt)\n" + pages
    try:
        drawn = _compiler().compile(
            input=source.encode("utf-8"), sys_inputs={f"d{i}": svg for i, svg in enumerate(svgs)}
        )
    except Exception as exc:  # Typst raises its own error types for any SVG it refuses
        first = str(exc).strip().splitlines()[:1]
        log.warning("charts drawn by WeasyPrint instead (Typst: %s)", first[0] if first else exc)
        return None
    assert isinstance(drawn, bytes)
    return drawn


@cache
def _compiler() -> typst.Compiler:
    """One compiler per process: finding the fonts costs ten times a report's charts.
    Matplotlib's own fonts (what the charts were measured with), then the system's."""
    import matplotlib

    bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return typst.Compiler(font_paths=typst.Fonts(font_paths=[str(bundled)]))


def place(pdf: bytes, drawings: bytes, slots: Sequence[Slot]) -> bytes:
    """``pdf`` with page ``i`` of ``drawings`` stamped onto ``slots[i]``."""
    with pikepdf.open(io.BytesIO(pdf)) as target, pikepdf.open(io.BytesIO(drawings)) as source:
        for slot, drawing in zip(slots, source.pages, strict=True):
            x0, y0, x1, y1 = slot.rect
            if x1 <= x0 or y1 <= y0:  # laid out with no area: nothing to show
                continue
            page = target.pages[slot.page]
            top = float(page.mediabox[3])
            x0, y0, x1, y1 = (v * _PX for v in slot.rect)
            page.add_overlay(drawing, pikepdf.Rectangle(x0, top - y1, x1, top - y0))
        out = io.BytesIO()
        target.save(out, compress_streams=True, deterministic_id=True)
        return out.getvalue()
