"""KPI cards: shown as HTML, and carried as a JSON mimetype the batch runner reads from the
executed notebook (results by mimetype, not by scraping HTML)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from bpu_reports.metrics.serialize import plain
from bpu_reports.metrics.views import Unit
from bpu_reports.report import formats as f
from bpu_reports.report.formats import Lang
from bpu_reports.report.labels import t

MIMETYPE = "application/vnd.bpu-reports.kpis+json"


@dataclass(frozen=True)
class Kpi:
    key: str
    value: Any
    prev: Any
    year_ago: Any
    kind: str  # "count" | "rate" | "money"
    note: str = ""


def kpis(unit: Unit) -> list[Kpi]:
    s = unit.summary
    return [
        Kpi("registered", s["registered"], s["registered_prev"], s["registered_year_ago"], "count"),
        Kpi("active", s["active"], s["active_prev"], s["active_year_ago"], "count"),
        Kpi(
            "on_time_rate",
            s["on_time_rate"],
            s["on_time_rate_prev"],
            s["on_time_rate_year_ago"],
            "rate",
        ),
        Kpi(
            "new_registrations",
            s["new_registrations"],
            s["new_registrations_prev"],
            s["new_registrations_year_ago"],
            "count",
        ),
        Kpi(
            "collected_amount",
            s["collected_amount"],
            s["collected_amount_prev"],
            s["collected_amount_year_ago"],
            "money",
        ),
        Kpi("target_progress", s["target_progress"], None, None, "rate"),
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
        cards = []
        for k in kpis(self.unit):
            if k.key == "target_progress":
                target = self.unit.summary["target"]
                sub = (
                    f"{t('of_target', self.lang)} {f.number(target, self.lang)}"
                    if not f.is_missing(target)
                    else f.MISSING
                )
                changes = f'<div class="bpu-kpi-sub">{html.escape(sub)}</div>'
            else:
                changes = (
                    f'<div class="bpu-kpi-sub">{html.escape(_delta(k, k.prev, self.lang))} '
                    f"{t('vs_prev', self.lang)}</div>"
                    f'<div class="bpu-kpi-sub">{html.escape(_delta(k, k.year_ago, self.lang))} '
                    f"{t('vs_year', self.lang)}</div>"
                )
            extra = ""
            if k.key == "active":
                share = f.percent(self.unit.summary["active_share"], self.lang)
                extra = f' <span class="bpu-kpi-share">({html.escape(share)})</span>'
            cards.append(
                f'<div class="bpu-kpi"><div class="bpu-kpi-label">{t(k.key, self.lang)}</div>'
                f'<div class="bpu-kpi-value">{html.escape(_value(k, self.lang))}{extra}</div>'
                f"{changes}</div>"
            )
        return f'<div class="bpu-kpis">{"".join(cards)}</div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        plain_text = ", ".join(f"{k}={v}" for k, v in self.data.items())
        return {"text/html": self.to_html(), MIMETYPE: self.data, "text/plain": plain_text}
