"""The report's charts: one function per chart, each ``f(unit, lang="id") -> Chart``.

A :class:`Chart` holds inline-ready SVG (no XML prolog, text kept as text so it stays
selectable and searchable in the PDF) and shows itself in Jupyter. Charts are drawn with
matplotlib's object API, not pyplot, so rendering never leaves an open figure behind and never
touches the analyst's own figures; the style of :mod:`bpu_reports.report.style` applies only
while a chart renders. Output is deterministic: the same unit gives the same SVG string.

Plot areas are placed from measured label widths rather than by a layout engine: twice as
fast (a national run draws thousands of charts) and the axes of stacked charts line up.

Every chart copes with an all-zero unit (a window that starts before the data), a branch
without outreach events and undefined rates (no active members). Nothing here returns
``None``: ``funnel`` of a unit without events is a one-line Chart saying so.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from babel.dates import format_date
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.textpath import text_to_path
from matplotlib.ticker import MaxNLocator

from bpu_reports.metrics.privacy import SMALL, THRESHOLD
from bpu_reports.metrics.views import Unit
from bpu_reports.period import Period
from bpu_reports.report import formats
from bpu_reports.report.formats import LOCALES, Lang
from bpu_reports.report.style import (
    FONT,
    FONT_SIZE,
    FULL,
    HALF,
    HEATMAP,
    NOTE_SIZE,
    PALETTE,
    SEQUENTIAL,
    TEXT,
    TITLE_SIZE,
    chart_style,
)

__all__ = [
    "CHARTS",
    "Chart",
    "ageing",
    "cohorts",
    "collections",
    "funnel",
    "membership",
    "on_time",
    "prepayment",
    "small_multiples",
    "target",
]

TEXTS: dict[str, dict[str, str]] = {
    "membership": {"id": "Status kepesertaan", "en": "Membership status"},
    "active": {"id": "Aktif", "en": "Active"},
    "in_arrears": {"id": "Menunggak", "en": "In arrears"},
    "inactive": {"id": "Nonaktif", "en": "Non-active"},
    "members": {"id": "Peserta", "en": "Members"},
    "target": {"id": "Terdaftar vs target {year}", "en": "Registered vs {year} target"},
    "registered": {"id": "Terdaftar", "en": "Registered"},
    "projection": {"id": "Proyeksi", "en": "Projection"},
    "target_line": {"id": "Target {n}", "en": "Target {n}"},
    "short": {
        "id": "Proyeksi Des: {p}, kurang {gap} dari target",
        "en": "Projected Dec: {p}, {gap} short of target",
    },
    "needs": {
        "id": "Perlu +{n}/bulan; laju kini {pace}/bulan",
        "en": "Needs +{n} a month; current pace {pace}",
    },
    "year_end": {"id": "Akhir tahun: {p}", "en": "Year end: {p}"},
    "short_by": {"id": "kurang {gap} dari target", "en": "{gap} short of target"},
    "reached": {"id": "target tercapai", "en": "target reached"},
    "on_track": {
        "id": "Proyeksi Des: {p}, target tercapai",
        "en": "Projected Dec: {p}, target reached",
    },
    "no_target": {"id": "Target belum ditetapkan", "en": "No target set"},
    "on_time": {"id": "Pembayaran tepat waktu", "en": "On-time payments"},
    "of_active": {"id": "% peserta aktif", "en": "% of active members"},
    "ageing": {"id": "Umur tunggakan", "en": "Arrears ageing"},
    "months_behind": {"id": "Bulan tertunggak", "en": "Months behind"},
    "collectable": {"id": "Masih dapat ditagih", "en": "Still collectable"},
    "lapsed": {"id": "Nonaktif", "en": "Non-active"},
    "collections": {"id": "Iuran terkumpul per program", "en": "Contributions by programme"},
    "prepayment": {"id": "Pembayaran per jumlah bulan", "en": "Payments by months covered"},
    "months_n": {"id": "{n} bln", "en": "{n} mo"},
    "other": {"id": "Lainnya", "en": "Other"},
    "funnel": {
        "id": "Sosialisasi {year}: dari potensi sampai aktif",
        "en": "Outreach {year}: from potential to active",
    },
    "potential": {"id": "Potensi", "en": "Potential"},
    "registered_event": {"id": "Mendaftar", "en": "Registered"},
    "paid": {"id": "Sudah bayar", "en": "Paid"},
    "active_now": {"id": "Aktif kini", "en": "Active now"},
    "no_events": {"id": "Tidak ada sosialisasi pada {year}", "en": "No outreach events in {year}"},
    "more_events": {
        "id": "{n} kegiatan terbaru dari {total}",
        "en": "latest {n} of {total} events",
    },
    "cohorts": {
        "id": "Retensi kohort: porsi peserta aktif k bulan setelah mendaftar",
        "en": "Cohort retention: share active k months after registering",
    },
    "months_since": {"id": "Bulan setelah mendaftar (k)", "en": "Months since registration (k)"},
    "small_cohort": {
        "id": "Abu-abu: kohort di bawah 5 peserta, tidak ditampilkan",
        "en": "Grey: cohorts under 5 members, not shown",
    },
    "small_multiples": {"id": "Peserta aktif per kantor cabang", "en": "Active members by branch"},
    "scale_1": {"id": "Rp", "en": "Rp"},
    "scale_1e3": {"id": "Rp ribu", "en": "Rp thousand"},
    "scale_1e6": {"id": "Rp juta", "en": "Rp million"},
    "scale_1e9": {"id": "Rp miliar", "en": "Rp billion"},
    "scale_1e12": {"id": "Rp triliun", "en": "Rp trillion"},
}

PROGRAMMES = ("JKK", "JKM", "JHT")
STATUSES = ("active", "in_arrears", "inactive")
MIX = (("mix_1", 1), ("mix_3", 3), ("mix_6", 6), ("mix_12", 12), ("mix_other", None))
BUCKETS = ("1", "2", "3", "4-6", "7-12", ">12")
MAX_EVENTS = 8
DASH = (0, (3, 2))
LABEL_SIZE = NOTE_SIZE - 0.5  # values over narrow bars

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


# --------------------------------------------------------------------------- words, numbers


def _t(key: str, lang: Lang, **fields: Any) -> str:
    text = TEXTS[key][lang]
    return text.format(**fields) if fields else text


def _check(lang: str) -> Lang:
    if lang not in LOCALES:
        raise ValueError(f"unknown language {lang!r}: use 'id' or 'en'")
    return lang  # type: ignore[return-value]


def _num(value: Any) -> float:
    """A float; NaN for missing values (None, pd.NA, NaN)."""
    try:
        return float("nan") if value is None or pd.isna(value) else float(value)
    except (TypeError, ValueError):
        return float("nan")


def _month_ticks(periods: Sequence[str], lang: Lang, step: int = 1) -> tuple[list[int], list[str]]:
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


# --------------------------------------------------------------------------- scales


@dataclass(frozen=True)
class _Scale:
    top: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]
    unit: str = ""

    def apply(self, ax: Axes) -> None:
        ax.set_ylim(0, self.top)
        ax.set_yticks(self.ticks, self.labels)


def _nice(value: float, integer: bool, nbins: int = 4) -> list[float]:
    """Ticks from 0 that reach ``value``."""
    value = value if math.isfinite(value) and value > 0 else 0.0
    if value == 0:
        return [0.0, 1.0] if integer else [0.0, 0.5, 1.0]
    locator = MaxNLocator(nbins=nbins, integer=integer, steps=[1, 2, 2.5, 5, 10])
    return [float(v) for v in locator.tick_values(0, value) if v >= 0]


def _counts(peak: float, lang: Lang, headroom: float = 1.0, nbins: int = 4) -> _Scale:
    """Member counts from 0, with room above ``peak`` for value labels."""
    peak = peak if math.isfinite(peak) and peak > 0 else 0.0
    ticks = _nice(peak, integer=True, nbins=nbins)
    top = max(ticks[-1], peak * headroom)
    return _Scale(top, tuple(ticks), tuple(formats.number(v, lang) for v in ticks))


def _percents(lang: Lang) -> _Scale:
    ticks = (0.0, 0.25, 0.5, 0.75, 1.0)
    return _Scale(1.0, ticks, tuple(formats.percent(v, lang, 0) for v in ticks))


def _rupiah(peak: float, lang: Lang, headroom: float = 1.0) -> _Scale:
    """Rupiah in ribu / juta / miliar / triliun; ``unit`` names the scale for the axis."""
    peak = peak if math.isfinite(peak) and peak > 0 else 0.0
    scale = next((s for s in (1e12, 1e9, 1e6, 1e3) if peak >= s), 1.0)
    ticks = _nice(peak / scale, integer=False)
    step = ticks[1] - ticks[0]
    digits = 0 if step >= 1 else (1 if step >= 0.1 else 2)
    top = max(ticks[-1], peak * headroom / scale) * scale
    names = {1e12: "scale_1e12", 1e9: "scale_1e9", 1e6: "scale_1e6", 1e3: "scale_1e3"}
    return _Scale(
        top,
        tuple(v * scale for v in ticks),
        tuple(formats.number(v, lang, digits) for v in ticks),
        _t(names.get(scale, "scale_1"), lang),
    )


# --------------------------------------------------------------------------- layout

_PAD = 4.0  # points around the figure edge
_LINE = 1.25  # line height, in font sizes
LEGEND_ROW = 20.0  # points a one-row legend takes between the plot and the title
TITLE_H = TITLE_SIZE * _LINE


@cache
def _font(size: float, bold: bool = False) -> FontProperties:
    return FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")


@cache
def _width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of ``text`` in points (the widest line)."""
    widths = [
        text_to_path.get_text_width_height_descent(line, _font(size, bold), ismath=False)[0]
        for line in text.split("\n")
    ]
    return max(widths, default=0.0)


