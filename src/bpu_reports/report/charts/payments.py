"""Charts of payments: on-time rate, contributions collected by programme and the months a
payment covers (prepayment)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats
from bpu_reports.report.charts.base import Chart, render
from bpu_reports.report.charts.layout import (
    bar_label,
    head_room,
    label_at,
    legend_above,
    months_axis,
    place_axes,
    put_title,
    stack_bars,
    swatch,
    text_width,
)
from bpu_reports.report.charts.scales import percent_scale, rupiah_scale
from bpu_reports.report.charts.style import (
    FONT_SIZE,
    HALF,
    PALETTE,
    SEQUENTIAL,
    chart_style,
)
from bpu_reports.report.tidy import trend_of
from bpu_reports.report.words import Lang, check_lang, word

PROGRAMMES = ("JKK", "JKM", "JHT")
MIX = (("mix_1", 1), ("mix_3", 3), ("mix_6", 6), ("mix_12", 12), ("mix_other", None))


def on_time(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Share of active members who paid the month by its due date, over the 13
    months (axis 0–100 %), the report month's value labelled with one decimal. Months
    without active members (undefined rate) are gaps in the line."""
    lang = check_lang(lang)
    tr = trend_of(unit)
    x = np.arange(len(tr))
    rate = pd.to_numeric(tr.on_time_rate, errors="coerce").to_numpy(dtype=float)
    scale = percent_scale(lang)
    colour = PALETTE["accent"]
    title = word("chart_on_time", lang)
    last = rate[-1] if len(rate) else float("nan")
    text = formats.percent(last, lang, 1)
    with chart_style():
        fig = Figure(figsize=HALF)
        # the report month's value sits right of the line's end, clear of the line
        right = text_width(text, FONT_SIZE, bold=True) + 10
        ax = place_axes(
            fig, yticks=scale.labels, ylabel=True, head=head_room(), xlines=2, right=right
        )
        ax.plot(x, rate, color=colour, marker="o", clip_on=False)
        scale.apply(ax)
        if len(tr):
            label_at(
                ax,
                text,
                (x[-1], last if math.isfinite(last) else 0.0),
                (6, 0),
                ha="left",
                va="center",
                size=FONT_SIZE,
                color=colour,
                bold=True,
                annotation_clip=False,
            )
        months_axis(ax, list(tr.period), lang, step=2)
        ax.set_ylabel(word("of_active", lang))
        put_title(ax, title)
        return render(fig, "on_time", title)


def collections(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Contributions collected in each month (by payment date), stacked JKK /
    JKM / JHT, on a rupiah axis in ribu / juta / miliar; the report month's total labelled."""
    lang = check_lang(lang)
    tr = trend_of(unit)
    x = np.arange(len(tr))
    layers = [(tr[f"collected_{p.lower()}"].to_numpy(dtype=float), PALETTE[p]) for p in PROGRAMMES]
    total = sum((v for v, _ in layers), start=np.zeros(len(tr)))
    scale = rupiah_scale(float(total.max(initial=0)), lang, headroom=1.12)
    title = word("chart_collections", lang)
    with chart_style():
        fig = Figure(figsize=HALF)
        ax = place_axes(
            fig, yticks=scale.labels, ylabel=True, head=head_room(legend=True), xlines=2
        )
        stack_bars(ax, x, layers)
        scale.apply(ax)
        ax.set_ylabel(scale.unit)
        if len(tr):
            bar_label(ax, x[-1] + 0.35, total[-1], formats.rupiah(total[-1], lang), ha="right")
        months_axis(ax, list(tr.period), lang, step=2)
        legend_above(ax, [swatch(p) for p in PROGRAMMES], list(PROGRAMMES))
        put_title(ax, title, legend=True)
        return render(fig, "collections", title)


def prepayment(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Each month's payments split by the months they cover (1 / 3 / 6 / 12 /
    other) as 100 % stacked bars over the 13 months, so prepayment drives (a group paying
    6 months at once) stand out; the legend on the right follows the stack. Months without
    payments stay empty."""
    lang = check_lang(lang)
    tr = trend_of(unit)
    x = np.arange(len(tr))
    counts = [tr[c].to_numpy(dtype=float) for c, _ in MIX]
    total = sum(counts, start=np.zeros(len(tr)))
    safe = np.where(total > 0, total, 1.0)
    colours = [*SEQUENTIAL, PALETTE["muted"]]
    names = [formats.months(n, lang) if n else word("lainnya", lang) for _, n in MIX]
    scale = percent_scale(lang)
    legend_w = max(text_width(n) for n in names) + FONT_SIZE * 2.2
    title = word("chart_prepayment", lang)
    with chart_style():
        fig = Figure(figsize=HALF)
        ax = place_axes(fig, yticks=scale.labels, head=head_room(), xlines=2, right=legend_w + 6)
        stack_bars(ax, x, [(c / safe, colour) for c, colour in zip(counts, colours, strict=True)])
        scale.apply(ax)
        months_axis(ax, list(tr.period), lang, step=2)
        ax.legend(
            [swatch(c) for c in colours[::-1]],
            names[::-1],
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            borderaxespad=0.4,
            borderpad=0.2,
            handlelength=0.9,
        )
        put_title(ax, title)
        return render(fig, "prepayment", title)
