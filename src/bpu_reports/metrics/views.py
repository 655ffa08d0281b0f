"""One report's view of a metric set: a single branch, or a region with its branches."""

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


KEY_ENV = "BPU_REPORTS_BATCH_KEY"
"""The monthly batch's secret for its metrics files: set in the environment of the batch's
workers and kernels only, never a notebook parameter, never written to disk."""
_TAG = hashlib.sha256().digest_size


def new_batch_key() -> str:
    return secrets.token_hex(32)


def save_unit(u: Unit, path: Path, key: str) -> None:
    """Write a unit for one of the batch's report kernels to load, signed with the batch's
    ``key`` (HMAC-SHA256), atomically."""
    body = pickle.dumps(u, protocol=pickle.HIGHEST_PROTOCOL)
    tag = hmac.new(bytes.fromhex(key), body, hashlib.sha256).digest()
    # the unit holds unsuppressed small counts: readable by the batch's own user only, in a
    # folder of its own held open, so no link planted on the way can lead the file elsewhere
    tmp = f".{path.name}.tmp"
    with outdir.private_folder(path.parent) as folder:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        fd = outdir.open_file(Path(tmp), flags, 0o600, dir_fd=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(tag + body)
        os.replace(tmp, path.name, src_dir_fd=folder, dst_dir_fd=folder)


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