def _axes(
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
    fw, fh = (v * 72 for v in fig.get_size_inches())
    left = _left(yticks, ylabel)
    bottom = _PAD + 3.5 + xlines * FONT_SIZE * _LINE + foot
    top = _PAD + head
    return fig.add_axes((left / fw, bottom / fh, 1 - (left + right) / fw, 1 - (top + bottom) / fh))


def _left(yticks: Sequence[str], ylabel: bool = False) -> float:
    """Points left of the plot for these y tick labels (and a y axis label)."""
    left = _PAD + max((_width(s) for s in yticks), default=0.0) + 3.5
    return left + (FONT_SIZE * _LINE + 3 if ylabel else 0.0)


def _wrap(lines: Sequence[str], room: float, size: float, bold: bool = False) -> list[str]:
    """Break lines too wide for ``room`` points after their first comma or semicolon."""
    out: list[str] = []
    for line in lines:
        if _width(line, size, bold) <= room * 0.95:  # renderers differ a little
            out.append(line)
            continue
        cut = min((i for i in (line.find(", "), line.find("; ")) if i > 0), default=-1)
        out.extend([line[: cut + 1], line[cut + 2 :]] if cut > 0 else [line])
    return out


_LIFT = 6.5  # points between the plot and a legend above it, clear of the top tick label
TITLE_PAD = 9.0  # points between the title and the plot (or its legend row)


def _head(legend: bool = False) -> float:
    return TITLE_PAD + TITLE_H + (LEGEND_ROW if legend else 0)


def _flush_left(ax: Axes) -> float:
    """The figure's left text edge in the axes' x coordinates: titles, legends and notes
    start there, so they line up across charts whatever the width of the tick labels."""
    box = ax.get_position()
    return (_PAD / _size_pts(ax)[0] - box.x0) / box.width


def _size_pts(ax: Axes) -> tuple[float, float]:
    """The figure's width and height in points."""
    fig = ax.get_figure()
    assert fig is not None
    return fig.bbox.width * 72 / fig.dpi, fig.bbox.height * 72 / fig.dpi


def _title(ax: Axes, text: str, legend: bool = False) -> None:
    pad = TITLE_PAD + (LEGEND_ROW if legend else 0)
    ax.set_title(text, pad=pad, x=_flush_left(ax), ha="left")


def _legend_above(ax: Axes, handles: Sequence[Any], labels: Sequence[str]) -> None:
    lift = _LIFT / (ax.get_position().height * _size_pts(ax)[1])
    ax.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(_flush_left(ax), 1.0 + lift),
        ncols=len(labels),
        borderaxespad=0.0,
        borderpad=0.2,
        handlelength=0.9,
        columnspacing=1.0,
    )


