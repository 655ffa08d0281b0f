"""The tidy frames behind each chart and table, one function each, which ``report/data.py``
catalogues for ``Report.data`` (its docstring says what every frame holds and the privacy
rule they follow): :func:`trend_of` (the trend the charts draw), :func:`private` (a frame
below branch level, with its ``suppressed`` flag), the unit's own frames, and the offices
the region and national tables pick from the ranking (:func:`behind_target`,
:func:`movers`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from bpu_reports.metrics import serialize
from bpu_reports.metrics.privacy import SMALL, WITHHELD, suppress_small_cells
from bpu_reports.metrics.views import Unit


def trend_of(unit: Unit) -> pd.DataFrame:
    """The unit's 13-month trend, oldest month first (what the trend charts draw)."""
    return unit.trend.sort_values("period").reset_index(drop=True)


def private(frame: pd.DataFrame, rule: Callable[[pd.DataFrame], pd.DataFrame], raw: bool) -> Any:
    """``frame`` with the cells ``rule`` (a ``metrics.serialize.safe_*`` function) would
    show as "< 5" or "–" set missing, unless ``raw``; the ``suppressed`` flag either way.

    The rule's columns are float64 in both cases, so a frame's dtypes never depend on the
    data or on ``raw``."""
    safe = rule(frame)
    out = frame.copy()
    hidden = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for col in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[col]) and safe[col].dtype == object:
            hidden[col] = safe[col].isin([SMALL, WITHHELD])
            out[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
            if not raw:
                out[col] = out[col].mask(hidden[col])
    out["suppressed"] = hidden.any(axis=1)
    return out


def _public(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame at branch level or above: nothing to suppress."""
    out = frame.reset_index(drop=True)
    out["suppressed"] = False
    return out


def _period(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(period=frame.period.astype(str))


def membership(unit: Unit, raw: bool = False) -> pd.DataFrame:
    tr = trend_of(unit)
    cols = ["period", "registered", "active", "in_arrears", "inactive", "new_registrations"]
    return _public(_period(tr[cols]))


def target(unit: Unit, raw: bool = False) -> pd.DataFrame:
    """Months of the report year: registered so far, a straight projection from the report
    month to December (as the chart draws it) and the year's target."""
    s, p = unit.summary, unit.period
    tr = trend_of(unit)
    rows = pd.DataFrame({"period": [f"{p.year}-{m:02d}" for m in range(1, 13)]})
    rows = rows.merge(_period(tr[["period", "registered"]]), on="period", how="left")
    registered = rows.registered.astype("float64")
    now = float(s["registered"]) if s.get("registered") is not None else np.nan
    projected = s.get("projection_december")
    projected = now if projected is None or pd.isna(projected) else float(projected)
    month = np.arange(1, 13)
    step = (projected - now) / max(12 - p.month, 1)
    projection = np.where(month >= p.month, now + (month - p.month) * step, np.nan)
    goal = s.get("target")
    return _public(
        pd.DataFrame(
            {
                "period": rows.period,
                "registered": registered.where(month <= p.month),
                "projection": projection,
                "target": float(goal) if goal is not None and not pd.isna(goal) else np.nan,
            }
        )
    )


def on_time(unit: Unit, raw: bool = False) -> pd.DataFrame:
    return _public(_period(trend_of(unit)[["period", "active", "on_time", "on_time_rate"]]))


def ageing(unit: Unit, raw: bool = False) -> pd.DataFrame:
    frame = unit.ageing[["bucket", "members", "arrears_value"]]
    return _public(frame.assign(bucket=frame.bucket.astype(str)))


def collections(unit: Unit, raw: bool = False) -> pd.DataFrame:
    cols = ["period", "collected_jkk", "collected_jkm", "collected_jht", "collected_amount"]
    return _public(_period(trend_of(unit)[cols]))


def prepayment(unit: Unit, raw: bool = False) -> pd.DataFrame:
    """Long: one row per month and number of months a payment covers."""
    mix = ["mix_1", "mix_3", "mix_6", "mix_12", "mix_other"]
    tr = _period(trend_of(unit)[["period", *mix]])
    long = tr.melt(
        id_vars="period",
        value_vars=mix,
        var_name="months",
        value_name="payments",
    )
    long["months"] = long.months.str.removeprefix("mix_")
    total = long.groupby("period").payments.transform("sum")
    long["share"] = (long.payments / total.where(total > 0)).astype("float64")
    order = {m: i for i, m in enumerate(["1", "3", "6", "12", "other"])}
    long = long.sort_values(
        ["period", "months"], key=lambda c: c.map(order) if c.name == "months" else c
    )
    return _public(long)


def events(unit: Unit, raw: bool = False) -> pd.DataFrame:
    """The year's outreach events, most recent first (``in_month`` marks this month's)."""
    frame = unit.outreach.sort_values(["held_on", "event_id"], ascending=False)
    frame = frame.reset_index(drop=True)
    return private(frame, serialize.safe_outreach, raw)


OUTREACH_COUNTS = ["potential", "registered", "paid", "active_now"]
"""What the year's events add up to per office (``outreach_by_office``)."""


def outreach_by_office(unit: Unit, raw: bool = False) -> pd.DataFrame:
    """The year's outreach per office: per branch in a region's report (``branch_code``,
    ``branch_name``), per region in the national one (``region_code``, ``region_name``).
    Events held, their potential, who registered at them, paid and is active now, and the
    conversion from the sums; every office, those without an event too, the most registered
    first. Sums at branch level or above, so nothing is suppressed (a branch report lists
    its own events, with their small cells as "< 5")."""
    events = unit.outreach
    level = "region" if unit.kind == "national" else "branch"
    key, name = f"{level}_code", f"{level}_name"
    if level == "region":
        offices = unit.regions[[key, name]]
        events = events.merge(unit.branches[["branch_code", key]], on="branch_code")
    elif unit.branches.empty:  # a branch's own unit: its one row
        offices = pd.DataFrame({key: [unit.code], name: [unit.name]})
    else:
        offices = unit.branches[[key, name]]
    sums = events.groupby(key)[OUTREACH_COUNTS].sum()
    sums["events"] = events.groupby(key).size()
    frame = offices.merge(sums, left_on=key, right_index=True, how="left")
    counts = ["events", *OUTREACH_COUNTS]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    potential = frame.potential.where(frame.potential > 0)
    frame["conversion"] = (frame.registered / potential).astype("float64")
    frame = frame.sort_values(["registered", key], ascending=[False, True])
    return _public(frame[[key, name, *counts, "conversion"]])


def cohorts(unit: Unit, raw: bool = False) -> pd.DataFrame:
    frame = unit.cohorts.sort_values(["cohort", "months_since"]).reset_index(drop=True)
    return private(frame, serialize.safe_cohorts, raw)


def small_multiples(unit: Unit, raw: bool = False) -> pd.DataFrame:
    cols = ["period", "registered", "active", "on_time_rate"]
    if unit.branch_trend.empty:
        frame = trend_of(unit)[cols].assign(branch_code=unit.code)
    else:
        frame = unit.branch_trend[["branch_code", *cols]]
    frame = _period(frame).sort_values(["branch_code", "period"])
    return _public(frame[["branch_code", *cols]])


def programs(unit: Unit, raw: bool = False) -> pd.DataFrame:
    s = unit.summary
    amounts = [float(s[f"collected_{p.lower()}"]) for p in ("JKK", "JKM", "JHT")]
    total = float(s["collected_amount"])
    frame = pd.DataFrame({"program": ["JKK", "JKM", "JHT"], "amount": amounts})
    frame["share"] = frame.amount / total if total else np.nan
    return _public(frame)


def breakdown_rows(unit: Unit, dimension: str) -> pd.DataFrame:
    """The unit's rows of one breakdown ``dimension`` (``segment`` or ``channel``), largest
    first (registered members, then the code): a branch's order, and a region's or the
    country's, whose sums come out alphabetical, in the same order."""
    rows = unit.breakdowns[unit.breakdowns.dimension == dimension]
    rows = rows.sort_values(["registered", "value"], ascending=[False, True], kind="stable")
    return rows.reset_index(drop=True)


def branches(unit: Unit, raw: bool = False) -> pd.DataFrame:
    return _public(unit.branches.copy())


def regions(unit: Unit, raw: bool = False) -> pd.DataFrame:
    """The country's regions ranked by active members (empty below the national report)."""
    return _public(unit.regions.copy())


BEHIND = 10
"""Offices the behind-target table lists at most."""
EACH_WAY = 5
"""Offices the movers table lists at most each way (up, down)."""

_OFFICE = ["region_code", "region_name", "branch_code", "branch_name"]
_BEHIND_COLS = [
    *_OFFICE,
    "registered",
    "target",
    "projection_december",
    "target_gap",
    "target_gap_share",
    "target_progress",
]
_MOVER_COLS = [
    "direction",
    *_OFFICE,
    "active_prev",
    "active",
    "active_change",
    "on_time_rate_prev",
    "on_time_rate",
    "on_time_rate_change",
]
_TEXT = {"direction", *_OFFICE}


def _offices(unit: Unit, cols: list[str]) -> pd.DataFrame:
    """The unit's ranked branches (``Unit.branches``) with ``cols``; none, with the same
    columns and dtypes, for a branch's report."""
    if unit.branches.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in _TEXT else "float64") for c in cols})
    return unit.branches


