"""Charts of the membership: registered members by status over the 13 months, arrears
ageing and cohort retention."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from bpu_reports.metrics.privacy import SMALL, THRESHOLD
from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats
from bpu_reports.report.charts.base import Chart, render
from bpu_reports.report.charts.layout import (
    LINE,
    PAD,
    TITLE_H,
    axes_box,
    bar_label,
    head_room,
    left_room,
    legend_above,
    line_height,
    months_axis,
    narrow_title,
    no_axis_labels,
    place_axes,
    put_title,
    stack_bars,
    swatch,
    text_width,
    wrap_lines,
)
from bpu_reports.report.charts.scales import count_scale, num
from bpu_reports.report.charts.style import (
    FONT_SIZE,
    FULL,
    HALF,
    HEATMAP,
    NARROW,
    NOTE_SIZE,
    PALETTE,
    TEXT,
    chart_style,
)
from bpu_reports.report.tidy import trend_of
from bpu_reports.report.words import Lang, check_lang, word

STATUSES = ("active", "in_arrears", "inactive")
"""The membership statuses: trend columns, palette roles and word keys alike."""
BUCKETS = ("1", "2", "3", "4-6", "7-12", ">12")
NARROW_ROW = FONT_SIZE * LINE * 2 + 2
"""Points per cohort row on the narrow heatmap: two lines of label."""


def membership(unit: Unit, lang: Lang = "id") -> Chart:
    """Full width. Registered members at each month-end of the 13-month window, stacked by
    status: active, in arrears (*menunggak*), non-active (*nonaktif*); the report month's
    total is labelled above its bar. On a phone (``narrow_svg``, 4 in): every third month
    labelled, counted back from the report month."""
    lang = check_lang(lang)
    tr = trend_of(unit)
    x = np.arange(len(tr))
    layers = [(tr[s].to_numpy(dtype=float), PALETTE[s]) for s in STATUSES]
    total = sum((v for v, _ in layers), start=np.zeros(len(tr)))
    scale = count_scale(float(total.max(initial=0)), lang, headroom=1.1)
    title = word("chart_membership", lang)
    legend = ([swatch(s) for s in STATUSES], [word(s, lang) for s in STATUSES])
    with chart_style():
        fig = Figure(figsize=FULL)
        ax = place_axes(fig, yticks=scale.labels, head=head_room(legend=True), xlines=2)
        no_axis_labels(ax)
        stack_bars(ax, x, layers)
        scale.apply(ax)
        last = formats.number(total[-1], lang) if len(tr) else ""
        if last:
            bar_label(ax, x[-1], total[-1], last, bold=True)
        months_axis(ax, list(tr.period), lang, step=1)
        legend_above(ax, *legend)
        put_title(ax, title, legend=True)

        def narrow(fig: Figure) -> None:
            # every third month labelled; room on the right for the last bar's total
            lines = narrow_title(title)
            fig.set_size_inches(NARROW, FULL[1] + 0.2)
            room = NARROW * 72 - left_room(scale.labels)
            spill = text_width(last, NOTE_SIZE, bold=True) / 2 - 0.6 * room / (len(tr) + 0.2)
            head = head_room(legend=True, title_lines=lines.count("\n") + 1)
            ax.set_position(
                axes_box(fig, yticks=scale.labels, head=head, xlines=2, right=max(6.0, spill + PAD))
            )
            months_axis(ax, list(tr.period), lang, step=3)
            legend_above(ax, *legend)
            put_title(ax, lines, legend=True)

        return render(fig, "membership", title, narrow)


def ageing(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Registered members by months behind (1, 2, 3, 4–6, 7–12, > 12), each bar
    labelled: 1–3 months (arrears still payable) in the arrears colour, longer (non-active)
    in the non-active grey."""
    lang = check_lang(lang)
    members = dict(zip(unit.ageing.bucket.astype(str), unit.ageing.members, strict=True))
    counts = [0.0 if math.isnan(v := num(members.get(b))) else v for b in BUCKETS]
    names = [b.replace("-", "–").replace(">", "> ") for b in BUCKETS]
    colours = [PALETTE["in_arrears"]] * 3 + [PALETTE["inactive"]] * 3
    scale = count_scale(max(counts), lang, headroom=1.15)
    title = word("ageing", lang)
    with chart_style():
        fig = Figure(figsize=HALF)
        foot = FONT_SIZE * LINE + 2
        ax = place_axes(fig, yticks=scale.labels, head=head_room(legend=True), foot=foot)
        x = np.arange(len(BUCKETS))
        ax.bar(x, counts, 0.68, color=colours)
        scale.apply(ax)
        for i, v in enumerate(counts):
            bar_label(ax, x[i], v, formats.number(v, lang))
        ax.set_xticks(x, names)
        ax.set_xlim(-0.6, len(BUCKETS) - 0.4)
        ax.set_xlabel(word("months_behind", lang), labelpad=3)
        legend_above(
            ax,
            [swatch("in_arrears"), swatch("inactive")],
            [f"{word('collectable', lang)} (1–3)", f"{word('inactive', lang)} (> 3)"],
        )
        put_title(ax, title, legend=True)
        return render(fig, "ageing", title)


_GREY = ListedColormap([PALETTE["light"]])


