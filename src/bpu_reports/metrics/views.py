"""One report's view of a metric set: a single branch, or a region with its branches."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd

from bpu_reports.data.store import WarehouseInfo
from bpu_reports.errors import ScopeError
from bpu_reports.metrics import regions
from bpu_reports.metrics.compute import MetricSet
from bpu_reports.metrics.membership import ADDITIVE
from bpu_reports.metrics.targets import summarise
from bpu_reports.period import Period


@dataclass(frozen=True)
class Unit:
    """Everything one report shows, for one branch or one region, at one month.

    ``trend`` has one row per window month; ``summary`` is the report month's figures as a
    plain dict; ``branches`` (region only) lists the region's branches with their summary
    figures and ranks, and ``branch_trend`` their monthly trends for small multiples.
    """

    kind: Literal["branch", "region"]
    code: str
    name: str
    region_code: str
    region_name: str
    office_type: str | None
    period: Period
    warehouse: WarehouseInfo
    summary: dict[str, Any]
    trend: pd.DataFrame
    ageing: pd.DataFrame
    breakdowns: pd.DataFrame
    outreach: pd.DataFrame
    cohorts: pd.DataFrame
    branches: pd.DataFrame = field(default_factory=pd.DataFrame)
    branch_trend: pd.DataFrame = field(default_factory=pd.DataFrame)


def _first_row(frame: pd.DataFrame) -> dict[str, Any]:
    """The first row as a dict keyed by column name."""
    return {str(k): v for k, v in frame.iloc[0].to_dict().items()}


def unit(metrics: MetricSet, kind: Literal["branch", "region"], code: str) -> Unit:
    """Slice (branch) or aggregate (region) ``metrics`` into one report's ``Unit``."""
    table = metrics.branches
    if kind == "branch":
        rows = table[table.branch_code == code]
        if rows.empty:
            raise ScopeError(f"branch {code!r} is not in the computed scope")
        b = rows.iloc[0]
        only = metrics.only([code])
        return Unit(
            kind="branch",
            code=code,
            name=str(b.branch_name),
            region_code=str(b.region_code),
            region_name=str(b.region_name),
            office_type=str(b.office_type),
            period=metrics.period,
            warehouse=metrics.warehouse,
            summary=_first_row(only.summary.drop(columns="branch_code")),
            trend=only.trend.drop(columns="branch_code"),
            ageing=only.ageing.drop(columns="branch_code"),
            breakdowns=only.breakdowns.drop(columns="branch_code"),
            outreach=only.outreach,
            cohorts=only.cohorts.drop(columns="branch_code"),
        )

    rows = table[table.region_code == code]
    if rows.empty:
        raise ScopeError(f"region {code!r} is not in the computed scope")
    only = metrics.only(list(rows.branch_code))
    branches = only.branches
    trend = regions.totals(only.trend, branches, ["m_idx", "period"])
    # as_index=False: a frame (region_code, target), which the stubs type as a Series
    targets = cast(
        pd.DataFrame,
        only.targets.merge(branches[["branch_code", "region_code"]], on="branch_code")
        .groupby("region_code", as_index=False)["target"]
        .sum(),
    )
    summary = summarise(trend, targets, metrics.period, "region_code")
    breakdowns = regions.totals(only.breakdowns, branches, ["dimension", "value"])
    ageing = only.ageing.merge(branches[["branch_code", "region_code"]], on="branch_code")
    ageing = ageing.groupby("bucket", as_index=False, observed=True).agg(
        members=("members", "sum"), arrears_value=("arrears_value", lambda s: s.sum(min_count=1))
    )
    cohort_cols = ["cohort", "months_since"]
    cohorts = only.cohorts.groupby(cohort_cols, as_index=False)[["cohort_size", "active"]].sum()
    cohorts["share"] = cohorts.active / cohorts.cohort_size
    ranked = regions.ranking(only.summary, branches)
    first = rows.iloc[0]
    return Unit(
        kind="region",
        code=code,
        name=str(first.region_name),
        region_code=code,
        region_name=str(first.region_name),
        office_type=None,
        period=metrics.period,
        warehouse=metrics.warehouse,
        summary=_first_row(summary.drop(columns="region_code")),
        trend=trend.drop(columns="region_code"),
        ageing=ageing,
        breakdowns=breakdowns.drop(columns="region_code"),
        outreach=only.outreach,
        cohorts=cohorts,
        branches=ranked,
        branch_trend=only.trend[["branch_code", "period", *ADDITIVE, "on_time_rate"]],
    )


def save_unit(u: Unit, path: Path) -> None:
    """Write a unit for a report process to load (same package version, same machine or
    shared file system; written atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(u, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def load_unit(path: Path) -> Unit:
    try:
        with path.open("rb") as fh:
            u = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError) as exc:
        raise ScopeError(f"cannot read the batch metrics file {path}: {exc}") from exc
    if not isinstance(u, Unit):
        raise ScopeError(f"{path} does not hold report metrics")
    return u
