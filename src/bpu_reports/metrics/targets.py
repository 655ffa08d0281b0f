"""The report month's figures per unit (branch or region) with their changes on the previous
month and the same month a year before, and target progress with its projection (SPEC §2)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from bpu_reports.metrics.membership import add_rates
from bpu_reports.period import Period

KPIS = (
    "registered",
    "active",
    "active_share",
    "on_time_rate",
    "new_registrations",
    "collected_amount",
)


def branch_targets(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    return con.execute(
        """
        SELECT branch_code, target_registered AS target FROM targets
        WHERE year = ? AND branch_code IN (SELECT branch_code FROM scope_branches)
        """,
        [year],
    ).df()


def summarise(trend: pd.DataFrame, targets: pd.DataFrame, period: Period, key: str) -> pd.DataFrame:
    """One row per ``key`` value for ``period``.

    Adds ``<kpi>_prev`` and ``<kpi>_year_ago`` for the KPIs, ``net_change`` (registered on the
    previous month), and the target block: ``target``, ``target_progress``,
    ``avg_net_change_3m`` (mean net change over the last 3 months), ``months_left``,
    ``projection_december`` = registered + avg_net_change_3m × months_left,
    ``required_monthly`` = (target − registered) / months_left, ``on_track``.
    """
    by_month = add_rates(trend).set_index([key, "m_idx"])
    now = by_month.xs(period.index, level="m_idx")
    out = now.copy()
    for suffix, back in (("prev", 1), ("year_ago", 12), ("3m_ago", 3)):
        idx = period.shift(-back).index
        if idx in by_month.index.get_level_values("m_idx"):
            then = by_month.xs(idx, level="m_idx")
            for k in (*KPIS, "registered"):
                out[f"{k}_{suffix}"] = then[k].reindex(out.index)
        else:
            for k in KPIS:
                out[f"{k}_{suffix}"] = np.nan
    out["net_change"] = out.registered - out.registered_prev
    out["avg_net_change_3m"] = (out.registered - out.registered_3m_ago) / 3.0
    out = out.drop(columns=[c for c in out.columns if c.endswith("_3m_ago")])

    months_left = 12 - period.month
    target = targets.set_index(key)["target"].reindex(out.index).astype("float64")
    out["target"] = target
    out["target_progress"] = out.registered / target.where(target > 0)
    out["months_left"] = months_left
    out["projection_december"] = out.registered + out.avg_net_change_3m * months_left
    gap = (target - out.registered).clip(lower=0)
    out["required_monthly"] = gap / months_left if months_left else gap.where(gap > 0, 0.0)
    out["on_track"] = (out.projection_december >= target).where(target.notna())
    return out.reset_index()
