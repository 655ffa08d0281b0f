"""What a report notebook calls: ``r = open_report(...)`` then one call per section.

No SQL and no plotting code in notebooks: each method returns an object Jupyter displays
(HTML, SVG, KPI cards with their JSON mimetype). The names ``r.chart``, ``r.table`` and
``r.data`` accept come from one catalogue each (``charts.CHARTS``, ``tables.TABLES``,
``data.DATA``), read here and nowhere copied; their docstrings list them, so ``r.chart?`` in
JupyterLab shows every chart. Every word shown comes from ``words.py``; the cover's page
is built in ``cover.py``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import pandas as pd
from matplotlib.figure import Figure

from bpu_reports._version import __version__
from bpu_reports.data import store
from bpu_reports.errors import BpuReportsError
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.metrics.views import Kind, Unit, load_unit
from bpu_reports.period import Period
from bpu_reports.report import charts, house, kpi, narrative, tables
from bpu_reports.report import data as report_data
from bpu_reports.report import formats as f
from bpu_reports.report.charts import Chart
from bpu_reports.report.cover import Cover, Html, cover_page
from bpu_reports.report.registry import listing, unknown
from bpu_reports.report.table import Table
from bpu_reports.report.words import DEFINITIONS, Lang, check_lang, word


def find_warehouse(db: str | os.PathLike[str] = "") -> Path:
    """The warehouse a notebook reads: ``db`` if given, else ``$BPU_REPORTS_DB``, else
    ``data/bpu.duckdb`` in the working folder or the nearest parent that has one (notebooks
    run from ``notebooks/``). The rule lives in ``config.warehouse_path``."""
    from bpu_reports.config import warehouse_path

    return warehouse_path(db, look_up=True)


TITLES: dict[str, str] = {
    "branch": "report_branch",
    "region": "report_region",
    "national": "report_national",
}
"""The word of each kind of report's standard title."""


def open_report(
    kind: Kind,
    code: str,
    period: str,
    *,
    lang: Lang = "id",
    db: str = "",
    metrics_file: str = "",
) -> Report:
    """Compute the metrics of one branch, one region or the whole country for ``period``
    and wrap them for display.

    ``kind`` is ``"branch"``, ``"region"`` or ``"national"``, ``code`` its code (``"DPS"``,
    ``"BANUSPA"``, ``"NATIONAL"``: every branch in the warehouse), ``period`` the report
    month ``YYYY-MM``, ``lang`` ``"id"`` or ``"en"``; ``db`` the warehouse file (default:
    ``$BPU_REPORTS_DB``, else ``data/bpu.duckdb`` here or in a parent folder).
    ``metrics_file`` is what a batch passes: the unit's metrics, computed once for the whole
    batch (``metrics.views.save_unit``), so the report does not scan the warehouse again.

    In a Jupyter kernel this also sets how plain DataFrames display (numbers in the report
    language, no default index: ``house.configure_display``).

    Example: ``r = open_report("branch", "DPS", "2017-07", lang="id")``; the head office's:
    ``open_report("national", "NATIONAL", "2017-07")``
    """
    lang = check_lang(lang)
    if kind not in get_args(Kind):
        raise ValueError(f"unknown kind {kind!r}: use 'branch', 'region' or 'national'")
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
        if kind == "branch":
            scope = resolve(con, branch=code)
        elif kind == "region":
            scope = resolve(con, region=code)
        else:  # national: every branch; unit() refuses a code other than NATIONAL
            scope = resolve(con)
        metrics = compute(con, month, scope)
    finally:
        con.close()
    return Report(unit(metrics, kind, code), lang)


@dataclass(frozen=True)
class Report:
    """One report's metrics (``unit``: a branch, a region or the country at one month) in
    one language.

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
        return word(TITLES[self.unit.kind], self.lang)

    def cover(self, title: str = "") -> Cover:
        """The cover, page 1 of the PDF: organisation, ``title`` (default: the standard
        monthly report title), office, month and data cut-off, then the month's story: one
        headline sentence and the KPI cards (as ``r.kpis()``), and a DEMO mark on demo data.
        The data's source and version are in the appendix (``r.data_source()``). Put it in
        the notebook's first displayed cell; the PDF's table of contents follows it. The
        title is recorded with the KPIs, and the portal names the report by it when an office
        has several reports.

        Example: ``r.cover(title="Sosialisasi Pasar Badung")``
        """
        title = title or self.default_title()
        self._cover["title"] = title
        figures = tables.kpi_figures(self.unit, self.lang).figures()
        return cover_page(self.unit, self.lang, title, figures)

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
        if name not in charts.CHARTS:
            raise unknown("chart", name, charts.CHARTS)
        return charts.CHARTS[name](self.unit, lang=self.lang)

    def side_by_side(self, *charts_: str | Chart) -> Html:
        """Two (or more) half-width charts in one row, in the PDF and on a wide screen; one
        under the other on a phone. Each is a chart name (as ``r.chart``) or a Chart
        (``r.chart(...)``, ``r.figure(fig)``).

        Example: ``r.side_by_side("on_time", "ageing")``
        """
        drawn = [self.chart(c) if isinstance(c, str) else c for c in charts_]
        cells = "".join(f'<figure class="bpu-chart">{c.svg}</figure>' for c in drawn)
        return Html(f'<div class="bpu-row">{cells}</div>')

    def table(self, name: str, **options: Any) -> Table:
        # the docstring is _TABLE_DOC with the catalogue's names, set below the class
        if name not in tables.TABLES:
            raise unknown("table", name, tables.TABLES)
        return tables.build(name, self.unit, self.lang, **options)

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
    ) -> Table:
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
            f"<dt>{html.escape(d.term_in(self.lang))}</dt><dd>{html.escape(d.text[self.lang])}</dd>"
            for d in DEFINITIONS
        )
        return Html(f'<dl class="bpu-defs">{items}</dl>')

    def data_source(self) -> Html:
        """Where the numbers come from: source, data version, cut-off dates and the package
        version (and a note on demo data).

        Example: ``r.data_source()``
        """
        w, lang = self.unit.warehouse, self.lang
        rows = [
            (word("source", lang), w.source),
            (word("version", lang), w.data_version),
            (word("cutoff", lang), f.day(min(self.unit.period.cutoff, w.data_cutoff), lang)),
            (word("warehouse_cutoff", lang), f.day(w.data_cutoff, lang)),
            ("bpu-reports", __version__),
        ]
        items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
        note = f'<p class="bpu-note">{word("demo_note", lang)}</p>' if w.is_demo else ""
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
Report.chart.__doc__ = _CHART_DOC.format(names=listing(charts.CHARTS))
Report.table.__doc__ = _TABLE_DOC.format(names=listing(tables.TABLES))
Report.data.__doc__ = _DATA_DOC.format(names=listing(report_data.DATA))
