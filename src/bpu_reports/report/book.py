"""What a report notebook calls: ``r = open_report(...)`` then one call per section.

No SQL and no plotting code in notebooks: each method returns an object Jupyter displays
(HTML, SVG, KPI cards with their JSON mimetype). The names ``r.chart``, ``r.table`` and
``r.data`` accept come from one catalogue each (``charts.CHARTS``, ``tables.TABLES``,
``data.DATA``); their docstrings list them, so ``r.chart?`` in JupyterLab shows every chart.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from matplotlib.figure import Figure

from bpu_reports._version import __version__
from bpu_reports.config import DEFAULT_DB
from bpu_reports.data import store
from bpu_reports.errors import BpuReportsError
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.metrics.views import Unit, load_unit
from bpu_reports.period import Period
from bpu_reports.report import data as report_data
from bpu_reports.report import formats as f
from bpu_reports.report import house, kpi, narrative, tables
from bpu_reports.report.chart_base import Chart
from bpu_reports.report.charts import CHARTS
from bpu_reports.report.formats import Lang
from bpu_reports.report.labels import t
from bpu_reports.report.registry import listing, unknown
from bpu_reports.report.tables import TABLES

TOC_MARK = "<!--bpu-toc-->"
"""Where the print variant puts its table of contents (right after the cover)."""

LONG_NAME = 100
"""Characters above which the cover sets the office's name smaller (class ``bpu-long``), so
that a very long name still leaves the cover and its table of contents one page."""

RUNNING_NAME = 60
"""Characters of an office's name the PDF's running header shows at most: a page margin box
does not wrap, so a longer name is cut there (with "…"); the cover shows it whole."""


def running_name(name: str, limit: int = RUNNING_NAME) -> str:
    """``name`` as the running header shows it: white space folded, and a name longer than
    ``limit`` characters cut with "…", at the last space if one falls in its final third.

    Example: ``running_name("Kantor Cabang Perintis Kabupaten Kepulauan Sangihe dan Talaud
    Wilayah Utara")`` → ``"Kantor Cabang Perintis Kabupaten Kepulauan Sangihe dan…"``
    """
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    cut = name[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—(/") + "…"


@dataclass(frozen=True)
class Html:
    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:  # the text/plain output: a summary, not the markup
        return f"<report block, {len(self.html):,} characters of HTML>"


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

    ``kind`` is ``"branch"`` or ``"region"``, ``code`` its code (``"DPS"``, ``"BANUSPA"``),
    ``period`` the report month ``YYYY-MM``, ``lang`` ``"id"`` or ``"en"``; ``db`` the
    warehouse file (default: ``$BPU_REPORTS_DB``, else ``data/bpu.duckdb`` here or in a parent
    folder). ``metrics_file`` is what a batch passes: the unit's metrics, computed once for
    the whole batch (``metrics.views.save_unit``), so the report does not scan the warehouse
    again.

    In a Jupyter kernel this also sets how plain DataFrames display (numbers in the report
    language, no default index: ``house.configure_display``).

    Example: ``r = open_report("branch", "DPS", "2017-07", lang="id")``
    """
    house.configure_display(lang)
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
    """One report's metrics (``unit``: a branch or a region at one month) in one language.

    Every method returns something Jupyter displays as the report shows it; call them in any
    order, one per cell. ``r.data(name)`` gives the numbers behind a chart or table as a
    DataFrame; ``r.figure(fig)`` and ``r.table_from(df)`` show charts and tables of one's
    own in the house style.
    """

    unit: Unit
    lang: Lang = "id"
    # what the notebook's cover said (its title), for the KPI record the batch keeps
    _cover: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)

    def default_title(self) -> str:
        """The standard title of this kind of report, in the report language."""
        return t("report_branch" if self.unit.kind == "branch" else "report_region", self.lang)

    def cover(self, title: str = "") -> Html:
        """The cover: organisation, ``title`` (default: the standard monthly report title),
        office, month, data cut-off, source and data version, and a DEMO mark on demo data.
        Put it in the notebook's first displayed cell; the PDF's table of contents follows
        it. The title is recorded with the KPIs, and the portal names the report by it when
        an office has several reports.

        Example: ``r.cover(title="Sosialisasi Pasar Badung")``
        """
        u, lang = self.unit, self.lang
        title = title or self.default_title()
        self._cover["title"] = title
        office = u.name if u.kind == "region" else f"{u.name} ({u.code})"
        running = running_name(u.name) + ("" if u.kind == "region" else f" ({u.code})")
        long = " bpu-long" if len(office) > LONG_NAME else ""
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
            f'<p class="bpu-office{long}" data-running="{html.escape(running)}">'
            f"{html.escape(office)}</p>"
            f'<p class="bpu-period">{html.escape(f.month(u.period, lang))}</p>'
            f"<dl>{items}</dl>{demo}</header>{TOC_MARK}"
        )

    def kpis(self) -> kpi.KpiBlock:
        """The KPI cards: registered, active, on-time rate, new members, contributions and
        target progress, each against last month and a year ago. Also carries the figures
        as JSON (the batch records them in the manifest, with the cover's title).

        Example: ``r.kpis()``
        """
        title = self._cover.get("title") or self.default_title()
        return kpi.KpiBlock(self.unit, self.lang, title)

    def summary(self) -> narrative.Narrative:
        """The executive summary: generated sentences (membership, payments, target,
        outreach) in the report language, small counts never told.

        Example: ``r.summary()``
        """
        return narrative.narrative(self.unit, self.lang)

    def chart(self, name: str) -> Chart:
        # the docstring is _CHART_DOC with the catalogue's names, set below the class
        if name not in CHARTS:
            raise unknown("chart", name, CHARTS)
        return CHARTS[name](self.unit, lang=self.lang)

    def table(self, name: str, **options: Any) -> tables.Table:
        # the docstring is _TABLE_DOC with the catalogue's names, set below the class
        if name not in TABLES:
            raise unknown("table", name, TABLES)
        return TABLES[name](self.unit, self.lang, **options)

    def data(self, name: str | None = None, *, unsuppressed: bool = False) -> pd.DataFrame:
        # the docstring is _DATA_DOC with the catalogue's names, set below the class
        if name is None:
            return pd.DataFrame(
                {
                    "name": list(report_data.DATA),
                    "description": [e.describe(self.lang) for e in report_data.DATA.values()],
                }
            )
        if name not in report_data.DATA:
            raise unknown("data set", name, report_data.DATA)
        return report_data.DATA[name](self.unit, raw=unsuppressed)

    def figure(self, fig: Figure | Any, title: str = "") -> Chart:
        """A matplotlib figure (or seaborn grid) of one's own, shown as the report's charts
        are: SVG with text kept as text, at most the A4 text width. Make it with
        ``house.figure`` inside ``with house.style():`` for the house look; ``title``
        (default: the first axes title) names it for screen readers.

        Example: ``r.figure(fig)`` as a cell's last line (``house.show(fig)`` anywhere).
        """
        return house.to_chart(fig, title)

    def table_from(
        self,
        frame: pd.DataFrame,
        *,
        suppress: Sequence[str] = (),
        withhold: Mapping[str, Sequence[str]] | None = None,
        kinds: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
        caption: str = "",
        footnote: str = "",
    ) -> tables.Table:
        """A DataFrame of one's own as a report table in the report language (``16.800``,
        ``60,0%``), numbers right-aligned, no index; counts in ``suppress`` under 5 show
        "< 5". See ``house.table`` for every option.

        Example: ``r.table_from(r.data("segments"), labels={"value": "Segmen"})``
        """
        return house.table(
            frame,
            self.lang,
            suppress=suppress,
            withhold=withhold,
            kinds=kinds,
            labels=labels,
            caption=caption,
            footnote=footnote,
        )

    def definitions(self) -> Html:
        """The appendix of definitions: every term the report uses (Indonesian term and its
        meaning), in the report language.

        Example: ``r.definitions()``
        """
        items = "".join(
            f"<dt>{html.escape(d['term'][self.lang])}</dt><dd>{html.escape(d['text'][self.lang])}</dd>"
            for d in definitions_data()
        )
        return Html(f'<dl class="bpu-defs">{items}</dl>')

    def data_source(self) -> Html:
        """Where the numbers come from: source, data version, cut-off dates and the package
        version (and a note on demo data).

        Example: ``r.data_source()``
        """
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


