"""The outreach funnel (*sosialisasi*): from potential to active, event by event, in the
order the events were held.

Each event is labelled by its date over its venue, shortened only as far as the room under
its bars asks (:func:`event_labels`), so that two events never read the same. Each bar's
value is written inside the bar when it fits there, else just beyond its end, with the axis
raised until every value written outside fits under the top (:func:`fit_values`).

The narrow drawing for phones (4 in) shows the latest 4 events: the same bars, labelled and
valued again by the same two functions for the room each event has there."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from babel.dates import format_date
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from bpu_reports.metrics.privacy import SMALL, THRESHOLD
from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats
from bpu_reports.report.charts.base import Chart, render
from bpu_reports.report.charts.layout import (
    LIFT,
    LINE,
    TITLE_H,
    axes_box,
    flush_left,
    font_props,
    head_room,
    label_at,
    left_room,
    legend_above,
    narrow_title,
    no_axis_labels,
    place_axes,
    put_title,
    swatch,
    text_width,
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
from bpu_reports.report.words import Lang, check_lang, locale, word

MAX_EVENTS = 8
NARROW_EVENTS = 4  # on a phone: each with about the room one of 8 has on the page
VALUE_SIZE = FONT_SIZE  # the bars' values: as large as the tick labels, never smaller
EVENT_SIZE = NOTE_SIZE  # the events' labels under their bars
VENUE_LINES = 2  # lines a venue may take under its date
INITIALS = 2  # leading words of a venue that may be cut to initials; more read as a code
GROUP = 0.88  # share of an event's slot its four bars take
BAR = 0.92  # share of a bar's pitch the bar takes
GAP = 2.0  # points between a value and the end of its bar, and between neighbouring values
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


# -- the events' labels ------------------------------------------------------------------------


def event_labels(
    events: pd.DataFrame,
    lang: Lang,
    room: float,
    offices: bool = False,
    places: Mapping[str, str] | None = None,
) -> list[str]:
    """One label per row of ``events``: its date (``30 Jul``; ``DPS · 30 Jul`` when
    ``offices``, in a region or the country) over its venue (the title when there is none)
    in at most two lines of ``room`` points at the event labels' size.

    A venue is shown whole when it fits; else without the name of its own office's town
    (``places``: branch code → office name, "Pasar Induk Denpasar" → "Pasar Induk" in
    KC Bali Denpasar), then with one or two leading words cut to initials ("Balai Pertemuan
    Pasar Kreneng" → "B. P. Pasar Kreneng"), else cut with "…" at the end. Events whose
    labels would still read the same show, after "…", the words that tell their venues
    apart with one shared word before them ("… Kreneng Timur", "… Kreneng Barat"); the same
    venue on the same day is numbered ("12 Mar (1)", "12 Mar (2)")."""
    places = places or {}
    dates = []
    venues = []
    for row in events.itertuples():
        when = format_date(_day(row.held_on), "d MMM", locale=locale(lang))
        dates.append(f"{row.branch_code} · {when}" if offices else when)
        named = (v for v in (row.venue, row.title) if isinstance(v, str) and v.strip())
        venues.append(next(named, "").split())
    towns = [_words(places.get(str(row.branch_code), "")) for row in events.itertuples()]
    shown = [short_venue(v, room, town) for v, town in zip(venues, towns, strict=True)]
    for group in _same(dates, shown):
        words = [venues[i] for i in group]
        if len({tuple(w) for w in words}) == 1:
            continue
        common = max(_common_prefix(words) - 1, 0)  # one shared word for context
        for i in group:
            shown[i] = short_venue(["…", *venues[i][common:]], room)
    for group in _same(dates, shown):
        for k, i in enumerate(group, start=1):
            dates[i] = f"{dates[i]} ({k})"
    return ["\n".join([d, *s]) for d, s in zip(dates, shown, strict=True)]


def short_venue(
    words: Sequence[str], room: float, town: frozenset[str] = frozenset(), lines: int = VENUE_LINES
) -> list[str]:
    """``words`` in at most ``lines`` lines of ``room`` points (see :func:`event_labels`):
    whole, else without trailing ``town`` words, else one or two leading words to initials,
    else cut at the end."""
    words = list(words) or ["—"]
    bare = list(words)
    while len(bare) > 1 and _key(bare[-1]) in town:
        bare.pop()
    candidates = [words, bare] + [
        [_initial(w) for w in bare[:k]] + bare[k:] for k in range(1, min(len(bare), INITIALS + 1))
    ]
    for candidate in candidates:
        if (wrapped := _wrap(candidate, room, lines)) is not None:
            return wrapped
    return _cut(bare, room, lines)


def _wrap(words: Sequence[str], room: float, lines: int) -> list[str] | None:
    """Words filled greedily into lines of ``room`` points; None when they take more than
    ``lines`` lines or one word alone is wider than the room."""
    out: list[str] = []
    for w in words:
        if out and _fits(f"{out[-1]} {w}", room):
            out[-1] = f"{out[-1]} {w}"
        elif _fits(w, room):
            out.append(w)
        else:
            return None
    return out if len(out) <= lines else None


def _cut(words: Sequence[str], room: float, lines: int) -> list[str]:
    """Words filled into ``lines`` lines of ``room`` points, the last line cut with "…"."""
    out: list[str] = []
    rest = list(words)
    while len(rest) > 1 and len(out) < lines - 1:
        line = rest.pop(0)
        if not _fits(line, room):
            rest.insert(0, line)
            break
        while rest and _fits(f"{line} {rest[0]}", room):
            line = f"{line} {rest.pop(0)}"
        out.append(line)
    last = " ".join(rest)
    while len(last) > 1 and not _fits(last, room):
        last = last[:-2].rstrip() + "…"
    return [*out, last]


def _fits(text: str, room: float) -> bool:
    return text_width(text, EVENT_SIZE) <= room


def _initial(word_: str) -> str:
    """``Balai`` → ``B.``; short words, acronyms (``GOR``) and numbers stay as they are."""
    if len(word_) <= 2 or word_.isupper() or not word_[0].isalpha():
        return word_
    return word_[0] + "."


def _key(word_: str) -> str:
    return re.sub(r"\W", "", word_).casefold()


def _words(name: str) -> frozenset[str]:
    return frozenset(_key(w) for w in name.split()) - {""}


def _common_prefix(venues: Sequence[Sequence[str]]) -> int:
    """How many leading words all ``venues`` share."""
    n = 0
    for column in zip(*venues, strict=False):
        if len({_key(w) for w in column}) > 1:
            break
        n += 1
    return n


def _same(dates: Sequence[str], shown: Sequence[Sequence[str]]) -> list[list[int]]:
    """Groups (two or more) of events whose labels read the same, each in drawing order."""
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, (d, s) in enumerate(zip(dates, shown, strict=True)):
        groups[(d, *s)].append(i)
    return [g for g in groups.values() if len(g) > 1]


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else pd.Timestamp(value).date()


def _places(unit: Unit) -> dict[str, str]:
    """Branch code → office name, for every branch whose events the unit may show."""
    places = {unit.code: unit.name}
    if {"branch_code", "branch_name"} <= set(unit.branches.columns):
        places.update(zip(unit.branches.branch_code, unit.branches.branch_name, strict=True))
    return places


# -- the bars' values ------------------------------------------------------------------------


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
