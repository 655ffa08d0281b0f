"""Compute every metric of a scope for one report month in one pass over the warehouse."""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from bpu_reports.data import store
from bpu_reports.metrics import (
    breakdowns,
    cohorts,
    compliance,
    membership,
    outreach,
    panel,
    rule_changes,
)
from bpu_reports.metrics.scope import Scope
from bpu_reports.metrics.targets import branch_targets, summarise
from bpu_reports.period import Period


@dataclass(frozen=True)
class MetricSet:
    """All metrics of every branch of a scope for one month: tidy frames keyed by
    ``branch_code``. Frames hold raw counts; suppress small cells before display
    (``metrics.privacy``)."""

    period: Period
    scope: Scope
    warehouse: store.WarehouseInfo
    trend: pd.DataFrame  # branch × window month: statuses, on time, collections, mix
    summary: pd.DataFrame  # branch at M: KPIs, changes, target and projection
    targets: pd.DataFrame  # branch_code, target
    ageing: pd.DataFrame  # branch × bucket
    breakdowns: pd.DataFrame  # branch × (segment | channel) value
    outreach: pd.DataFrame  # one row per event of the year up to M
    cohorts: pd.DataFrame  # branch × cohort × months since
    # with breakdowns, what metrics.drivers.explain reads to find what drove a change
    breakdowns_prev: pd.DataFrame  # as breakdowns, for the month before M
    joiners: pd.DataFrame  # branch × registration month (M-1, M) × event or channel
    on_time_previous_rule: pd.DataFrame  # branch: on time at M under M-1's due day (else empty)
    rules: pd.DataFrame  # rates-table rows of M-1 and M per sector (the same for every branch)

    @property
    def branches(self) -> pd.DataFrame:
        return self.scope.branches

    def only(self, branch_codes: list[str]) -> MetricSet:
        """The same metrics restricted to some branches (no recomputation)."""
        keep = set(branch_codes)

        def cut(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame.branch_code.isin(keep)].reset_index(drop=True)

        return replace(
            self,
            scope=self.scope.only(keep),
            trend=cut(self.trend),
            summary=cut(self.summary),
            targets=cut(self.targets),
            ageing=cut(self.ageing),
            breakdowns=cut(self.breakdowns),
            outreach=cut(self.outreach),
            cohorts=cut(self.cohorts),
            breakdowns_prev=cut(self.breakdowns_prev),
            joiners=cut(self.joiners),
            on_time_previous_rule=cut(self.on_time_previous_rule),
        )


def compute(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope) -> MetricSet:
    """Compute the metric set; raises ``PeriodError`` when ``period`` is outside the data."""
    info = store.info(con)
    info.check(period)
    panel.build(con, period, scope.branch_codes)
    try:
        trend = membership.trend(con, period)
        targets = branch_targets(con, period.year)
        by_month = breakdowns.by_month(con, period, [period.shift(-1), period])
        rules = rule_changes.rules(period)
        moved = rule_changes.due_rule_change(rules, period)
        previous_rule = (
            compliance.on_time_by(con, period, moved[1])
            if moved is not None
            else pd.DataFrame({"branch_code": pd.Series(dtype=str), "on_time": 0})
        )
        return MetricSet(
            period=period,
            scope=scope,
            warehouse=info,
            trend=trend,
            summary=summarise(trend, targets, period, "branch_code"),
            targets=targets,
            ageing=compliance.ageing(con, period),
            breakdowns=by_month[period],
            outreach=outreach.funnel(con, period),
            cohorts=cohorts.retention(con, period),
            breakdowns_prev=by_month[period.shift(-1)],
            joiners=breakdowns.joiners(con, period),
            on_time_previous_rule=previous_rule,
            rules=rules,
        )
    finally:
        for view in ("window_pay", "pay"):
            con.execute(f"DROP VIEW IF EXISTS {view}")
        for table in ("panel", "scope_branches"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
