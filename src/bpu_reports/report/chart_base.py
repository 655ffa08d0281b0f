"""A rendered chart (:class:`Chart`) and how a matplotlib figure becomes one: inline-ready
SVG without XML prolog or metadata, with the title as its ``<title>`` so screen readers and
search in the HTML report find it."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from matplotlib.figure import Figure

_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


@dataclass(frozen=True)
class Chart:
    """One rendered chart. ``svg`` is a complete ``<svg>`` element sized in points for the
    A4 page (``6.7in`` wide at full width), ready to inline in HTML; ``title`` is its title
    as plain text (also the SVG's ``<title>``); ``name`` the chart function's name.

    Jupyter displays it through ``_repr_svg_``; ``save(path)`` writes the SVG to a file.
    """

    name: str
    title: str
    svg: str

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | Path) -> Path:
        """Write the SVG to ``path`` (UTF-8) and return the path."""
        target = Path(path)
        target.write_text(self.svg, encoding="utf-8")
        return target

    def __str__(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"Chart({self.name!r}, {self.title!r}, {len(self.svg)} chars of SVG)"


def render(fig: Figure, name: str, title: str) -> Chart:
    """The figure as a :class:`Chart` named ``name``, titled ``title`` (same figure, same SVG)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = _PROLOG.sub("", buf.getvalue(), count=1)
    svg = _METADATA.sub("", svg, count=1)
    # an accessible name, for screen readers and for search in the HTML report
    svg = _SVG_OPEN.sub(lambda m: f"{m.group(0)}\n <title>{escape(title)}</title>", svg, count=1)
    return Chart(name=name, title=title, svg=svg.strip() + "\n")