def _swatch(role: str) -> Patch:
    return Patch(facecolor=PALETTE.get(role, role), edgecolor="none")


def _bar_label(ax: Axes, x: float, y: float, text: str, **kw: Any) -> None:
    style: dict[str, Any] = {"ha": "center", "fontsize": NOTE_SIZE, "color": TEXT, **kw}
    ax.annotate(text, (x, y), xytext=(0, 2), textcoords="offset points", va="bottom", **style)


def _emphasise_last_tick(ax: Axes) -> None:
    labels = ax.get_xticklabels()
    if labels:
        labels[-1].set_fontweight("bold")


def _months_axis(ax: Axes, periods: Sequence[str], lang: Lang, step: int) -> None:
    positions, labels = _month_ticks(periods, lang, step)
    ax.set_xticks(positions, labels)
    ax.set_xlim(-0.6, len(periods) - 0.4)
    _emphasise_last_tick(ax)


def _render(fig: Figure, name: str, title: str) -> Chart:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = _PROLOG.sub("", buf.getvalue(), count=1)
    svg = _METADATA.sub("", svg, count=1)
    # an accessible name, for screen readers and for search in the HTML report
    svg = _SVG_OPEN.sub(lambda m: f"{m.group(0)}\n <title>{escape(title)}</title>", svg, count=1)
    return Chart(name=name, title=title, svg=svg.strip() + "\n")


def _trend(unit: Unit) -> pd.DataFrame:
    return unit.trend.sort_values("period").reset_index(drop=True)


