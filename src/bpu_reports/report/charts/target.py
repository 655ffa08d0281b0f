"""The registration target chart: the year so far, the projection to December and how far
short of the target it falls."""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bpu_reports.metrics.views import Unit
from bpu_reports.period import Period
from bpu_reports.report import formats
from bpu_reports.report.charts.base import Chart, render
from bpu_reports.report.charts.layout import (
    LINE,
    PAD,
    flush_left,
    head_room,
    label_at,
    legend_above,
    place_axes,
    put_title,
    wrap_lines,
)
from bpu_reports.report.charts.scales import count_scale, num
from bpu_reports.report.charts.style import (
    HALF,
    NOTE_SIZE,
    PALETTE,
    chart_style,
)
from bpu_reports.report.tidy import trend_of
from bpu_reports.report.words import Lang, check_lang, word

DASH = (0, (3, 2))


def year_ticks(m: int) -> list[int]:
    """The months (0 = January) the target chart labels: every other month counted from the
    report month ``m``, which is always among them, and December, where the projection
    ends (it takes November's place unless November is the report month; then the two
    labels are staggered)."""
    ticks = [k for k in range(12) if (k - m) % 2 == 0]
    if ticks[-1] != 11:
        ticks = [*ticks[:-1], 11] if ticks[-1] != m else [*ticks, 11]
    return ticks


def target(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Registered members at each month-end of the report year so far, a dashed
    projection from the report month to December (``summary["projection_december"]``) and
    the year-end target as a red line with its value; the month axis runs to December,
    where the projection ends. A projection short of the target shades the gap and says
    under the chart how far short it falls and the net additions a month it would take,
    against the current pace."""
    lang = check_lang(lang)
    s = unit.summary
    period = unit.period
    year, m = period.year, period.month - 1  # m: 0 = January
    tr = trend_of(unit)
    this_year = tr[tr.period.str.startswith(f"{year}-")]
    months = [int(p[5:7]) - 1 for p in this_year.period]
    registered = this_year.registered.to_numpy(dtype=float)
    now = num(s.get("registered"))
    if math.isnan(now):
        now = float(registered[-1]) if len(registered) else 0.0
    goal = num(s.get("target"))
    projected = num(s.get("projection_december"))
    if math.isnan(projected):
        projected = now
    required = num(s.get("required_monthly"))
    pace = num(s.get("avg_net_change_3m"))
    ahead = m < 11  # months left to project

    reg_c, proj_c, goal_c = PALETTE["registered"], PALETTE["projection"], PALETTE["target"]
    note: list[str] = []
    note_c = goal_c
    if not math.isfinite(goal):
        note.append(word("no_target", lang))
        note_c = PALETTE["muted"]
    else:
        # December: the year's figure, nothing left to project
        lead, figure = ("projection_december", projected) if ahead else ("year_end", now)
        done = projected >= goal
        gap = formats.number(goal - figure, lang)
        outcome = word("reached", lang) if done else word("short_by", lang, gap=gap)
        note.append(f"{word(lead, lang)}: {formats.number(figure, lang)}, {outcome}")
        note_c = PALETTE["accent"] if done else goal_c
        if ahead and not done and math.isfinite(required):
            pace_text = formats.signed(pace, lang) if math.isfinite(pace) else formats.MISSING
            n = formats.number(math.ceil(required), lang)
            note.append(word("needs", lang, n=n, pace=pace_text))

    peak = max((v for v in (now, goal, projected, *registered) if math.isfinite(v)), default=0.0)
    scale = count_scale(peak, lang, headroom=1.1)
    ticks = year_ticks(m)
    names = [formats.month_abbr(Period(year, k + 1), lang) for k in ticks]
    stagger = ticks[-2:] == [10, 11]  # November and December side by side: two lines
    if stagger:
        names[-1] = "\n" + names[-1]
    title = word("chart_target", lang, year=year)
    note = wrap_lines(note, HALF[0] * 72 - 2 * PAD, NOTE_SIZE, bold=True)
    with chart_style():
        fig = Figure(figsize=HALF)
        foot = 3 + len(note) * NOTE_SIZE * LINE
        ax = place_axes(
            fig,
            yticks=scale.labels,
            head=head_room(legend=True),
            xlines=2 if stagger else 1,
            foot=foot,
            right=8,
        )
        scale.apply(ax)
        ax.set_xlim(-0.5, 11.5)
        if math.isfinite(goal):
            ax.axhline(goal, color=goal_c, lw=1.2, zorder=1)
            label_at(
                ax,
                word("target_line", lang, n=formats.number(goal, lang)),
                (0.01, goal),
                ha="left",
                color=goal_c,
                bold=True,
                xycoords=("axes fraction", "data"),
            )
            if ahead and projected < goal:
                ax.fill_between([m, 11], [now, projected], goal, color=goal_c, alpha=0.10, lw=0)
        if ahead:
            ax.plot([m, 11], [now, projected], color=proj_c, linestyle=DASH, lw=1.4)
            ax.plot([11], [projected], marker="o", color=proj_c, clip_on=False)
            up = projected < now  # a falling projection is labelled above its end
            label_at(
                ax,
                formats.number(projected, lang),
                (11, projected),
                (0, 5 if up else -5),
                va="bottom" if up else "top",
                color=proj_c,
            )
        ax.plot(months, registered, color=reg_c, marker="o")
        label_at(
            ax,
            formats.number(now, lang),
            (m, now),
            (0, 5),
            ha="right" if m >= 10 else "center",
            color=reg_c,
            bold=True,
        )
        ax.set_xticks(ticks, names)
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
        ax.xaxis.label.set_x(flush_left(ax))
        ax.xaxis.label.set_fontweight("bold")
        handles = [Line2D([], [], color=reg_c, marker="o")]
        names = [word("registered", lang)]
        if ahead:
            handles.append(Line2D([], [], color=proj_c, linestyle=DASH, lw=1.4))
            names.append(word("projection", lang))
        legend_above(ax, handles, names)
        put_title(ax, title, legend=True)
        return render(fig, "target", title)
