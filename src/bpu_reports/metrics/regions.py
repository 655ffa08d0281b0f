"""Figures above a branch: sums over a group of branches (a region, or the whole country;
rates recomputed from the sums, never averaged), the ranking of branches and of regions, and
the movers and target gaps a region or national report names (SPEC §2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bpu_reports.metrics.membership import ADDITIVE, add_rates

RANKS = ("rank_active", "rank_on_time", "rank_growth")
"""Ranks by active members, on-time rate and net growth (1 = best; ties share the better
rank); a table is ordered by the first."""

MOVERS = (
    "active_prev",
    "active_change",
    "on_time_rate_prev",
    "on_time_rate_change",
    "target",
    "projection_december",
    "target_gap",
    "target_gap_share",
    "required_monthly",
)
"""What changed since the previous month, how far the December projection falls short of
(negative) or passes the year's target, and the net additions a month the target needs;
NaN where there is no target."""


def totals(
    frame: pd.DataFrame, branches: pd.DataFrame, by: list[str], key: str = "region_code"
) -> pd.DataFrame:
    """Sum the additive columns of a branch-level ``frame`` per ``key`` (a column of
    ``branches``: the region by default) and ``by`` columns, then recompute the rates."""
    with_key = frame.merge(branches[["branch_code", key]], on="branch_code")
    cols = [c for c in ADDITIVE if c in frame.columns]
    out = with_key.groupby([key, *by], as_index=False, observed=True)[cols].sum()
    return add_rates(out)


def movers(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary`` (``targets.summarise``'s columns) with the change columns of ``MOVERS``:
    ``active_change`` = active − active_prev, ``on_time_rate_change`` = on_time_rate −
    on_time_rate_prev (in rate points), ``target_gap`` = projection_december − target
    (negative: short of the target) and ``target_gap_share`` = target_gap / target."""
    out = summary.copy()
    out["active_change"] = out.active - out.active_prev
    out["on_time_rate_change"] = out.on_time_rate - out.on_time_rate_prev
    target = out.target.astype("float64")
    out["target_gap"] = out.projection_december - target
    out["target_gap_share"] = out.target_gap / target.where(target > 0, np.nan)
    return out


def _rank(frame: pd.DataFrame, within: str | None) -> pd.DataFrame:
    """Add ``RANKS`` to ``frame``, within each value of the ``within`` column, or over all
    rows when ``within`` is None."""
    out = frame.copy()
    for rank, col in zip(RANKS, ("active", "on_time_rate", "net_change"), strict=True):
        values = out.groupby(within)[col] if within else out[col]
        out[rank] = values.rank(ascending=False, method="min").astype("Int64")
    return out


def ranking(
    summary: pd.DataFrame, branches: pd.DataFrame, within: str | None = "region_code"
) -> pd.DataFrame:
    """Branches ranked by active members, on-time rate and net growth, with their movers
    columns. ``within="region_code"`` ranks each region's branches among themselves (a region
    report); ``within=None`` ranks every branch of the country (the national report)."""
    out = _rank(movers(summary.merge(branches, on="branch_code")), within)
    cols = [
        "region_code",
        "region_name",
        "branch_code",
        "branch_name",
        "office_type",
        "registered",
        "active",
        "on_time_rate",
        "net_change",
        "target_progress",
        "on_track",
        *RANKS,
        *MOVERS,
    ]
    order = (
        ["rank_active", "branch_code"] if within is None else [within, "rank_active", "branch_code"]
    )
    return out[cols].sort_values(order, ignore_index=True)


def league(summary: pd.DataFrame, branches: pd.DataFrame) -> pd.DataFrame:
    """Regions ranked against each other as ``ranking`` ranks branches: one row per region of
    ``summary`` (``targets.summarise`` keyed by ``region_code``) with its name, its number of
    ``branches`` (offices in ``branches``), its figures, ``RANKS`` and ``MOVERS``."""
    names = branches.groupby("region_code", as_index=False).agg(
        region_name=("region_name", "first"), branches=("branch_code", "nunique")
    )
    out = _rank(movers(summary.merge(names, on="region_code")), None)
    cols = [
        "region_code",
        "region_name",
        "branches",
        "registered",
        "active",
        "active_share",
        "on_time_rate",
        "net_change",
        "target_progress",
        "on_track",
        *RANKS,
        *MOVERS,
    ]
    return out[cols].sort_values(["rank_active", "region_code"], ignore_index=True)
