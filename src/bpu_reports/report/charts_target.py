"""The registration target chart: the year so far, the projection to December and how far
short of the target it falls."""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bpu_reports.metrics.views import Unit
from bpu_reports.period import Period
from bpu_reports.report import formats
from bpu_reports.report.chart_base import Chart, render
from bpu_reports.report.chart_layout import (
    LINE,
    PAD,
    flush_left,
    head_room,
    legend_above,
    place_axes,
    put_title,
    trend_of,
    wrap_lines,
)
from bpu_reports.report.chart_scales import count_scale, num
from bpu_reports.report.chart_text import check_lang, phrase
from bpu_reports.report.formats import Lang
from bpu_reports.report.style import (
    HALF,
    NOTE_SIZE,
    PALETTE,
    chart_style,
)

DASH = (0, (3, 2))


def target(unit: Unit, lang: Lang = "id") -> Chart:
    """Half width. Registered members at each month-end of the report year so far, a dashed
    projection from the report month to December (``summary["projection_december"]``) and
    the year-end target as a red line with its value. A projection short of the target
    shades the gap and says under the chart how far short it falls and the net additions a
    month it would take, against the current pace."""
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
        note.append(phrase("no_target", lang))
        note_c = PALETTE["muted"]
    elif not ahead:  # December: the year's figure, nothing left to project
        done = projected >= goal
        outcome = (
            phrase("reached", lang)
            if done
            else phrase("short_by", lang, gap=formats.number(goal - now, lang))
        )
        note.append(f"{phrase('year_end', lang, p=formats.number(now, lang))}, {outcome}")
        note_c = PALETTE["accent"] if done else goal_c
    elif projected >= goal:
        note.append(phrase("on_track", lang, p=formats.number(projected, lang)))
        note_c = PALETTE["accent"]
    else:
        gap = formats.number(goal - projected, lang)
        note.append(phrase("short", lang, p=formats.number(projected, lang), gap=gap))
        if ahead and math.isfinite(required):
            pace_text = formats.signed(pace, lang) if math.isfinite(pace) else formats.MISSING
            note.append(
                phrase("needs", lang, n=formats.number(math.ceil(required), lang), pace=pace_text)
            )

    peak = max((v for v in (now, goal, projected, *registered) if math.isfinite(v)), default=0.0)
    scale = count_scale(peak, lang, headroom=1.1)
    ticks = [k for k in range(12) if (k - m) % 2 == 0]  # every other month, M among them
    title = phrase("target", lang, year=year)
    note = wrap_lines(note, HALF[0] * 72 - 2 * PAD, NOTE_SIZE, bold=True)
    with chart_style():
        fig = Figure(figsize=HALF)
        foot = 3 + len(note) * NOTE_SIZE * LINE
        ax = place_axes(fig, yticks=scale.labels, head=head_room(legend=True), foot=foot, right=8)
        scale.apply(ax)
        ax.set_xlim(-0.5, 11.5)
        if math.isfinite(goal):
            ax.axhline(goal, color=goal_c, lw=1.2, zorder=1)
            ax.annotate(
                phrase("target_line", lang, n=formats.number(goal, lang)),
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
        ax.xaxis.label.set_x(flush_left(ax))
        ax.xaxis.label.set_fontweight("bold")
        handles = [Line2D([], [], color=reg_c, marker="o")]
        names = [phrase("registered", lang)]
        if ahead:
            handles.append(Line2D([], [], color=proj_c, linestyle=DASH, lw=1.4))
            names.append(phrase("projection", lang))
        legend_above(ax, handles, names)
        put_title(ax, title, legend=True)
        return render(fig, "target", title)
