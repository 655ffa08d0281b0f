"""The outreach funnel (*sosialisasi*): from potential to active, event by event."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from babel.dates import format_date
from matplotlib.figure import Figure

from bpu_reports.metrics.privacy import SMALL, THRESHOLD
from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats
from bpu_reports.report.chart_base import Chart, render
from bpu_reports.report.chart_layout import (
    LIFT,
    bar_label,
    head_room,
    legend_above,
    place_axes,
    put_title,
    swatch,
    text_width,
)
from bpu_reports.report.chart_scales import count_scale, num
from bpu_reports.report.chart_text import check_lang, phrase
from bpu_reports.report.formats import LOCALES, Lang
from bpu_reports.report.style import (
    FULL,
    NOTE_SIZE,
    PALETTE,
    SEQUENTIAL,
    chart_style,
)

MAX_EVENTS = 8
LABEL_SIZE = NOTE_SIZE - 0.5  # values over narrow bars


def _event_label(row: Any, lang: Lang, region: bool, room: float) -> str:
    """``30 Jul`` (``DPS · 30 Jul`` in a region) over the venue cut to ``room`` points."""
    held = row.held_on if isinstance(row.held_on, dt.date) else pd.Timestamp(row.held_on).date()
    when = format_date(held, "d MMM", locale=LOCALES[lang])
    if region:
        when = f"{row.branch_code} · {when}"
    venue = str(row.venue if isinstance(row.venue, str) and row.venue else row.title)
    if text_width(venue, NOTE_SIZE) > room:
        while len(venue) > 1 and text_width(venue + "…", NOTE_SIZE) > room:
            venue = venue[:-1]
        venue = venue.rstrip() + "…"
    return f"{when}\n{venue}"


def funnel(unit: Unit, lang: Lang = "id") -> Chart:
    """Full width. The outreach funnel of the year's events (*sosialisasi*): potential →
    registered at the event → paid → active at the report month, four bars per event, most
    recent first, at most 8 (a note says when there are more). Events are labelled by date
    (and branch, in a region) and venue. Member counts under 5 are not drawn but marked
    "< 5" (privacy: an event is below branch level); the potential is an estimate and always
    drawn. Values are labelled where they fit.

    A unit without events gets a one-line Chart saying so (never ``None``)."""
    lang = check_lang(lang)
    year = unit.period.year
    events = unit.outreach.sort_values(["held_on", "event_id"], ascending=False)
    total = len(events)
    events = events.head(MAX_EVENTS)
    title = phrase("funnel", lang, year=year)
    stages = (
        ("potential", "potential", PALETTE["inactive"]),
        ("registered", "registered_event", SEQUENTIAL[1]),
        ("paid", "paid", SEQUENTIAL[2]),
        ("active_now", "active_now", SEQUENTIAL[3]),
    )
    with chart_style():
        if events.empty:
            fig = Figure(figsize=(FULL[0], 0.75))
            ax = place_axes(fig, head=head_room(), xlines=0)
            ax.set_axis_off()
            ax.text(
                0.0,
                0.5,
                phrase("no_events", lang, year=year),
                transform=ax.transAxes,
                ha="left",
                va="center",
                color=PALETTE["muted"],
            )
            put_title(ax, title)
            return render(fig, "funnel", title)

        n = len(events)
        values = {
            col: np.array([0.0 if math.isnan(v := num(x)) else v for x in events[col]])
            for col, _, _ in stages
        }
        hidden = {
            col: (v < THRESHOLD) if col != "potential" else np.zeros(n, bool)
            for col, v in values.items()
        }
        drawn = {col: np.where(hidden[col], 0.0, v) for col, v in values.items()}
        scale_peak = max(float(v.max()) for v in drawn.values())
        scale = count_scale(scale_peak, lang, headroom=1.12)
        fig = Figure(figsize=FULL)
        ax = place_axes(
            fig, yticks=scale.labels, ylabel=True, head=head_room(legend=True), xlines=2
        )
        x = np.arange(n)
        slots = max(n, 3)  # few events keep their bar width, centred
        width = 0.8 / len(stages)
        slot_pts = ax.bbox.width * 72 / fig.dpi / slots
        texts = {
            col: [
                SMALL if h else formats.number(v, lang)
                for v, h in zip(v_, hidden[col], strict=True)
            ]
            for col, v_ in values.items()
        }
        # values read across when every one fits over its bar, else all upright
        fits = all(
            text_width(t, LABEL_SIZE) <= width * slot_pts for ts in texts.values() for t in ts
        )
        if not fits:
            room = max(text_width(t, LABEL_SIZE) for ts in texts.values() for t in ts) + 4
            scale = count_scale(
                scale_peak, lang, headroom=1 + room / (ax.bbox.height * 72 / fig.dpi)
            )
        for j, (col, key, colour) in enumerate(stages):
            xs = x + (j - (len(stages) - 1) / 2) * width
            ax.bar(xs, drawn[col], width * 0.92, color=colour, label=phrase(key, lang))
            for xi, v, text in zip(xs, drawn[col], texts[col], strict=True):
                bar_label(ax, xi, v, text, fontsize=LABEL_SIZE, rotation=0 if fits else 90)
        scale.apply(ax)
        ax.set_ylabel(phrase("members", lang))
        region = unit.kind == "region"
        room = slot_pts - 4
        ax.set_xticks(x, [_event_label(r, lang, region, room) for r in events.itertuples()])
        ax.tick_params(axis="x", labelsize=NOTE_SIZE)
        side = (slots - n) / 2
        ax.set_xlim(-0.5 - side, n - 0.5 + side)
        legend_above(ax, [swatch(c) for _, _, c in stages], [phrase(k, lang) for _, k, _ in stages])
        if total > n:
            ax.annotate(
                phrase("more_events", lang, n=n, total=total),
                (1.0, 1.0),
                xycoords="axes fraction",
                xytext=(0, LIFT + 2),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=NOTE_SIZE,
                color=PALETTE["muted"],
            )
        put_title(ax, title, legend=True)
        return render(fig, "funnel", title)
