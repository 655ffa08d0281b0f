"""The bars' values: each written inside its bar when it fits there, else just beyond the
bar's end, with the axis raised until every value written outside fits under the top
(:func:`fit_values`); the outreach funnel's values, on the page and on a phone."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure

from bpu_reports.report.charts.layout import font_props, text_width
from bpu_reports.report.charts.style import FONT_SIZE

VALUE_SIZE = FONT_SIZE  # the bars' values: as large as the tick labels, never smaller
BAR = 0.92  # share of a bar's pitch the bar takes
GAP = 2.0  # points between a value and the end of its bar, and between neighbouring values


@dataclass(frozen=True)
class Fit:
    """Where the values go: ``top`` the axis top (data units), ``inside[i]`` whether value
    ``i`` is written inside its bar, ``upright`` whether the values are turned to read
    upwards (when one of them is wider than a bar's pitch)."""

    top: float
    inside: np.ndarray
    upright: bool


@cache
def text_height(size: float = VALUE_SIZE) -> float:
    """Height of a line of text in points, as matplotlib aligns it: a line laid out by
    matplotlib itself and measured (its ascent and descent are the font's own from
    matplotlib 3.11 on, those of "lp" before; DejaVu Sans at 8 pt: 8.0, against 7.74 for
    "lp" alone, whose "p" reaches less far down)."""
    fig = Figure(dpi=72)  # points
    line = fig.text(0, 0, "lp", fontproperties=font_props(size))
    return float(line.get_window_extent(RendererSVG(1, 1, io.StringIO())).height)


def fit_values(
    heights: np.ndarray, texts: Sequence[str], top: float, plot_h: float, pitch: float
) -> Fit:
    """Place the values ``texts`` of bars of ``heights`` (data units) on a plot
    ``plot_h`` points high whose bars stand ``pitch`` points apart, with the axis at ``top``
    or higher.

    The values read across when every one fits within a pitch (with :data:`GAP` to spare),
    else all upright; so neighbours never touch. A value goes inside its bar when the bar is
    long and wide enough for it with :data:`GAP` at either end, else just beyond the bar's
    end; the top rises until every value beyond its bar ends under it."""
    widths = np.array([text_width(t, VALUE_SIZE) for t in texts])
    upright = bool(len(widths)) and bool(widths.max() + GAP > pitch)
    line = text_height(VALUE_SIZE)
    along = widths if upright else np.full(len(widths), line)  # along the bar
    across = np.full(len(widths), line) if upright else widths
    wide_enough = across + GAP <= pitch * BAR
    top = max(top, float(heights.max(initial=0.0)), 1e-9)
    inside = np.zeros(len(heights), bool)
    for _ in range(len(heights) + 1):  # the top only rises, the bars only shrink
        inside = wide_enough & (heights / top * plot_h >= along + 2 * GAP)
        room = plot_h - GAP - along[~inside]
        need = heights[~inside] * plot_h / np.maximum(room, 1.0)
        if need.max(initial=0.0) <= top:
            break
        top = float(need.max())
    return Fit(top, inside, upright)