_CHART_DOC = """The chart ``name`` of this report, drawn in the house style (SVG: sharp and
searchable in the PDF, at most the A4 text width).

Charts (``name``: what it shows):

{names}

Raises ``ValueError`` for another name. The numbers behind a chart: ``r.data(name)``.

Example: ``r.chart("membership")``
"""

_TABLE_DOC = """The table ``name`` of this report, in the report language's formats, small
cells of breakdowns shown as "< 5".

Tables (``name``: what it shows):

{names}

``options`` go to the table: ``r.table("events", in_month=False)`` lists the year's events.
Raises ``ValueError`` for another name. The numbers behind a table: ``r.data(name)``.

Example: ``r.table("segments")``
"""

_DATA_DOC = """The numbers behind the chart or table ``name`` as a tidy pandas DataFrame:
one row per observation, numeric dtypes, periods as ``YYYY-MM``, and a boolean
``suppressed`` column. ``r.data()`` without a name lists the names with a description.

Data sets (``name``: what it holds):

{names}

Privacy: in breakdowns below branch level (segments, channels, events, cohorts), a count
under 5 and the rates computed from it are missing (NaN) on rows flagged ``suppressed``,
as the report shows them "< 5". ``unsuppressed=True`` returns the raw counts for checking
only: never publish them, in a report, a chart, an export or a message. (Personal
identifiers, NIK, names and phone numbers, never leave the warehouse either way.)

Example: ``r.data("segments")``
"""

# JupyterLab's ``r.chart?`` reads __doc__: generated from the catalogues, so they never drift
Report.chart.__doc__ = _CHART_DOC.format(names=listing(CHARTS))
Report.table.__doc__ = _TABLE_DOC.format(names=listing(TABLES))
Report.data.__doc__ = _DATA_DOC.format(names=listing(report_data.DATA))
