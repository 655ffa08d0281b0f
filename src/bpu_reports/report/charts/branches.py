"""Small multiples for region reports: one panel of active members per branch."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats
from bpu_reports.report.charts.base import Chart, render
from bpu_reports.report.charts.layout import (
    LINE,
    PAD,
    TITLE_H,
    narrow_title,
    no_axis_labels,
    text_width,
)
from bpu_reports.report.charts.scales import count_scale
from bpu_reports.report.charts.style import (
    FONT_SIZE,
    FULL,
    NARROW,
    NOTE_SIZE,
    PALETTE,
    TITLE_SIZE,
    chart_style,
)
from bpu_reports.report.tidy import trend_of
from bpu_reports.report.words import Lang, check_lang, word


def small_multiples(unit: Unit, lang: Lang = "id") -> Chart:
    """Full width, for region reports: one small panel per branch with its active members
    over the 13 months (own y scale from 0, so small pioneer branches stay readable), the
    branch code as panel title and the report month's value at the top right. Panels follow
    the region's ranking (most active first), 4 per row up to 12 branches (8 branches take
    ≈ 2.8 in, under half a page), 6 per row beyond; on a phone (``narrow_svg``, 4 in) 2 per
    row, each panel as tall as on the page. At 6 a row a panel has room for its code, its
    value and the report month only: no y tick labels (its scale still from 0, the month's
    value written over it) and no label under the window's first month.

    A branch unit (no ``branch_trend``) gets a single panel of its own trend."""
    lang = check_lang(lang)
    if unit.branch_trend.empty:
        series = {unit.code: trend_of(unit)}
    else:
        bt = unit.branch_trend.sort_values(["branch_code", "period"])
        order = _branch_order(unit, list(dict.fromkeys(bt.branch_code)))
        series = {code: bt[bt.branch_code == code].reset_index(drop=True) for code in order}
    n = len(series)
    ncols = min(4 if n <= 12 else 6, n)
    nrows = math.ceil(n / ncols)
    scales = {
        code: count_scale(float(tr.active.max()) if len(tr) else 0.0, lang, headroom=1.05, nbins=2)
        for code, tr in series.items()
    }
    title = word("chart_small_multiples", lang)
    with chart_style():
        fig = Figure(figsize=(FULL[0], 0.4 + 1.1 * nrows))
        sparse = ncols > 4  # panels too narrow for y tick labels as well
        tick_w = 3.5 + (
            0
            if sparse
            else max(text_width(s, NOTE_SIZE) for sc in scales.values() for s in sc.labels)
        )
        colour = PALETTE["active"]
        heading = fig.text(0, 1, title, ha="left", va="top", fontsize=TITLE_SIZE, fontweight="bold")
        panels = []
        for code, tr in series.items():
            ax = fig.add_axes((0, 0, 1, 1))
            no_axis_labels(ax)
            values = tr.active.to_numpy(dtype=float)
            x = np.arange(len(values))
            ax.fill_between(x, values, color=colour, alpha=0.12, lw=0)
            ax.plot(x, values, color=colour, lw=1.3)
            scales[code].apply(ax)
            ax.tick_params(labelsize=NOTE_SIZE, labelleft=not sparse)
            ax.set_xlim(0, max(len(values) - 1, 1))
            # y=1: a title over the plot, placed without measuring the axes again
            ax.set_title(code, fontsize=FONT_SIZE, fontweight="bold", pad=3, loc="left", y=1.0)
            if len(values):
                ax.plot([x[-1]], [values[-1]], marker="o", color=colour, ms=3, clip_on=False)
                ax.set_title(
                    formats.number(values[-1], lang),
                    fontsize=FONT_SIZE,
                    fontweight="bold",
                    pad=3,
                    loc="right",
                    color=colour,
                    y=1.0,
                )
                ends = [0, len(values) - 1]
                months = [formats.month(str(tr.period.iloc[i]), lang, short=True) for i in ends]
                if sparse:  # two months side by side would touch: the report month only
                    months[0] = ""
                ax.set_xticks(ends, months)
                first, last = ax.get_xticklabels()
                first.set_horizontalalignment("left")
                last.set_horizontalalignment("right")
            panels.append(ax)
        _grid(fig, heading, panels, ncols, tick_w, (FULL[0], 0.4 + 1.1 * nrows))

        def narrow(fig: Figure) -> None:
            # two panels a row, as tall as on the page
            lines = narrow_title(title)
            heading.set_text(lines)
            rows = math.ceil(n / min(2, n))
            size = (NARROW, 0.4 + 1.1 * rows + TITLE_H * lines.count("\n") / 72)
            _grid(fig, heading, panels, min(2, n), tick_w, size)

        return render(fig, "small_multiples", title, narrow)


def _grid(
    fig: Figure,
    heading: Text,
    panels: list[Axes],
    ncols: int,
    tick_w: float,
    size: tuple[float, float],
) -> None:
    """Size the figure (inches) and place the title and the panels, ``ncols`` a row."""
    fig.set_size_inches(size)
    fw, fh = (v * 72 for v in size)
    nrows = math.ceil(len(panels) / ncols)
    lines = heading.get_text().count("\n") + 1
    gap = 10.0  # points between panels, besides the next panel's tick labels
    head, panel_head, panel_foot = 6 + TITLE_H * lines, NOTE_SIZE * LINE + 5, NOTE_SIZE * LINE + 5
    cell_w = (fw - 2 * PAD - gap * (ncols - 1)) / ncols
    cell_h = (fh - 2 * PAD - head) / nrows
    heading.set_position((PAD / fw, 1 - PAD / fh))
    for idx, ax in enumerate(panels):
        r, c = divmod(idx, ncols)
        left = PAD + c * (cell_w + gap) + tick_w
        top = PAD + head + r * cell_h + panel_head
        width, height = cell_w - tick_w - 4, cell_h - panel_head - panel_foot
        ax.set_position((left / fw, 1 - (top + height) / fh, width / fw, height / fh))


def _branch_order(unit: Unit, codes: list[str]) -> list[str]:
    ranked = unit.branches
    if ranked.empty or "branch_code" not in ranked:
        return codes
    if "rank_active" in ranked:
        ranked = ranked.sort_values(["rank_active", "branch_code"])
    first = [c for c in ranked.branch_code if c in codes]
    return first + [c for c in codes if c not in first]
