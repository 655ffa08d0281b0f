"""Where things go on a chart, in points: plot areas placed from measured label widths
rather than by a layout engine (twice as fast, a national run draws thousands of charts,
and the axes of stacked charts line up), titles and legends flush with the figure's left
edge, value labels, the month axis and stacked bars."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.textpath import text_to_path

from bpu_reports.period import Period
from bpu_reports.report import formats
from bpu_reports.report.charts.style import (
    FONT,
    FONT_SIZE,
    NARROW,
    NOTE_SIZE,
    PALETTE,
    TEXT,
    TITLE_SIZE,
)
from bpu_reports.report.words import Lang

PAD = 4.0  # points around the figure edge
LINE = 1.25  # line height, in font sizes
LEGEND_ROW = 20.0  # points a one-row legend takes between the plot and the title
TITLE_H = TITLE_SIZE * LINE
LIFT = 6.5  # points between the plot and a legend above it, clear of the top tick label
TITLE_PAD = 9.0  # points between the title and the plot (or its legend row)


@cache
def font_props(size: float, bold: bool = False) -> FontProperties:
    return FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")


@cache
def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of ``text`` in points (the widest line)."""
    widths = [
        text_to_path.get_text_width_height_descent(line, font_props(size, bold), ismath=False)[0]
        for line in text.split("\n")
    ]
    return max(widths, default=0.0)


def place_axes(
    fig: Figure,
    *,
    yticks: Sequence[str] = (),
    ylabel: bool = False,
    head: float = 0.0,
    xlines: int = 1,
    foot: float = 0.0,
    right: float = 6.0,
) -> Axes:
    """One plot area placed from the space its labels need (all sizes in points):
    ``head`` above the plot (title, legend), ``xlines`` lines of x tick labels and ``foot``
    more below, ``right`` on the right."""
    box = axes_box(
        fig, yticks=yticks, ylabel=ylabel, head=head, xlines=xlines, foot=foot, right=right
    )
    return fig.add_axes(box)


def axes_box(
    fig: Figure,
    *,
    yticks: Sequence[str] = (),
    ylabel: bool = False,
    head: float = 0.0,
    xlines: int = 1,
    foot: float = 0.0,
    right: float = 6.0,
) -> tuple[float, float, float, float]:
    """Where :func:`place_axes` puts the plot, in figure fractions (left, bottom, width,
    height); ``ax.set_position(axes_box(fig, ...))`` places it again once the figure is
    resized for the narrow drawing."""
    fw, fh = (v * 72 for v in fig.get_size_inches())
    left = left_room(yticks, ylabel)
    bottom = PAD + 3.5 + xlines * FONT_SIZE * LINE + foot
    top = PAD + head
    return (left / fw, bottom / fh, 1 - (left + right) / fw, 1 - (top + bottom) / fh)


def left_room(yticks: Sequence[str], ylabel: bool = False) -> float:
    """Points left of the plot for these y tick labels (and a y axis label)."""
    left = PAD + max((text_width(s) for s in yticks), default=0.0) + 3.5
    return left + (FONT_SIZE * LINE + 3 if ylabel else 0.0)


def wrap_lines(lines: Sequence[str], room: float, size: float, bold: bool = False) -> list[str]:
    """Break lines too wide for ``room`` points after their first comma or semicolon."""
    out: list[str] = []
    for line in lines:
        if text_width(line, size, bold) <= room * 0.95:  # renderers differ a little
            out.append(line)
            continue
        cut = min((i for i in (line.find(", "), line.find("; ")) if i > 0), default=-1)
        out.extend([line[: cut + 1], line[cut + 2 :]] if cut > 0 else [line])
    return out


def wrap_words(text: str, room: float, size: float = FONT_SIZE, bold: bool = False) -> str:
    """``text`` broken between words into lines at most ``room`` points wide (a word wider
    than ``room`` keeps a line of its own): a title on the narrow drawing."""
    lines: list[str] = []
    for word in text.split():
        wider = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(wider, size, bold) <= room * 0.95:  # renderers differ a little
            lines[-1] = wider
        else:
            lines.append(word)
    return "\n".join(lines)


def narrow_title(title: str) -> str:
    """A chart's title in lines that fit the narrow drawing's width."""
    return wrap_words(title, NARROW * 72 - 2 * PAD, TITLE_SIZE, bold=True)


def head_room(legend: bool = False, title_lines: int = 1) -> float:
    """Points above the plot for the title (and a legend row under it)."""
    return TITLE_PAD + TITLE_H * title_lines + (LEGEND_ROW if legend else 0)


def flush_left(ax: Axes) -> float:
    """The figure's left text edge in the axes' x coordinates: titles, legends and notes
    start there, so they line up across charts whatever the width of the tick labels."""
    box = ax.get_position()
    return (PAD / size_pts(ax)[0] - box.x0) / box.width


