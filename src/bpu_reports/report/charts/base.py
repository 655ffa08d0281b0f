"""A rendered chart (:class:`Chart`) and how a matplotlib figure becomes one: inline-ready
SVG without XML prolog or metadata, with the title as its ``<title>`` so screen readers and
search in the HTML report find it.

A chart may carry a second, narrow drawing for phones (:data:`NARROW_SVG`): :func:`render`
takes the A4 drawing first, then lets the chart lay the same figure out again at
``style.NARROW`` inches and takes that too. :func:`a4_only` skips the narrow drawings."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from html import escape
from pathlib import Path

from matplotlib.figure import Figure

from bpu_reports.report import mimetypes

NARROW_SVG = mimetypes.NARROW_SVG
"""A chart output's second drawing, beside ``image/svg+xml`` (the A4 one): the same chart
laid out narrow enough that its text stays legible at a phone's width. The screen HTML shows
it on a phone; the PDF never does."""

Relayout = Callable[[Figure], object]
"""Lays a chart's figure out again, in place, for the narrow drawing."""

_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_NARROW = ContextVar("bpu_reports_narrow_drawings", default=True)


@dataclass(frozen=True)
class Chart:
    """One rendered chart. ``svg`` is a complete ``<svg>`` element sized in points for the
    A4 page (``6.7in`` wide at full width), ready to inline in HTML; ``title`` is its title
    as plain text (also the SVG's ``<title>``); ``name`` the chart function's name.
    ``narrow_svg``, empty for most charts, is the same chart drawn about 4 in wide for a
    phone (same data, colours and title; fewer tick labels, panels in fewer columns).

    Jupyter displays it through ``_repr_mimebundle_``: ``image/svg+xml`` (the A4 drawing,
    what JupyterLab and the PDF show) and, when there is one, the narrow drawing under
    :data:`NARROW_SVG`, which the screen HTML shows on a phone. ``save(path)`` writes the
    A4 SVG to a file.
    """

    name: str
    title: str
    svg: str
    narrow_svg: str = ""

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        bundle = {"image/svg+xml": self.svg}
        if self.narrow_svg:
            bundle[NARROW_SVG] = self.narrow_svg
        return bundle

    def save(self, path: str | Path) -> Path:
        """Write the SVG to ``path`` (UTF-8) and return the path."""
        target = Path(path)
        target.write_text(self.svg, encoding="utf-8")
        return target

    def __str__(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"Chart({self.name!r}, {self.title!r}, {len(self.svg)} chars of SVG)"


@contextmanager
def a4_only() -> Iterator[None]:
    """Draw charts without their narrow drawing inside this ``with`` block: for output that
    is only printed, where the A4 drawing is all that shows (it is the same either way)."""
    token = _NARROW.set(False)
    try:
        yield
    finally:
        _NARROW.reset(token)


def render(fig: Figure, name: str, title: str, narrow: Relayout | None = None) -> Chart:
    """The figure as a :class:`Chart` named ``name``, titled ``title`` (same figure, same
    SVG). ``narrow``, given, is called with the figure once its A4 SVG is taken and lays it
    out again for a phone (size ``style.NARROW``, tick labels, legend, panels); the figure
    is then drawn a second time as ``narrow_svg``. Re-laying out one figure costs only the
    second drawing, not a second build of the chart."""
    svg = to_svg(fig, title)
    if narrow is None or not _NARROW.get():
        return Chart(name=name, title=title, svg=svg)
    narrow(fig)
    return Chart(name=name, title=title, svg=svg, narrow_svg=to_svg(fig, title))


def to_svg(fig: Figure, title: str) -> str:
    """The figure as inline SVG: no prolog, no metadata, ``title`` as its ``<title>``."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = _PROLOG.sub("", buf.getvalue(), count=1)
    svg = _METADATA.sub("", svg, count=1)
    # an accessible name, for screen readers and for search in the HTML report
    svg = _SVG_OPEN.sub(lambda m: f"{m.group(0)}\n <title>{escape(title)}</title>", svg, count=1)
    return svg.strip() + "\n"
