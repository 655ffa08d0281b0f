"""One report's view of a metric set: a single branch, a region with its branches, or the
whole country with its regions and branches."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd

from bpu_reports import outdir
from bpu_reports.config import BATCH_KEY_ENV
from bpu_reports.data.contract import NATIONAL, NATIONAL_NAME
from bpu_reports.data.store import WarehouseInfo
from bpu_reports.errors import ScopeError
from bpu_reports.metrics import drivers, regions
from bpu_reports.metrics.explanation import Driver
from bpu_reports.metrics.membership import ADDITIVE
from bpu_reports.metrics.metric_set import MetricSet
from bpu_reports.metrics.targets import summarise
from bpu_reports.period import Period

Kind = Literal["branch", "region", "national"]


@dataclass(frozen=True)
class Unit:
    """Everything one report shows, for one branch, one region or the country, at one month.

    ``trend`` has one row per window month; ``summary`` is the report month's figures as a
    plain dict. A region or the country also has ``branches``: its branches with their
    summary figures, ranks (``metrics.regions.RANKS``; within the region, or nationwide) and
    changes (``metrics.regions.MOVERS``), and ``branch_trend``, their monthly trends for small
    multiples. The country has ``regions`` as well: one row per region, ranked the same way.
    ``drivers`` names what drove each large change of the month (``metrics.drivers``), from
    the unit's summed figures.
    A national unit's ``code`` and ``region_code`` are ``NATIONAL``, its names "Nasional".
    """

    kind: Kind
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
    regions: pd.DataFrame = field(default_factory=pd.DataFrame)
    drivers: tuple[Driver, ...] = ()


def _first_row(frame: pd.DataFrame) -> dict[str, Any]:
    """The first row as a dict keyed by column name."""
    return {str(k): v for k, v in frame.iloc[0].to_dict().items()}


def _summed(only: MetricSet, branches: pd.DataFrame, key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trend and the report month's summary of ``only``'s branches summed per ``key`` (a
    column of ``branches``), targets summed alike (rates recomputed from the sums)."""
    trend = regions.totals(only.trend, branches, ["m_idx", "period"], key=key)
    # as_index=False: a frame (key, target), which the stubs type as a Series
    targets = cast(
        pd.DataFrame,
        only.targets.merge(branches[["branch_code", key]], on="branch_code")
        .groupby(key, as_index=False)["target"]
        .sum(),
    )
    return trend, summarise(trend, targets, only.period, key)


def _group(only: MetricSet, **names: Any) -> Unit:
    """All of ``only``'s branches as one unit (a region, or the country): figures summed over
    them, rates recomputed from the sums; ``names`` are the unit's other fields."""
    key = "unit"
    one = only.branches[["branch_code"]].assign(unit="")
    trend, summary = _summed(only, one, key)
    breakdowns = regions.totals(only.breakdowns, one, ["dimension", "value"], key=key)
    ageing = only.ageing.groupby("bucket", as_index=False, observed=True).agg(
        members=("members", "sum"), arrears_value=("arrears_value", lambda s: s.sum(min_count=1))
    )
    cohort_cols = ["cohort", "months_since"]
    cohorts = only.cohorts.groupby(cohort_cols, as_index=False)[["cohort_size", "active"]].sum()
    cohorts["share"] = cohorts.active / cohorts.cohort_size
    return Unit(
        office_type=None,
        period=only.period,
        warehouse=only.warehouse,
        summary=_first_row(summary.drop(columns=key)),
        trend=trend.drop(columns=key),
        ageing=ageing,
        breakdowns=breakdowns.drop(columns=key),
        outreach=only.outreach,
        cohorts=cohorts,
        branch_trend=only.trend[["branch_code", "period", *ADDITIVE, "on_time_rate"]],
        drivers=tuple(drivers.explain_metrics(only)),
        **names,
    )


def unit(metrics: MetricSet, kind: Kind, code: str) -> Unit:
    """Slice (branch) or aggregate (region, or ``national``: every branch of ``metrics``)
    ``metrics`` into one report's ``Unit``. A national unit's code is ``NATIONAL``."""
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
            drivers=tuple(drivers.explain_metrics(only)),
        )

    if kind == "national":
        if code != NATIONAL:
            raise ScopeError(f"the national report's code is {NATIONAL}, not {code!r}")
        if table.empty:
            raise ScopeError("the computed scope has no branches: no national report")
        _, by_region = _summed(metrics, table, "region_code")
        return _group(
            metrics,
            kind="national",
            code=NATIONAL,
            name=NATIONAL_NAME,
            region_code=NATIONAL,
            region_name=NATIONAL_NAME,
            branches=regions.ranking(metrics.summary, table, within=None),
            regions=regions.league(by_region, table),
        )

    rows = table[table.region_code == code]
    if rows.empty:
        raise ScopeError(f"region {code!r} is not in the computed scope")
    only = metrics.only(list(rows.branch_code))
    name = str(rows.iloc[0].region_name)
    return _group(
        only,
        kind="region",
        code=code,
        name=name,
        region_code=code,
        region_name=name,
        branches=regions.ranking(only.summary, only.branches),
    )


KEY_ENV = BATCH_KEY_ENV
_TAG = hashlib.sha256().digest_size


def new_batch_key() -> str:
    return secrets.token_hex(32)


def save_unit(u: Unit, path: Path, key: str) -> None:
    """Write a unit for one of the batch's report kernels to load, signed with the batch's
    ``key`` (HMAC-SHA256), atomically (``publish.write_at``, the package's one atomic write)."""
    from bpu_reports import publish

    body = pickle.dumps(u, protocol=pickle.HIGHEST_PROTOCOL)
    tag = hmac.new(bytes.fromhex(key), body, hashlib.sha256).digest()
    # the unit holds unsuppressed small counts: readable by the batch's own user only, in a
    # folder of its own held open, so no link planted on the way can lead the file elsewhere
    with outdir.private_folder(path.parent) as folder:
        publish.write_at(folder, path.name, tag + body, mode=0o600)


def load_unit(path: Path, key: str | None = None) -> Unit:
    """The unit in ``path``, only if the running batch signed it (``key``, default: the
    batch's key in the environment). Nothing of the file is unpickled before its signature is
    checked, so a file made by anyone else is refused, not executed."""
    key = key if key is not None else os.environ.get(KEY_ENV, "")
    if not key:
        raise ScopeError(
            "metrics_file is set by the monthly batch only (`bpu-reports generate`); "
            "leave it empty to compute the report's metrics from the warehouse"
        )
    try:
        data = path.read_bytes()
        secret = bytes.fromhex(key)
    except (OSError, ValueError) as exc:
        raise ScopeError(f"cannot read the batch metrics file {path}: {exc}") from exc
    tag, body = data[:_TAG], data[_TAG:]
    if not hmac.compare_digest(tag, hmac.new(secret, body, hashlib.sha256).digest()):
        raise ScopeError(f"{path} is not a metrics file of this batch: refused, not read")
    u = pickle.loads(body)  # signed by this batch a moment ago
    if not isinstance(u, Unit):
        raise ScopeError(f"{path} does not hold report metrics")
    return u