def size_pts(ax: Axes) -> tuple[float, float]:
    """The figure's width and height in points."""
    fig = ax.get_figure()
    assert fig is not None
    return fig.bbox.width * 72 / fig.dpi, fig.bbox.height * 72 / fig.dpi


def put_title(ax: Axes, text: str, legend: bool = False, over: float | None = None) -> None:
    """The chart's title flush left above the plot (and its legend row). Over x tick labels
    on top matplotlib lifts it clear of them at each drawing, unless ``over`` says how many
    points they take; otherwise it stays where it is put, and the drawing skips measuring
    the axes to find that out."""
    pad = TITLE_PAD + (LEGEND_ROW if legend else 0)
    at_top = ax.xaxis.get_ticks_position() in ("top", "unknown")
    at_top = at_top or ax.xaxis.get_label_position() == "top"
    y = None if at_top else 1.0
    if over is not None:
        y = 1 + over / (ax.get_position().height * size_pts(ax)[1])
    ax.set_title(text, pad=pad, x=flush_left(ax), ha="left", y=y)


@cache
def line_height(size: float = FONT_SIZE) -> float:
    """Points a line of text takes as matplotlib places it (ascent and descent)."""
    return float(text_to_path.get_text_width_height_descent("lp", font_props(size), False)[1])


def no_axis_labels(ax: Axes, x: bool = True, y: bool = True) -> None:
    """Say that the x (and y) axis of ``ax`` has no label: matplotlib otherwise measures
    every tick label once more, at each drawing, to place the empty label clear of them."""
    if x:
        ax.xaxis.set_label_coords(0.5, 0.0)
    if y:
        ax.yaxis.set_label_coords(0.0, 0.5)


def legend_above(ax: Axes, handles: Sequence[Any], labels: Sequence[str]) -> None:
    lift = LIFT / (ax.get_position().height * size_pts(ax)[1])
    ax.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(flush_left(ax), 1.0 + lift),
        ncols=len(labels),
        borderaxespad=0.0,
        borderpad=0.2,
        handlelength=0.9,
        columnspacing=1.0,
    )


def swatch(role: str) -> Patch:
    return Patch(facecolor=PALETTE.get(role, role), edgecolor="none")


def label_at(
    ax: Axes,
    text: str,
    xy: tuple[float, float],
    offset: tuple[float, float] = (0, 2),
    *,
    ha: str = "center",
    va: str = "bottom",
    size: float = NOTE_SIZE,
    color: str = TEXT,
    bold: bool = False,
    **kw: Any,
) -> None:
    """``text`` at ``xy`` (data coordinates unless ``xycoords`` in ``kw`` says otherwise),
    moved by ``offset`` points: the value labels and notes of the charts."""
    weight = "bold" if bold else "normal"
    style: dict[str, Any] = {"fontsize": size, "fontweight": weight, "color": color, **kw}
    ax.annotate(text, xy, xytext=offset, textcoords="offset points", ha=ha, va=va, **style)


def bar_label(ax: Axes, x: float, y: float, text: str, **kw: Any) -> None:
    """A value over a bar."""
    label_at(ax, text, (x, y), **kw)


def emphasise_last_tick(ax: Axes) -> None:
    labels = ax.get_xticklabels()
    if labels:
        labels[-1].set_fontweight("bold")


def months_axis(ax: Axes, periods: Sequence[str], lang: Lang, step: int) -> None:
    positions, labels = month_ticks(periods, lang, step)
    ax.set_xticks(positions, labels)
    ax.set_xlim(-0.6, len(periods) - 0.4)
    emphasise_last_tick(ax)


def month_ticks(periods: Sequence[str], lang: Lang, step: int = 1) -> tuple[list[int], list[str]]:
    """Every ``step``-th month counted back from the last (the report month is always
    labelled); the year goes under the first label and wherever it changes."""
    positions = list(range(len(periods) - 1, -1, -step))[::-1]
    labels = []
    last_year = None
    for i in positions:
        p = Period.parse(periods[i])
        text = formats.month_abbr(p, lang)
        if p.year != last_year:
            text += f"\n{p.year}"
            last_year = p.year
        labels.append(text)
    return positions, labels


def stack_bars(
    ax: Axes, x: np.ndarray, layers: Sequence[tuple[np.ndarray, str]], width: float = 0.68
) -> np.ndarray:
    """Bars stacked bottom-up, one layer of (values, colour) after another; the stack's top."""
    bottom = np.zeros(len(x))
    for values, colour in layers:
        ax.bar(x, values, width, bottom=bottom, color=colour)
        bottom = bottom + values
    return bottom
