"""What a report notebook calls: ``r = open_report(...)`` then one call per section.

No SQL and no plotting code in notebooks: each method returns an object Jupyter displays
(HTML, SVG, KPI cards with their JSON mimetype).
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml

from bpu_reports._version import __version__
from bpu_reports.config import DEFAULT_DB
from bpu_reports.data import store
from bpu_reports.errors import BpuReportsError
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.metrics.views import Unit, load_unit
from bpu_reports.period import Period
from bpu_reports.report import charts, kpi, narrative, tables
from bpu_reports.report import formats as f
from bpu_reports.report.formats import Lang
from bpu_reports.report.labels import t

TOC_MARK = "<!--bpu-toc-->"
"""Where the print variant puts its table of contents (right after the cover)."""

CHARTS = (
    "membership",
    "target",
    "on_time",
    "ageing",
    "collections",
    "prepayment",
    "funnel",
    "cohorts",
    "small_multiples",
)
TABLES = ("ageing", "programs", "prepayment", "segments", "channels", "events", "branches")


@dataclass(frozen=True)
class Html:
    html: str

    def _repr_html_(self) -> str:
        return self.html


@cache
def _components_css() -> str:
    return files("bpu_reports.report.resources").joinpath("components.css").read_text("utf-8")


@cache
def definitions_data() -> list[dict[str, Any]]:
    text = files("bpu_reports.report.resources").joinpath("definitions.yaml").read_text("utf-8")
    return list(yaml.safe_load(text))


def find_warehouse(db: str | os.PathLike[str] = "") -> Path:
    """``db`` if given, else ``$BPU_REPORTS_DB``, else ``data/bpu.duckdb`` in the working
    folder or the nearest parent that has one (notebooks run from ``notebooks/``)."""
    if db:
        return Path(db)
    if os.environ.get("BPU_REPORTS_DB"):
        return Path(os.environ["BPU_REPORTS_DB"])
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_DB).exists():
            return folder / DEFAULT_DB
    return DEFAULT_DB


def open_report(
    kind: Literal["branch", "region"],
    code: str,
    period: str,
    *,
    lang: Lang = "id",
    db: str = "",
    metrics_file: str = "",
) -> Report:
    """Compute the metrics of one branch or region for ``period`` and wrap them for display.

    ``metrics_file`` is what a batch passes: the unit's metrics, computed once for the whole
    batch (``metrics.views.save_unit``), so the report does not scan the warehouse again.
    """
    month = Period.parse(period)
    if metrics_file:
        loaded = load_unit(Path(metrics_file))
        if (loaded.kind, loaded.code, loaded.period) != (kind, code, month):
            raise BpuReportsError(
                f"{metrics_file} holds {loaded.kind} {loaded.code} {loaded.period}, "
                f"not {kind} {code} {month}"
            )
        return Report(loaded, lang)
    con = store.connect(find_warehouse(db))
    try:
        scope = resolve(con, branch=code) if kind == "branch" else resolve(con, region=code)
        metrics = compute(con, month, scope)
    finally:
        con.close()
    return Report(unit(metrics, kind, code), lang)


@dataclass(frozen=True)
class Report:
    unit: Unit
    lang: Lang = "id"

    def cover(self) -> Html:
        u, lang = self.unit, self.lang
        title = t("report_branch" if u.kind == "branch" else "report_region", lang)
        office = u.name if u.kind == "region" else f"{u.name} ({u.code})"
        rows = [
            (t("region", lang), f"{u.region_name} ({u.region_code})")
            if u.kind == "branch"
            else None,
            (t("period", lang), f.month(u.period, lang)),
            (t("cutoff", lang), f.day(min(u.period.cutoff, u.warehouse.data_cutoff), lang)),
            (t("source", lang), u.warehouse.source),
            (t("version", lang), u.warehouse.data_version),
        ]
        items = "".join(
            f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in filter(None, rows)
        )
        demo = ""
        if u.warehouse.is_demo:
            demo = (
                f'<div class="bpu-demo">{t("demo", lang)}</div>'
                f'<div class="bpu-watermark">{t("demo", lang)}</div>'
            )
        banner = f'<div class="bpu-demo-banner">{t("demo_note", lang)}</div>' if demo else ""
        return Html(
            f"<style data-bpu-notebook>{_components_css()}</style>{banner}"
            f'<header class="bpu-cover"><p class="bpu-org">BPJS Ketenagakerjaan</p>'
            f"<h1>{html.escape(title)}</h1>"
            f'<p class="bpu-office">{html.escape(office)}</p>'
            f'<p class="bpu-period">{html.escape(f.month(u.period, lang))}</p>'
            f"<dl>{items}</dl>{demo}</header>{TOC_MARK}"
        )

    def kpis(self) -> kpi.KpiBlock:
        return kpi.KpiBlock(self.unit, self.lang)

    def summary(self) -> narrative.Narrative:
        return narrative.narrative(self.unit, self.lang)

    def chart(self, name: str) -> Any:
        if name not in CHARTS:
            raise ValueError(f"unknown chart {name!r}; choose from {', '.join(CHARTS)}")
        return getattr(charts, name)(self.unit, lang=self.lang)

    def table(self, name: str, **options: Any) -> tables.Table:
        u, lang = self.unit, self.lang
        builders = {
            "ageing": lambda: tables.ageing(u, lang),
            "programs": lambda: tables.programs(u, lang),
            "prepayment": lambda: tables.prepayment(u, lang),
            "segments": lambda: tables.breakdown(u, "segment", lang),
            "channels": lambda: tables.breakdown(u, "channel", lang),
            "events": lambda: tables.events(u, lang, **options),
            "branches": lambda: tables.branches(u, lang),
        }
        if name not in builders:
            raise ValueError(f"unknown table {name!r}; choose from {', '.join(builders)}")
        return builders[name]()

    def definitions(self) -> Html:
        items = "".join(
            f"<dt>{html.escape(d['term'][self.lang])}</dt><dd>{html.escape(d['text'][self.lang])}</dd>"
            for d in definitions_data()
        )
        return Html(f'<dl class="bpu-defs">{items}</dl>')

    def data_source(self) -> Html:
        w, lang = self.unit.warehouse, self.lang
        rows = [
            (t("source", lang), w.source),
            (t("version", lang), w.data_version),
            (t("cutoff", lang), f.day(min(self.unit.period.cutoff, w.data_cutoff), lang)),
            (t("warehouse_cutoff", lang), f.day(w.data_cutoff, lang)),
            ("bpu-reports", __version__),
        ]
        items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
        note = f'<p class="bpu-note">{t("demo_note", lang)}</p>' if w.is_demo else ""
        return Html(f'<dl class="bpu-defs">{items}</dl>{note}')
