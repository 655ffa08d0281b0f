"""Executive-summary sentences generated from the figures, one jinja2 template per language
(autoescaped: event venues come from the data)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from bpu_reports.metrics.privacy import THRESHOLD as SMALL_CELL
from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats as f
from bpu_reports.report.formats import Lang


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
        pp=lambda v: f.points(v, lang),
        signed=lambda v: f.signed(v, lang, 1 if abs(v) < 100 else 0),
    )
    return env


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
    prefix = {"branch": "", "region": {"id": "Kantor Wilayah ", "en": "region "}[lang]}
    target = s["target"]
    req = s["required_monthly"]
    return {
        "unit_label": prefix[unit.kind] + unit.name,
        "period": f.month(unit.period, lang),
        "next_month": f.month(unit.period.shift(1), lang).rsplit(" ", 1)[0],
        "registered": s["registered"],
        "active": s["active"],
        "active_share": s["active_share"],
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
    }


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


def narrative(unit: Unit, lang: Lang = "id") -> Narrative:
    text = _env(lang).get_template(f"narrative.{lang}.j2").render(**facts(unit, lang))
    return Narrative(tuple(line.strip() for line in text.splitlines() if line.strip()))
