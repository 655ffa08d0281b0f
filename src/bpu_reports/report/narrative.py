"""Executive-summary sentences generated from the figures, one jinja2 template per language
(autoescaped: event venues come from the data); who the sentences are about comes from the
words (a branch by its name, "Kantor Wilayah …" for a region, the country as a whole)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from bpu_reports.metrics.explanation import Driver
from bpu_reports.metrics.privacy import THRESHOLD as SMALL_CELL
from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats as f
from bpu_reports.report.words import Lang, check_lang, value_word, word


@cache
def _env(lang: Lang) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bpu_reports.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters.update(
        num=lambda v: f.number(v, lang),
        pct=lambda v: f.percent(v, lang),
        rp=lambda v: f.rupiah(v, lang),
        points=lambda v: f.points(v, lang),
        signed=lambda v: f.signed(v, lang, 1 if abs(v) < 100 else 0),
        moved=lambda v, digits=0: _moved(v, lang, digits),
    )
    return env


def unit_label(unit: Unit, lang: Lang) -> str:
    """Who the sentences are about: the branch's name, "Kantor Wilayah …" / "region …",
    or "seluruh kantor cabang" / "all branches together" for the national report."""
    if unit.kind == "region":
        return word("narrative_region", lang, name=unit.name)
    if unit.kind == "national":
        return word("narrative_national", lang)
    return unit.name


def facts(unit: Unit, lang: Lang = "id") -> dict[str, Any]:
    """The figures the sentences are made of."""
    s = unit.summary
    ageing = unit.ageing
    collectable = ageing[ageing.bucket.astype(str).isin(["1", "2", "3"])]
    events = unit.outreach[unit.outreach.in_month].sort_values("registered", ascending=False)
    top = None
    if not events.empty:
        e = events.iloc[0]
        top = {
            "venue": e.venue,
            "date": f.day(e.held_on, lang),
            # an event is below branch level: under 5 members is not told exactly
            "registered": e.registered if e.registered >= SMALL_CELL else None,
            "potential": e.potential,
        }
    rate_change = None
    if not (f.is_missing(s["on_time_rate"]) or f.is_missing(s["on_time_rate_prev"])):
        rate_change = s["on_time_rate"] - s["on_time_rate_prev"]
    target = s["target"]
    req = s["required_monthly"]
    return {
        "unit_label": unit_label(unit, lang),
        "period": f.month(unit.period, lang),
        "next_month": f.month(unit.period.shift(1), lang).rsplit(" ", 1)[0],
        "registered": s["registered"],
        "active": s["active"],
        "active_share": s["active_share"],
        "new_registrations": s["new_registrations"],
        "net_change": 0 if f.is_missing(s["net_change"]) else int(s["net_change"]),
        "on_time_rate": s["on_time_rate"],
        "on_time_rate_change": rate_change,
        "target": None if f.is_missing(target) or not target else target,
        "progress": s["target_progress"],
        "months_left": s["months_left"],
        "on_track": bool(s["on_track"]) if not f.is_missing(s["on_track"]) else False,
        "avg_net": s["avg_net_change_3m"],
        "projection": s["projection_december"],
        "required": None if f.is_missing(req) else math.ceil(req),
        "in_arrears": int(collectable.members.sum()),
        "arrears_value": collectable.arrears_value.sum(),
        "top_event": top,
        "more_events": max(len(events) - 1, 0),
        "why": why(unit, lang),
        "active_change": _active_change(unit),
        "cause": _cause(unit, lang),
    }


def _active_change(unit: Unit) -> int:
    """Active members at the report month minus the month before (0 without one)."""
    trend = unit.trend
    now = trend.loc[trend.period == str(unit.period), "active"]
    before = trend.loc[trend.period == str(unit.period.shift(-1)), "active"]
    if now.empty or before.empty:
        return 0
    return int(now.iloc[0]) - int(before.iloc[0])


def _cause(unit: Unit, lang: Lang) -> str | None:
    """What moved the on-time rate, in a few words for the cover, when the month's main
    driver is a cause (late joiners, a due-date change) rather than a place."""
    for d in unit.drivers:
        if d.metric != "on_time_rate":
            continue
        if d.kind == "late_joiners":
            return word("cause_late_joiners", lang, members=f.number(d.figures["members"], lang))
        if d.kind == "due_date":
            return word("cause_due_date", lang, due_date=f.day(d.figures["due_date"], lang))
    return None


def _moved(change: float, lang: Lang, digits: int = 0) -> str:
    """``naik 607`` / ``turun 7,8`` (``up`` / ``down``): a change told in words, not signs."""
    n = f.number(abs(change), lang, digits)
    return word("rose_by", lang, n=n) if change > 0 else word("fell_by", lang, n=n)


_CLAUSES = {
    ("late_joiners", "event"): "why_late_event",
    ("late_joiners", "channel"): "why_late_channel",
    ("due_date", None): "why_due_date",
    ("segment", "rate"): "why_rate_segment",
    ("channel", "rate"): "why_rate_channel",
    ("event", "count"): "why_count_event",
    ("segment", "count"): "why_count_segment",
    ("channel", "count"): "why_count_channel",
}
"""The words key of each driver's clause, by (kind, source or what was counted)."""


