"""Region figures: sums over a region's branches (rates recomputed from the sums, never
averaged) and the ranking of its branches (SPEC §2)."""

from __future__ import annotations

import pandas as pd

from bpu_reports.metrics.membership import ADDITIVE, add_rates


def totals(frame: pd.DataFrame, branches: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum the additive columns of a branch-level ``frame`` per region and ``by`` columns."""
    with_region = frame.merge(branches[["branch_code", "region_code"]], on="branch_code")
    cols = [c for c in ADDITIVE if c in frame.columns]
    out = with_region.groupby(["region_code", *by], as_index=False, observed=True)[cols].sum()
    return add_rates(out)


def ranking(summary: pd.DataFrame, branches: pd.DataFrame) -> pd.DataFrame:
    """Branches of each region ranked by active members, on-time rate and net growth
    (1 = best; ties share the better rank)."""
    out = summary.merge(branches, on="branch_code")
    groups = out.groupby("region_code")
    out["rank_active"] = groups.active.rank(ascending=False, method="min").astype("Int64")
    out["rank_on_time"] = groups.on_time_rate.rank(ascending=False, method="min").astype("Int64")
    out["rank_growth"] = groups.net_change.rank(ascending=False, method="min").astype("Int64")
    cols = [
        "region_code",
        "branch_code",
        "branch_name",
        "office_type",
        "registered",
        "active",
        "on_time_rate",
        "net_change",
        "target_progress",
        "rank_active",
        "rank_on_time",
        "rank_growth",
    ]
    return out[cols].sort_values(["region_code", "rank_active", "branch_code"], ignore_index=True)