def _stack(
    ax: Axes, x: np.ndarray, layers: Sequence[tuple[np.ndarray, str]], width: float = 0.68
) -> np.ndarray:
    bottom = np.zeros(len(x))
    for values, colour in layers:
        ax.bar(x, values, width, bottom=bottom, color=colour)
        bottom = bottom + values
    return bottom


# --------------------------------------------------------------------------- charts


def membership(unit: Unit, lang: Lang = "id") -> Chart:
    """Full width. Registered members at each month-end of the 13-month window, stacked by
    status: active, in arrears (*menunggak*), non-active (*nonaktif*); the report month's
    total is labelled above its bar."""
    lang = _check(lang)
    tr = _trend(unit)
    x = np.arange(len(tr))
    layers = [(tr[s].to_numpy(dtype=float), PALETTE[s]) for s in STATUSES]
    total = sum((v for v, _ in layers), start=np.zeros(len(tr)))
    scale = _counts(float(total.max(initial=0)), lang, headroom=1.1)
    title = _t("membership", lang)
    with chart_style():
        fig = Figure(figsize=FULL)
        ax = _axes(fig, yticks=scale.labels, head=_head(legend=True), xlines=2)
        _stack(ax, x, layers)
        scale.apply(ax)
        if len(tr):
            _bar_label(ax, x[-1], total[-1], formats.number(total[-1], lang), fontweight="bold")
        _months_axis(ax, list(tr.period), lang, step=1)
        _legend_above(ax, [_swatch(s) for s in STATUSES], [_t(s, lang) for s in STATUSES])
        _title(ax, title, legend=True)
        return _render(fig, "membership", title)


