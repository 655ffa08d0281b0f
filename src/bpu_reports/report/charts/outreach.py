"""The outreach funnel (*sosialisasi*): from potential to active, event by event, in the
order the events were held.

Each event is labelled by its date over its venue, shortened only as far as the room under
its bars asks (:func:`.venues.event_labels`), so that two events never read the same. Each
bar's value is written inside the bar when it fits there, else just beyond its end, with the
axis raised until every value written outside fits under the top
(:func:`.bar_values.fit_values`).

The narrow drawing for phones (4 in) shows the latest 4 events: the same bars, labelled and
valued again by the same two functions for the room each event has there."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from bpu_reports.metrics.privacy import SMALL, THRESHOLD
from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats
from bpu_reports.report.charts.bar_values import BAR, GAP, VALUE_SIZE, Fit, fit_values
from bpu_reports.report.charts.base import Chart, render
from bpu_reports.report.charts.layout import (
    LIFT,
    LINE,
    TITLE_H,
    axes_box,
    flush_left,
    head_room,
    label_at,
    left_room,
    legend_above,
    narrow_title,
    no_axis_labels,
    place_axes,
    put_title,
    swatch,
)
from bpu_reports.report.charts.membership import _dark
from bpu_reports.report.charts.scales import Scale, count_scale, num
from bpu_reports.report.charts.style import (
    FONT_SIZE,
    FULL,
    NARROW,
    NOTE_SIZE,
    PALETTE,
    SEQUENTIAL,
    TEXT,
    chart_style,
)
from bpu_reports.report.charts.venues import EVENT_SIZE, event_labels
from bpu_reports.report.words import Lang, check_lang, word

MAX_EVENTS = 8
NARROW_EVENTS = 4  # on a phone: each with about the room one of 8 has on the page
GROUP = 0.88  # share of an event's slot its four bars take
RIGHT = 6.0  # points right of the plot
STAGES = (  # column of unit.outreach, word, colour
    ("potential", "potential", PALETTE["inactive"]),
    ("registered", "enrolled", SEQUENTIAL[1]),
    ("paid", "paid", SEQUENTIAL[2]),
    ("active_now", "active_now", SEQUENTIAL[3]),
)
OFFSETS = tuple((j - (len(STAGES) - 1) / 2) * GROUP / len(STAGES) for j in range(len(STAGES)))
"""Where each stage's bar stands in its event's slot (data units from the slot's centre)."""


def funnel(unit: Unit, lang: Lang = "id") -> Chart:
    """Full width. The outreach funnel of the year's events (*sosialisasi*): potential →
    registered at the event → paid → active at the report month, four bars per event, the
    events in the order they were held (earliest on the left), the latest 8 when there are
    more (a note says "8 kegiatan terbaru dari 11").

    Each event is labelled by its date (and branch code, in a region or the country) over
    its venue, shortened only where it does not fit under its bars and never so that two
    events read the same (:func:`event_labels`). Each value is written inside its bar when
    it fits there, else beyond the bar's end, in the size of the tick labels and clear of
    every other value and bar (:func:`fit_values`). Member counts under 5 are not drawn but
    marked "< 5" (privacy: an event is below branch level); the potential is an estimate
    and always drawn.

    On a phone (``narrow_svg``, 4 in) the latest 4 events, laid out as on the page: each
    gets about the room one of 8 gets there, so its label and its values read the same; the
    note ("4 kegiatan terbaru dari 11") goes under the events' labels.

    A unit without events gets a one-line Chart saying so (never ``None``)."""
    lang = check_lang(lang)
    year = unit.period.year
    events = unit.outreach.sort_values(["held_on", "event_id"])
    total = len(events)
    events = events.tail(MAX_EVENTS)
    title = word("chart_funnel", lang, year=year)
    with chart_style():
        if events.empty:
            return _no_events(title, word("no_events", lang, year=year))

        n = len(events)
        places = _places(unit)

        def labels(shown: pd.DataFrame, room: float) -> list[str]:
            return event_labels(shown, lang, room, offices=unit.kind != "branch", places=places)

        counts = _Counts.of(events, lang)
        plan = _plan(events, counts, FULL[0], labels, lang)
        fig = Figure(figsize=plan.size)
        ax = place_axes(fig, **plan.box)
        scale, fit = _fit(ax, counts, plan, lang)
        x = np.arange(n)
        bars = [
            ax.bar(x + off, counts.drawn[col], GROUP / len(STAGES) * BAR, color=colour)
            for off, (col, _, colour) in zip(OFFSETS, STAGES, strict=True)
        ]
        _write_values(ax, counts, x, fit)
        _finish(ax, plan, scale, x, lang)
        if total > n:
            label_at(
                ax,
                word("more_events", lang, n=n, total=total),
                (1.0, 1.0),
                (0, LIFT + 2),
                ha="right",
                color=PALETTE["muted"],
                xycoords="axes fraction",
            )
        put_title(ax, title, legend=True)

        def narrow(fig: Figure) -> None:
            # the latest events only, on the same bars: the earlier ones are hidden, the
            # values and the note written again for the new room
            k = min(n, NARROW_EVENTS)
            shown, first = counts.tail(k), n - k
            lines = narrow_title(title)
            note = word("more_events", lang, n=k, total=total) if total > k else ""
            plan = _plan(
                events.tail(k),
                shown,
                NARROW,
                labels,
                lang,
                title_lines=lines.count("\n") + 1,
                foot=NOTE_SIZE * LINE + 2 if note else 0.0,
            )
            fig.set_size_inches(plan.size)
            ax.set_position(axes_box(fig, **plan.box))
            scale, fit = _fit(ax, shown, plan, lang)
            for container in bars:
                for patch in container.patches[:first]:
                    patch.set_visible(False)
            for text in list(ax.texts):
                text.remove()
            _write_values(ax, shown, x[first:], fit)
            _finish(ax, plan, scale, x[first:], lang)
            # no x axis label: matplotlib need not measure the events' labels to place it
            no_axis_labels(ax, y=False)
            if note:
                below = 3.5 + plan.box["xlines"] * FONT_SIZE * LINE + 2
                label_at(
                    ax,
                    note,
                    (flush_left(ax), 0.0),
                    (0, -below),
                    ha="left",
                    va="top",
                    color=PALETTE["muted"],
                    xycoords="axes fraction",
                )
            put_title(ax, lines, legend=True, over=0.0)

        return render(fig, "funnel", title, narrow)


def _no_events(title: str, sentence: str) -> Chart:
    """The funnel of a year without events: its title over one sentence."""
    fig = Figure(figsize=(FULL[0], 0.75))
    ax = place_axes(fig, head=head_room(), xlines=0)
    ax.set_axis_off()
    ax.text(
        0.0, 0.5, sentence, transform=ax.transAxes, ha="left", va="center", color=PALETTE["muted"]
    )
    put_title(ax, title)

    def narrow(fig: Figure) -> None:
        lines = narrow_title(title)
        head = head_room(title_lines=lines.count("\n") + 1)
        fig.set_size_inches(NARROW, 0.75 + (head - head_room()) / 72)
        ax.set_position(axes_box(fig, head=head, xlines=0))
        put_title(ax, lines)

    return render(fig, "funnel", title, narrow)


@dataclass(frozen=True)
class _Counts:
    """The events' counts stage by stage: ``values`` as counted, ``hidden`` where a count
    under 5 is marked rather than drawn, ``texts`` the values as written, all stage after
    stage (the order the bars are drawn in)."""

    values: dict[str, np.ndarray]
    hidden: dict[str, np.ndarray]
    texts: list[str]

    @classmethod
    def of(cls, events: pd.DataFrame, lang: Lang) -> _Counts:
        values = {
            col: np.array([0.0 if math.isnan(v := num(x)) else v for x in events[col]])
            for col, _, _ in STAGES
        }
        hidden = {
            col: (v < THRESHOLD) if col != "potential" else np.zeros(len(events), bool)
            for col, v in values.items()
        }
        texts = [
            SMALL if h else formats.number(v, lang)
            for col, _, _ in STAGES
            for v, h in zip(values[col], hidden[col], strict=True)
        ]
        return cls(values, hidden, texts)

    def __len__(self) -> int:
        return len(self.values["potential"])

    def tail(self, k: int) -> _Counts:
        """The counts of the last ``k`` events."""
        n = len(self)
        keep = [j * n + i for j in range(len(STAGES)) for i in range(n - k, n)]
        return _Counts(
            {col: v[n - k :] for col, v in self.values.items()},
            {col: h[n - k :] for col, h in self.hidden.items()},
            [self.texts[i] for i in keep],
        )

    @property
    def drawn(self) -> dict[str, np.ndarray]:
        """The bars' heights: the counts, 0 where hidden."""
        return {col: np.where(self.hidden[col], 0.0, v) for col, v in self.values.items()}

    @property
    def heights(self) -> np.ndarray:
        return np.concatenate([self.drawn[col] for col, _, _ in STAGES])

    @property
    def colours(self) -> list[str]:
        return [colour for _, _, colour in STAGES for _ in range(len(self))]

    @property
    def peak(self) -> float:
        return max(float(v.max()) for v in self.drawn.values())


@dataclass(frozen=True)
class _Plan:
    """The funnel laid out for a width: the y axis before the values are fitted, the
    events' labels, the figure's size (inches), where the plot goes (:func:`axes_box`'s
    keywords) and the room of one event's slot (points)."""

    scale: Scale
    labels: list[str]
    size: tuple[float, float]
    box: dict[str, Any]
    slot: float


def _plan(
    events: pd.DataFrame,
    counts: _Counts,
    width: float,
    labels: Callable[[pd.DataFrame, float], list[str]],
    lang: Lang,
    title_lines: int = 1,
    foot: float = 0.0,
) -> _Plan:
    """Lay the ``events`` out ``width`` inches wide, as many slots as events (3 at least:
    few events keep their bar width, centred)."""
    scale = count_scale(counts.peak, lang)
    # the plot's width depends on the y tick labels only, which the headroom added later
    # for the values does not change: the events' room is known before drawing
    slot = (width * 72 - left_room(scale.labels, ylabel=True) - RIGHT) / max(len(events), 3)
    said = labels(events, slot - 4)
    xlines = max(label.count("\n") + 1 for label in said)
    # the plot keeps its height: the figure grows by the lines beyond two, the title's
    # lines beyond one and the foot
    extra = max(xlines - 2, 0) * FONT_SIZE * LINE + (title_lines - 1) * TITLE_H + foot
    head = head_room(legend=True, title_lines=title_lines)
    box = {
        "yticks": scale.labels,
        "ylabel": True,
        "head": head,
        "xlines": xlines,
        "foot": foot,
        "right": RIGHT,
    }
    return _Plan(scale, said, (width, FULL[1] + extra / 72), box, slot)


def _fit(ax: Axes, counts: _Counts, plan: _Plan, lang: Lang) -> tuple[Scale, Fit]:
    """The y axis and where the values go, for the plot as placed."""
    plot_h = ax.bbox.height * 72 / ax.figure.dpi
    pitch = GROUP / len(STAGES) * plan.slot
    scale = plan.scale
    fit = fit_values(counts.heights, counts.texts, scale.top, plot_h, pitch)
    if fit.top > scale.top:
        scale = count_scale(counts.peak, lang, headroom=fit.top / counts.peak)
    return scale, fit


def _write_values(ax: Axes, counts: _Counts, x: np.ndarray, fit: Fit) -> None:
    """Each bar's value, inside the bar or beyond its end as ``fit`` says."""
    centres = np.concatenate([x + off for off in OFFSETS])
    for xi, h, text, inside, colour in zip(
        centres, counts.heights, counts.texts, fit.inside, counts.colours, strict=True
    ):
        label_at(
            ax,
            text,
            (xi, h),
            (0, -GAP if inside else GAP),
            va="top" if inside else "bottom",
            size=VALUE_SIZE,
            color="white" if inside and _dark(to_rgb(colour)) else TEXT,
            rotation=90 if fit.upright else 0,
        )


def _finish(ax: Axes, plan: _Plan, scale: Scale, x: np.ndarray, lang: Lang) -> None:
    """The axes, the events' labels, the visible slots and the legend."""
    scale.apply(ax)
    ax.set_ylabel(word("members", lang))
    ax.set_xticks(x, plan.labels)
    ax.tick_params(axis="x", labelsize=EVENT_SIZE)
    side = (max(len(x), 3) - len(x)) / 2
    ax.set_xlim(x[0] - 0.5 - side, x[-1] + 0.5 + side)
    legend_above(ax, [swatch(c) for _, _, c in STAGES], [word(k, lang) for _, k, _ in STAGES])


def _places(unit: Unit) -> dict[str, str]:
    """Branch code → office name, for every branch whose events the unit may show."""
    places = {unit.code: unit.name}
    if {"branch_code", "branch_name"} <= set(unit.branches.columns):
        places.update(zip(unit.branches.branch_code, unit.branches.branch_name, strict=True))
    return places
