"""KPI cards: shown as HTML, and carried as a JSON mimetype the batch runner reads from the
executed notebook (results by mimetype, not by scraping HTML)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from bpu_reports.metrics.serialize import plain
from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats as f
from bpu_reports.report import mimetypes
from bpu_reports.report.words import Lang, word

MIMETYPE = mimetypes.KPIS


@dataclass(frozen=True)
class Kpi:
    """One card: ``key`` names the figure in the JSON record, ``label`` is the key of its
    word; ``prev`` and ``year_ago`` are the figure a month and a year earlier."""

    key: str
    label: str
    value: Any
    prev: Any
    year_ago: Any
    kind: str  # "count" | "rate" | "money"


def kpis(unit: Unit) -> list[Kpi]:
    s = unit.summary

    def card(key: str, label: str, kind: str) -> Kpi:
        return Kpi(key, label, s[key], s[f"{key}_prev"], s[f"{key}_year_ago"], kind)

    return [
        card("registered", "registered", "count"),
        card("active", "active_members", "count"),
        card("on_time_rate", "on_time_rate", "rate"),
        card("new_registrations", "new_registrations", "count"),
        card("collected_amount", "collected_amount", "money"),
        Kpi("target_progress", "target_progress", s["target_progress"], None, None, "rate"),
    ]


def _value(k: Kpi, lang: Lang) -> str:
    if k.kind == "rate":
        return f.percent(k.value, lang)
    if k.kind == "money":
        return f.rupiah(k.value, lang)
    return f.number(k.value, lang)


def _delta(k: Kpi, then: Any, lang: Lang) -> str:
    if then is None or f.is_missing(then) or f.is_missing(k.value):
        return f.MISSING
    if k.kind == "rate":
        return f.points(k.value - then, lang)
    if k.kind == "money":
        change = k.value - then
        return ("+" if change > 0 else "") + f.rupiah(change, lang) if change else "0"
    return f.signed(k.value - then, lang)


@dataclass(frozen=True)
class KpiBlock:
    """Displays as KPI cards; ``data`` is what the runner stores in the manifest, with the
    report's ``title`` (its cover's) when given."""

    unit: Unit
    lang: Lang = "id"
    title: str = ""

    @property
    def data(self) -> dict[str, Any]:
        s = self.unit.summary
        out = {k.key: plain(k.value) for k in kpis(self.unit)}
        out.update(
            {
                "in_arrears": plain(s["in_arrears"]),
                "inactive": plain(s["inactive"]),
                "on_time": plain(s["on_time"]),
                "target": plain(s["target"]),
                "projection_december": plain(s["projection_december"]),
                "scope": self.unit.code,
                "period": str(self.unit.period),
            }
        )
        if self.title:
            out["title"] = self.title
        return out

    def to_html(self) -> str:
        lang = self.lang
        # the year-ago comparison names its month: "vs Juli 2016"
        year_ago = word("vs_month", lang, month=f.month(self.unit.period.shift(-12), lang))
        cards = []
        for k in kpis(self.unit):
            if k.key == "target_progress":
                target = self.unit.summary["target"]
                sub = (
                    f"{word('of_target', lang)} {f.number(target, lang)}"
                    if not f.is_missing(target)
                    else f.MISSING
                )
                changes = f'<div class="bpu-kpi-sub">{html.escape(sub)}</div>'
            else:
                changes = (
                    f'<div class="bpu-kpi-sub">{html.escape(_delta(k, k.prev, lang))} '
                    f"{html.escape(word('vs_prev', lang))}</div>"
                    f'<div class="bpu-kpi-sub">{html.escape(_delta(k, k.year_ago, lang))} '
                    f"{html.escape(year_ago)}</div>"
                )
            extra = ""
            if k.key == "active":
                share = f.percent(self.unit.summary["active_share"], lang)
                extra = f' <span class="bpu-kpi-share">({html.escape(share)})</span>'
            label = html.escape(word(k.label, lang))
            cards.append(
                f'<div class="bpu-kpi"><div class="bpu-kpi-label">{label}</div>'
                f'<div class="bpu-kpi-value">{html.escape(_value(k, lang))}{extra}</div>'
                f"{changes}</div>"
            )
        return f'<div class="bpu-kpis">{"".join(cards)}</div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        plain_text = ", ".join(f"{k}={v}" for k, v in self.data.items())
        return {"text/html": self.to_html(), MIMETYPE: self.data, "text/plain": plain_text}