def _venue(figures: Any, lang: Lang) -> str:
    return str(figures.get("venue") or figures.get("title") or word("an_event", lang))


def _held_on(figures: Any, lang: Lang) -> str:
    held = figures.get("held_on")
    return f.day(held, lang) if held is not None and not f.is_missing(held) else f.MISSING


def clause(driver: Driver, unit: Unit, lang: Lang) -> str:
    """Why a figure moved, as a clause to follow the figure ("karena 450 peserta baru …"),
    in plain text (the templates escape it): the main driver ``metrics.drivers`` found."""
    g = driver.figures
    if driver.kind == "late_joiners":
        fields = {
            "members": f.number(g["members"], lang),
            "due_date": f.day(g["due_date"], lang),
            "month": f.month(unit.period, lang),
            "rate_without": f.percent(g["rate_without"], lang),
        }
        if g.get("source") == "event":
            key = _CLAUSES["late_joiners", "event"]
            fields |= {"venue": _venue(g, lang), "held_on": _held_on(g, lang)}
        else:
            key = _CLAUSES["late_joiners", "channel"]
            fields["channel"] = value_word(str(g.get("channel", driver.subject)), lang)
        return word(key, lang, **fields)
    if driver.kind == "due_date":
        return word(
            _CLAUSES["due_date", None],
            lang,
            due_date=f.day(g["due_date"], lang),
            due_day_previous=g["due_day_previous"],
            rate_previous_rule=f.percent(g["rate_previous_rule"], lang),
        )
    if driver.kind == "event":
        return word(
            _CLAUSES["event", "count"],
            lang,
            venue=_venue(g, lang),
            held_on=_held_on(g, lang),
            members=f.number(g["members"], lang),
        )
    name = value_word(driver.subject, lang)
    if driver.metric == "on_time_rate":
        return word(
            _CLAUSES[driver.kind, "rate"],
            lang,
            name=name,
            rate_previous=f.percent(g["rate_previous"], lang),
            rate=f.percent(g["rate"], lang),
        )
    change = g["members"] - g["members_previous"]
    return word(_CLAUSES[driver.kind, "count"], lang, name=name, change=f.signed(change, lang))


def rates_sentence(driver: Driver, lang: Lang) -> str:
    """The sentence on a contribution-rates change of the report month."""
    g = driver.figures
    return word(
        "why_rates",
        lang,
        basis=g["basis"],
        minimum=f.rupiah(g["minimum"], lang),
        minimum_previous=f.rupiah(g["minimum_previous"], lang),
    )


def why(unit: Unit, lang: Lang) -> dict[str, Any]:
    """The main driver of each large change of ``unit`` as template fields, by metric:
    ``{"change": …, "because": clause, "kind": …, "subject": …}``; a rates-table change
    of the month as the sentence ``why["rates"]``."""
    out: dict[str, Any] = {}
    for d in unit.drivers:
        if d.kind == "rates":
            out.setdefault("rates", rates_sentence(d, lang))
        else:
            out[d.metric] = {
                "change": d.change,
                "because": clause(d, unit, lang),
                "kind": d.kind,
                "subject": d.subject,
            }
    return out


@dataclass(frozen=True)
class Narrative:
    html_sentences: tuple[str, ...]

    @property
    def sentences(self) -> list[str]:
        return [html.unescape(s) for s in self.html_sentences]

    def to_html(self) -> str:
        items = "".join(f"<li>{s}</li>" for s in self.html_sentences)
        return f'<ul class="bpu-narrative">{items}</ul>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return "\n".join(self.sentences)


def headline(unit: Unit, lang: Lang = "id") -> str:
    """The month's story in one sentence, for the cover (HTML-escaped): active members and
    their change, the on-time rate and what drove its change, and the year's target."""
    lang = check_lang(lang)
    text = _env(lang).get_template(f"headline.{lang}.j2").render(**facts(unit, lang))
    return text.strip()


def narrative(unit: Unit, lang: Lang = "id") -> Narrative:
    """The executive summary of ``unit`` in ``lang``: one sentence per line of the
    language's template."""
    lang = check_lang(lang)
    text = _env(lang).get_template(f"narrative.{lang}.j2").render(**facts(unit, lang))
    return Narrative(tuple(line.strip() for line in text.splitlines() if line.strip()))