def behind_target(unit: Unit, raw: bool = False, n: int = BEHIND) -> pd.DataFrame:
    """The offices whose December projection falls short of their target
    (``target_gap`` < 0), furthest behind first: by the shortfall as a share of the target
    (``target_gap_share``, most negative first), then by code; at most ``n``.
    ``required_monthly`` (net additions a month still needed) comes too when the ranking
    carries it. Offices without a target are never behind."""
    offices = _offices(unit, _BEHIND_COLS)
    cols = [*_BEHIND_COLS, *(["required_monthly"] if "required_monthly" in offices else [])]
    short = offices[offices.target_gap < 0]
    short = short.sort_values(["target_gap_share", "branch_code"], kind="stable")
    return _public(short[cols].head(n))


def safe_movers(frame: pd.DataFrame) -> pd.DataFrame:
    """The movers as shown: active members under 5 (this month or last) as "< 5", and the
    changes and rates computed from them withheld, so no small count can be worked back."""
    both = ["active_prev", "active"]
    return suppress_small_cells(
        frame,
        both,
        {
            "active_change": both,
            "on_time_rate_prev": ["active_prev"],
            "on_time_rate": ["active"],
            "on_time_rate_change": both,
        },
    )


def movers(unit: Unit, raw: bool = False, n: int = EACH_WAY) -> pd.DataFrame:
    """The offices whose active members changed most since last month: at most ``n`` that
    rose (``direction`` "up", largest rise first) then at most ``n`` that fell ("down",
    largest fall first), ties by code, with the on-time rate before and after. Offices
    with no change are not movers. Active members under 5 follow the privacy rule
    (:func:`safe_movers`)."""
    offices = _offices(unit, _MOVER_COLS).assign(direction="")
    change = offices.active_change
    up = offices[change > 0].sort_values(
        ["active_change", "branch_code"], ascending=[False, True], kind="stable"
    )
    down = offices[change < 0].sort_values(["active_change", "branch_code"], kind="stable")
    frame = pd.concat(
        [up.head(n).assign(direction="up"), down.head(n).assign(direction="down")],
        ignore_index=True,
    )
    return private(frame[_MOVER_COLS], safe_movers, raw).reset_index(drop=True)