def target(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Registered members at each month-end of the report year so far, a dashed
    projection from the report month to December (``summary["projection_december"]``) and
    the year-end target as a red line with its value. A projection short of the target
    shades the gap and says under the chart how far short it falls and the net additions a
    month it would take, against the current pace."""
    lang = _check(lang)
    s = unit.summary
    period = unit.period
    year, m = period.year, period.month - 1  # m: 0 = January
    tr = _trend(unit)
    this_year = tr[tr.period.str.startswith(f"{year}-")]
    months = [int(p[5:7]) - 1 for p in this_year.period]
    registered = this_year.registered.to_numpy(dtype=float)
    now = _num(s.get("registered"))
    if math.isnan(now):
        now = float(registered[-1]) if len(registered) else 0.0
    goal = _num(s.get("target"))
    projected = _num(s.get("projection_december"))
    if math.isnan(projected):
        projected = now
    required = _num(s.get("required_monthly"))
    pace = _num(s.get("avg_net_change_3m"))
    ahead = m < 11  # months left to project

    reg_c, proj_c, goal_c = PALETTE["registered"], PALETTE["projection"], PALETTE["target"]
    note: list[str] = []
    note_c = goal_c
    if not math.isfinite(goal):
        note.append(_t("no_target", lang))
        note_c = PALETTE["muted"]
    elif not ahead:  # December: the year's figure, nothing left to project
        done = projected >= goal
        outcome = (
            _t("reached", lang)
            if done
            else _t("short_by", lang, gap=formats.number(goal - now, lang))
        )
        note.append(f"{_t('year_end', lang, p=formats.number(now, lang))}, {outcome}")
        note_c = PALETTE["accent"] if done else goal_c
    elif projected >= goal:
        note.append(_t("on_track", lang, p=formats.number(projected, lang)))
        note_c = PALETTE["accent"]
    else:
        gap = formats.number(goal - projected, lang)
        note.append(_t("short", lang, p=formats.number(projected, lang), gap=gap))
        if ahead and math.isfinite(required):
            pace_text = formats.signed(pace, lang) if math.isfinite(pace) else formats.MISSING
            note.append(
                _t("needs", lang, n=formats.number(math.ceil(required), lang), pace=pace_text)
            )

    peak = max((v for v in (now, goal, projected, *registered) if math.isfinite(v)), default=0.0)
    scale = _counts(peak, lang, headroom=1.1)
    ticks = [k for k in range(12) if (k - m) % 2 == 0]  # every other month, M among them
    title = _t("target", lang, year=year)
    note = _wrap(note, HALF[0] * 72 - 2 * _PAD, NOTE_SIZE, bold=True)
    with chart_style():
        fig = Figure(figsize=HALF)
        foot = 3 + len(note) * NOTE_SIZE * _LINE
        ax = _axes(fig, yticks=scale.labels, head=_head(legend=True), foot=foot, right=8)
        scale.apply(ax)
        ax.set_xlim(-0.5, 11.5)
        if math.isfinite(goal):
            ax.axhline(goal, color=goal_c, lw=1.2, zorder=1)
            ax.annotate(
                _t("target_line", lang, n=formats.number(goal, lang)),
                (0.01, goal),
                xycoords=("axes fraction", "data"),
                xytext=(0, 2),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=NOTE_SIZE,
                fontweight="bold",
                color=goal_c,
            )
            if ahead and projected < goal:
                ax.fill_between([m, 11], [now, projected], goal, color=goal_c, alpha=0.10, lw=0)
        if ahead:
            ax.plot([m, 11], [now, projected], color=proj_c, linestyle=DASH, lw=1.4)
            ax.plot([11], [projected], marker="o", color=proj_c, clip_on=False)
            up = projected < now  # a falling projection is labelled above its end
            ax.annotate(
                formats.number(projected, lang),
                (11, projected),
                xytext=(0, 5 if up else -5),
                textcoords="offset points",
                ha="center",
                va="bottom" if up else "top",
                fontsize=NOTE_SIZE,
                color=proj_c,
            )
        ax.plot(months, registered, color=reg_c, marker="o")
        ax.annotate(
            formats.number(now, lang),
            (m, now),
            xytext=(0, 5),
            textcoords="offset points",
            ha="right" if m >= 10 else "center",
            va="bottom",
            fontsize=NOTE_SIZE,
            fontweight="bold",
            color=reg_c,
        )
        ax.set_xticks(ticks, [formats.month_abbr(Period(year, k + 1), lang) for k in ticks])
        for label, k in zip(ax.get_xticklabels(), ticks, strict=True):
            if k == m:
                label.set_fontweight("bold")
        ax.set_xlabel(
            "\n".join(note),
            loc="left",
            fontsize=NOTE_SIZE,
            color=note_c,
            linespacing=1.15,
            labelpad=4,
        )
        ax.xaxis.label.set_horizontalalignment("left")
        ax.xaxis.label.set_x(_flush_left(ax))
        ax.xaxis.label.set_fontweight("bold")
        handles = [Line2D([], [], color=reg_c, marker="o")]
        names = [_t("registered", lang)]
        if ahead:
            handles.append(Line2D([], [], color=proj_c, linestyle=DASH, lw=1.4))
            names.append(_t("projection", lang))
        _legend_above(ax, handles, names)
        _title(ax, title, legend=True)
        return _render(fig, "target", title)


def on_time(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Share of active members who paid the month by its due date, over the 13
    months (axis 0–100 %), the report month's value labelled with one decimal. Months
    without active members (undefined rate) are gaps in the line."""
    lang = _check(lang)
    tr = _trend(unit)
    x = np.arange(len(tr))
    rate = pd.to_numeric(tr.on_time_rate, errors="coerce").to_numpy(dtype=float)
    scale = _percents(lang)
    colour = PALETTE["accent"]
    title = _t("on_time", lang)
    last = rate[-1] if len(rate) else float("nan")
    text = formats.percent(last, lang, 1)
    with chart_style():
        fig = Figure(figsize=HALF)
        # the report month's value sits right of the line's end, clear of the line
        right = _width(text, FONT_SIZE, bold=True) + 10
        ax = _axes(fig, yticks=scale.labels, ylabel=True, head=_head(), xlines=2, right=right)
        ax.plot(x, rate, color=colour, marker="o", clip_on=False)
        scale.apply(ax)
        if len(tr):
            ax.annotate(
                text,
                (x[-1], last if math.isfinite(last) else 0.0),
                xytext=(6, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=FONT_SIZE,
                fontweight="bold",
                color=colour,
                annotation_clip=False,
            )
        _months_axis(ax, list(tr.period), lang, step=2)
        ax.set_ylabel(_t("of_active", lang))
        _title(ax, title)
        return _render(fig, "on_time", title)


def ageing(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Registered members by months behind (1, 2, 3, 4–6, 7–12, > 12), each bar
    labelled: 1–3 months (arrears still payable) in the arrears colour, longer (non-active)
    in the non-active grey."""
    lang = _check(lang)
    members = dict(zip(unit.ageing.bucket.astype(str), unit.ageing.members, strict=True))
    counts = [0.0 if math.isnan(v := _num(members.get(b))) else v for b in BUCKETS]
    names = [b.replace("-", "–").replace(">", "> ") for b in BUCKETS]
    colours = [PALETTE["in_arrears"]] * 3 + [PALETTE["inactive"]] * 3
    scale = _counts(max(counts), lang, headroom=1.15)
    title = _t("ageing", lang)
    with chart_style():
        fig = Figure(figsize=HALF)
        foot = FONT_SIZE * _LINE + 2
        ax = _axes(fig, yticks=scale.labels, head=_head(legend=True), foot=foot)
        x = np.arange(len(BUCKETS))
        ax.bar(x, counts, 0.68, color=colours)
        scale.apply(ax)
        for i, v in enumerate(counts):
            _bar_label(ax, x[i], v, formats.number(v, lang))
        ax.set_xticks(x, names)
        ax.set_xlim(-0.6, len(BUCKETS) - 0.4)
        ax.set_xlabel(_t("months_behind", lang), labelpad=3)
        _legend_above(
            ax,
            [_swatch("in_arrears"), _swatch("inactive")],
            [f"{_t('collectable', lang)} (1–3)", f"{_t('lapsed', lang)} (> 3)"],
        )
        _title(ax, title, legend=True)
        return _render(fig, "ageing", title)


def collections(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Contributions collected in each month (by payment date), stacked JKK /
    JKM / JHT, on a rupiah axis in ribu / juta / miliar; the report month's total labelled."""
    lang = _check(lang)
    tr = _trend(unit)
    x = np.arange(len(tr))
    layers = [(tr[f"collected_{p.lower()}"].to_numpy(dtype=float), PALETTE[p]) for p in PROGRAMMES]
    total = sum((v for v, _ in layers), start=np.zeros(len(tr)))
    scale = _rupiah(float(total.max(initial=0)), lang, headroom=1.12)
    title = _t("collections", lang)
    with chart_style():
        fig = Figure(figsize=HALF)
        ax = _axes(fig, yticks=scale.labels, ylabel=True, head=_head(legend=True), xlines=2)
        _stack(ax, x, layers)
        scale.apply(ax)
        ax.set_ylabel(scale.unit)
        if len(tr):
            _bar_label(ax, x[-1] + 0.35, total[-1], formats.rupiah(total[-1], lang), ha="right")
        _months_axis(ax, list(tr.period), lang, step=2)
        _legend_above(ax, [_swatch(p) for p in PROGRAMMES], list(PROGRAMMES))
        _title(ax, title, legend=True)
        return _render(fig, "collections", title)


def prepayment(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Each month's payments split by the months they cover (1 / 3 / 6 / 12 /
    other) as 100 % stacked bars over the 13 months, so prepayment drives (a group paying
    6 months at once) stand out; the legend on the right follows the stack. Months without
    payments stay empty."""
    lang = _check(lang)
    tr = _trend(unit)
    x = np.arange(len(tr))
    counts = [tr[c].to_numpy(dtype=float) for c, _ in MIX]
    total = sum(counts, start=np.zeros(len(tr)))
    safe = np.where(total > 0, total, 1.0)
    colours = [*SEQUENTIAL, PALETTE["muted"]]
    names = [_t("months_n", lang, n=n) if n else _t("other", lang) for _, n in MIX]
    scale = _percents(lang)
    legend_w = max(_width(n) for n in names) + FONT_SIZE * 2.2
    title = _t("prepayment", lang)
    with chart_style():
        fig = Figure(figsize=HALF)
        ax = _axes(fig, yticks=scale.labels, head=_head(), xlines=2, right=legend_w + 6)
        _stack(ax, x, [(c / safe, colour) for c, colour in zip(counts, colours, strict=True)])
        scale.apply(ax)
        _months_axis(ax, list(tr.period), lang, step=2)
        ax.legend(
            [_swatch(c) for c in colours[::-1]],
            names[::-1],
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            borderaxespad=0.4,
            borderpad=0.2,
            handlelength=0.9,
        )
        _title(ax, title)
        return _render(fig, "prepayment", title)


def _event_label(row: Any, lang: Lang, region: bool, room: float) -> str:
    """``30 Jul`` (``DPS · 30 Jul`` in a region) over the venue cut to ``room`` points."""
    held = row.held_on if isinstance(row.held_on, dt.date) else pd.Timestamp(row.held_on).date()
    when = format_date(held, "d MMM", locale=LOCALES[lang])
    if region:
        when = f"{row.branch_code} · {when}"
    venue = str(row.venue if isinstance(row.venue, str) and row.venue else row.title)
    if _width(venue, NOTE_SIZE) > room:
        while len(venue) > 1 and _width(venue + "…", NOTE_SIZE) > room:
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
    lang = _check(lang)
    year = unit.period.year
    events = unit.outreach.sort_values(["held_on", "event_id"], ascending=False)
    total = len(events)
    events = events.head(MAX_EVENTS)
    title = _t("funnel", lang, year=year)
    stages = (
        ("potential", "potential", PALETTE["inactive"]),
        ("registered", "registered_event", SEQUENTIAL[1]),
        ("paid", "paid", SEQUENTIAL[2]),
        ("active_now", "active_now", SEQUENTIAL[3]),
    )
    with chart_style():
        if events.empty:
            fig = Figure(figsize=(FULL[0], 0.75))
            ax = _axes(fig, head=_head(), xlines=0)
            ax.set_axis_off()
            ax.text(
                0.0,
                0.5,
                _t("no_events", lang, year=year),
                transform=ax.transAxes,
                ha="left",
                va="center",
                color=PALETTE["muted"],
            )
            _title(ax, title)
            return _render(fig, "funnel", title)

        n = len(events)
        values = {
            col: np.array([0.0 if math.isnan(v := _num(x)) else v for x in events[col]])
            for col, _, _ in stages
        }
        hidden = {
            col: (v < THRESHOLD) if col != "potential" else np.zeros(n, bool)
            for col, v in values.items()
        }
        drawn = {col: np.where(hidden[col], 0.0, v) for col, v in values.items()}
        scale_peak = max(float(v.max()) for v in drawn.values())
        scale = _counts(scale_peak, lang, headroom=1.12)
        fig = Figure(figsize=FULL)
        ax = _axes(fig, yticks=scale.labels, ylabel=True, head=_head(legend=True), xlines=2)
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
        fits = all(_width(t, LABEL_SIZE) <= width * slot_pts for ts in texts.values() for t in ts)
        if not fits:
            room = max(_width(t, LABEL_SIZE) for ts in texts.values() for t in ts) + 4
            scale = _counts(scale_peak, lang, headroom=1 + room / (ax.bbox.height * 72 / fig.dpi))
        for j, (col, key, colour) in enumerate(stages):
            xs = x + (j - (len(stages) - 1) / 2) * width
            ax.bar(xs, drawn[col], width * 0.92, color=colour, label=_t(key, lang))
            for xi, v, text in zip(xs, drawn[col], texts[col], strict=True):
                _bar_label(ax, xi, v, text, fontsize=LABEL_SIZE, rotation=0 if fits else 90)
        scale.apply(ax)
        ax.set_ylabel(_t("members", lang))
        region = unit.kind == "region"
        room = slot_pts - 4
        ax.set_xticks(x, [_event_label(r, lang, region, room) for r in events.itertuples()])
        ax.tick_params(axis="x", labelsize=NOTE_SIZE)
        side = (slots - n) / 2
        ax.set_xlim(-0.5 - side, n - 0.5 + side)
        _legend_above(ax, [_swatch(c) for _, _, c in stages], [_t(k, lang) for _, k, _ in stages])
        if total > n:
            ax.annotate(
                _t("more_events", lang, n=n, total=total),
                (1.0, 1.0),
                xycoords="axes fraction",
                xytext=(0, _LIFT + 2),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=NOTE_SIZE,
                color=PALETTE["muted"],
            )
        _title(ax, title, legend=True)
        return _render(fig, "funnel", title)


_GREY = ListedColormap([PALETTE["light"]])


def _dark(rgba: Sequence[float]) -> bool:
    """Whether white text reads better than dark text on this colour."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] < 0.23


def cohorts(unit: Unit, lang: Lang = "id") -> Chart:
    """Full width. Cohort retention heatmap: one row per registration month M−12 … M−1
    (oldest on top, cohort size in brackets), one column per month since registration
    (k = 1…12), each cell the share of the cohort active then, in percent. Cells of cohorts
    under 5 members are grey and unlabelled (privacy); months after the report month stay
    blank, which leaves the lower-right triangle empty."""
    lang = _check(lang)
    rows = [str(unit.period.shift(-k)) for k in range(12, 0, -1)]
    row_of = {c: i for i, c in enumerate(rows)}
    share = np.full((12, 12), np.nan)
    small = np.zeros((12, 12), dtype=bool)
    sizes = np.zeros(12)
    for rec in unit.cohorts.itertuples():
        i = row_of.get(str(rec.cohort))
        k = int(_num(rec.months_since))
        if i is None or not 1 <= k <= 12:
            continue
        size = _num(rec.cohort_size)
        sizes[i] = max(sizes[i], size)
        if size < THRESHOLD:
            small[i, k - 1] = True
        else:
            share[i, k - 1] = _num(rec.share)
    labels = []
    for c, size in zip(rows, sizes, strict=True):
        n = formats.number(size, lang) if size == 0 or size >= THRESHOLD else SMALL
        labels.append(f"{formats.month(c, lang, short=True)} ({n})")
    title = _t("cohorts", lang)
    head = _head() + FONT_SIZE * _LINE * 2 + 6  # top tick labels and the axis label
    with chart_style():
        fig = Figure(figsize=(FULL[0], 3.2))
        foot = NOTE_SIZE * _LINE + 2 if small.any() else 0.0
        ax = _axes(fig, yticks=labels, head=head, xlines=0, foot=foot)
        ax.grid(False)
        ax.spines[:].set_visible(False)
        edges_x, edges_y = np.arange(0.5, 13.5), np.arange(-0.5, 12.5)
        cells: dict[str, Any] = {"edgecolors": "white", "linewidth": 1.0, "vmin": 0, "vmax": 1}
        ax.pcolormesh(edges_x, edges_y, np.ma.masked_invalid(share), cmap=HEATMAP, **cells)
        ax.pcolormesh(edges_x, edges_y, np.ma.masked_where(~small, small), cmap=_GREY, **cells)
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
        ax.set_xlabel(_t("months_since", lang), labelpad=4)
        if small.any():
            ax.text(
                0.0,
                -0.02,
                _t("small_cohort", lang),
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=NOTE_SIZE,
                color=PALETTE["muted"],
            )
        _title(ax, title)
        return _render(fig, "cohorts", title)


def small_multiples(unit: Unit, lang: Lang = "id") -> Chart:
    """Full width, for region reports: one small panel per branch with its active members
    over the 13 months (own y scale from 0, so small pioneer branches stay readable), the
    branch code as panel title and the report month's value at the top right. Panels follow
    the region's ranking (most active first), 4 per row up to 12 branches (8 branches take
    ≈ 2.8 in, under half a page), 6 per row beyond.

    A branch unit (no ``branch_trend``) gets a single panel of its own trend."""
    lang = _check(lang)
    if unit.branch_trend.empty:
        series = {unit.code: _trend(unit)}
    else:
        bt = unit.branch_trend.sort_values(["branch_code", "period"])
        order = _branch_order(unit, list(dict.fromkeys(bt.branch_code)))
        series = {code: bt[bt.branch_code == code].reset_index(drop=True) for code in order}
    n = len(series)
    ncols = min(4 if n <= 12 else 6, n)
    nrows = math.ceil(n / ncols)
    scales = {
        code: _counts(float(tr.active.max()) if len(tr) else 0.0, lang, headroom=1.05, nbins=2)
        for code, tr in series.items()
    }
    title = _t("small_multiples", lang)
    with chart_style():
        fig = Figure(figsize=(FULL[0], 0.4 + 1.1 * nrows))
        fw, fh = (v * 72 for v in fig.get_size_inches())
        tick_w = max(_width(s, NOTE_SIZE) for sc in scales.values() for s in sc.labels) + 3.5
        gap = 10.0  # points between panels, besides the next panel's tick labels
        head, panel_head, panel_foot = 6 + TITLE_H, NOTE_SIZE * _LINE + 5, NOTE_SIZE * _LINE + 5
        cell_w = (fw - 2 * _PAD - gap * (ncols - 1)) / ncols
        cell_h = (fh - 2 * _PAD - head) / nrows
        colour = PALETTE["active"]
        fig.text(
            _PAD / fw,
            1 - _PAD / fh,
            title,
            ha="left",
            va="top",
            fontsize=TITLE_SIZE,
            fontweight="bold",
        )
        for idx, (code, tr) in enumerate(series.items()):
            r, c = divmod(idx, ncols)
            left = _PAD + c * (cell_w + gap) + tick_w
            top = _PAD + head + r * cell_h + panel_head
            width, height = cell_w - tick_w - 4, cell_h - panel_head - panel_foot
            ax = fig.add_axes((left / fw, 1 - (top + height) / fh, width / fw, height / fh))
            values = tr.active.to_numpy(dtype=float)
            x = np.arange(len(values))
            ax.fill_between(x, values, color=colour, alpha=0.12, lw=0)
            ax.plot(x, values, color=colour, lw=1.3)
            scales[code].apply(ax)
            ax.tick_params(labelsize=NOTE_SIZE)
            ax.set_xlim(0, max(len(values) - 1, 1))
            ax.set_title(code, fontsize=FONT_SIZE, fontweight="bold", pad=3, loc="left")
            if len(values):
                ax.plot([x[-1]], [values[-1]], marker="o", color=colour, ms=3, clip_on=False)
                ax.set_title(
                    formats.number(values[-1], lang),
                    fontsize=FONT_SIZE,
                    fontweight="bold",
                    pad=3,
                    loc="right",
                    color=colour,
                )
                ends = [0, len(values) - 1]
                ax.set_xticks(
                    ends, [formats.month(str(tr.period.iloc[i]), lang, short=True) for i in ends]
                )
                first, last = ax.get_xticklabels()
                first.set_horizontalalignment("left")
                last.set_horizontalalignment("right")
        return _render(fig, "small_multiples", title)


def _branch_order(unit: Unit, codes: list[str]) -> list[str]:
    ranked = unit.branches
    if ranked.empty or "branch_code" not in ranked:
        return codes
    if "rank_active" in ranked:
        ranked = ranked.sort_values(["rank_active", "branch_code"])
    first = [c for c in ranked.branch_code if c in codes]
    return first + [c for c in codes if c not in first]


CHARTS = {
    f.__name__: f
    for f in (
        membership,
        target,
        on_time,
        ageing,
        collections,
        prepayment,
        funnel,
        cohorts,
        small_multiples,
    )
}
"""Every chart function by name, in report order."""