def _dark(rgba: Sequence[float]) -> bool:
    """Whether white text reads better than dark text on this colour."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] < 0.23


def cohorts(unit: Unit, lang: Lang = "id") -> Chart:
    """Full width. Cohort retention heatmap: one row per registration month M−12 … M−1
    (oldest on top, cohort size in brackets), one column per month after registering
    (1…12), each cell the share of the cohort active then, in percent. Cells of cohorts
    under 5 members are grey and unlabelled (privacy); months after the report month stay
    blank, which leaves the lower-right triangle empty. On a phone (``narrow_svg``, 4 in):
    the cohort's size under its month and the title in two lines, so that each of the
    twelve columns is as wide as a "100%"."""
    lang = check_lang(lang)
    rows = [str(unit.period.shift(-k)) for k in range(12, 0, -1)]
    row_of = {c: i for i, c in enumerate(rows)}
    share = np.full((12, 12), np.nan)
    small = np.zeros((12, 12), dtype=bool)
    sizes = np.zeros(12)
    for rec in unit.cohorts.itertuples():
        i = row_of.get(str(rec.cohort))
        k = int(num(rec.months_since))
        if i is None or not 1 <= k <= 12:
            continue
        size = num(rec.cohort_size)
        sizes[i] = max(sizes[i], size)
        if size < THRESHOLD:
            small[i, k - 1] = True
        else:
            share[i, k - 1] = num(rec.share)
    months = [formats.month(c, lang, short=True) for c in rows]
    counts = [
        formats.number(size, lang) if size == 0 or size >= THRESHOLD else SMALL for size in sizes
    ]
    labels = [f"{m} ({n})" for m, n in zip(months, counts, strict=True)]
    title = word("chart_cohorts", lang)
    head = head_room() + FONT_SIZE * LINE * 2 + 6  # top tick labels and the axis label
    with chart_style():
        fig = Figure(figsize=(FULL[0], 3.2))
        foot = NOTE_SIZE * LINE + 2 if small.any() else 0.0
        ax = place_axes(fig, yticks=labels, head=head, xlines=0, foot=foot)
        no_axis_labels(ax, x=False)
        ax.grid(False)
        ax.spines[:].set_visible(False)
        edges_x, edges_y = np.arange(0.5, 13.5), np.arange(-0.5, 12.5)
        cells: dict[str, Any] = {"edgecolors": "white", "linewidth": 1.0, "vmin": 0, "vmax": 1}
        meshes = [
            ax.pcolormesh(edges_x, edges_y, np.ma.masked_invalid(share), cmap=HEATMAP, **cells),
            ax.pcolormesh(edges_x, edges_y, np.ma.masked_where(~small, small), cmap=_GREY, **cells),
        ]
        for i, j in zip(*np.nonzero(np.isfinite(share)), strict=True):
            v = share[i, j]
            ax.text(
                j + 1,
                i,
                formats.percent(v, lang, 0),
                ha="center",
                va="center",
                fontsize=NOTE_SIZE,
                color="white" if _dark(HEATMAP(v)) else TEXT,
            )
        ax.set_xlim(0.5, 12.5)
        ax.set_ylim(11.5, -0.5)
        ax.set_xticks(range(1, 13), [str(k) for k in range(1, 13)])
        ax.set_yticks(range(12), labels)
        ax.xaxis.set_ticks_position("top")
        ax.xaxis.set_label_position("top")
        ax.set_xlabel(word("months_since", lang), labelpad=4)
        note = None
        if small.any():
            note = ax.text(
                0.0,
                -0.02,
                word("small_cohort", lang),
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=NOTE_SIZE,
                color=PALETTE["muted"],
            )
        put_title(ax, title)

        def narrow(fig: Figure) -> None:
            # the cohort's size under its month, so that the twelve columns get the room
            # of a "100%"; the rows as tall as their two lines, the figure as tall as needed
            two_lines = [f"{m}\n({n})" for m, n in zip(months, counts, strict=True)]
            lines = narrow_title(title)
            top = head + TITLE_H * lines.count("\n")
            below = 0.0
            if note is not None:
                room = NARROW * 72 - left_room(two_lines) - PAD
                said = wrap_lines([note.get_text()], room, NOTE_SIZE)
                note.set_text("\n".join(said))
                below = NOTE_SIZE * LINE * len(said) + 2
            fig.set_size_inches(NARROW, (top + 12 * NARROW_ROW + below + 2 * PAD + 3.5) / 72)
            ax.set_position(axes_box(fig, yticks=two_lines, head=top, xlines=0, foot=below))
            ax.set_yticks(range(12), two_lines)
            # the coloured and grey cells only: a mesh also writes out every blank cell
            shown = np.isfinite(share) | small
            colours = [
                PALETTE["light"] if small[i, j] else HEATMAP(share[i, j])
                for i, j in zip(*np.nonzero(shown), strict=True)
            ]
            squares = [
                [(j + 0.5, i - 0.5), (j + 1.5, i - 0.5), (j + 1.5, i + 0.5), (j + 0.5, i + 0.5)]
                for i, j in zip(*np.nonzero(shown), strict=True)
            ]
            for mesh in meshes:
                mesh.set_visible(False)
            ax.add_collection(
                PolyCollection(squares, facecolors=colours, edgecolors="white", linewidths=1.0),
                autolim=False,
            )
            # the axis label and the title placed over the top tick labels (3 pt off the
            # plot), without matplotlib measuring them at each drawing
            ticks = 3 + line_height()
            ax.xaxis.set_label_coords(0.5, 1 + (ticks + 4) / (12 * NARROW_ROW))
            put_title(ax, lines, over=ticks + 4 + line_height())

        return render(fig, "cohorts", title, narrow)
