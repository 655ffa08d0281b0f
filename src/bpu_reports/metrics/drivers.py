"""What drove a large change of the report month against the month before: the on-time rate,
active members and new registrations, each with its main driver found in the figures.

Pure functions over frames that add up across branches (``MetricSet.breakdowns``,
``breakdowns_prev``, ``joiners``, ``on_time_previous_rule``; ``rules`` is the same for every
branch): ``explain`` sums whatever rows it is given, so one branch, a region and the nation are
explained by the same code. No words here: the report turns each ``Driver`` into a sentence.
The ``Driver`` record is ``metrics.explanation``'s; what the rates table changes between the
two months (due day, contribution rates) is read by ``metrics.rule_changes``.

What a candidate explains of a change (its ``effect``, in the change's unit):

- **late joiners** of one source (an outreach event, or a channel): members who registered
  after the month's due date and are active at month-end could not pay it on time. Effect =
  the change minus the change with that source's late joiners left out of *both* months, so a
  channel whose members join late every month explains nothing of a change;
- **due date**: when the rates table moves the due day (PP 49/2020: the 15th → the 30th), the
  on-time rate minus the rate had the previous month's rule still held;
- **event**: for active members, the event's new members active at month-end (none of them was
  a member the month before); for new registrations, its registrations this month minus last
  month's;
- **segment**, **channel**: its change of active members, or of new registrations; for the
  on-time rate its part in a shift-share split — its own rate's change weighted by its average
  share of the active members, plus its change of share weighted by how far its rate is from
  the average. The parts of all segments (or all channels) add up to the change exactly.

The main driver of a large change is a candidate whose effect goes the way of the change and
is at least ``MAIN_SHARE`` of it. Causes (due date, late joiners, an event) go before places
(a segment, a channel), since why a figure moved tells a branch head more than where; among
those, the largest effect wins. A segment or channel holding every member of the unit in both
months is the unit itself, not an explanation. A large change with no such candidate has no
driver. A change of contribution rates in the report month is reported beside the main driver
of every large change (``kind="rates"``); the figures cannot tell how much of a change it
explains, so its ``effect`` is NaN. A candidate whose counts would put fewer than 5 members (but
more than none) in a sentence is never reported (SPEC §2, privacy).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from bpu_reports.metrics import rule_changes
from bpu_reports.metrics.breakdowns import JOINER_COUNTS
from bpu_reports.metrics.explanation import Driver, Kind, Metric
from bpu_reports.metrics.privacy import THRESHOLD
from bpu_reports.period import Period

if TYPE_CHECKING:
    from bpu_reports.metrics.metric_set import MetricSet

ON_TIME_RATE_LARGE = 0.02
"""A change of the on-time rate is large from 2 percentage points (0.02 in rate units), …"""
RATE_MIN_ACTIVE = 50
"""… when both months have at least 50 active members: over fewer, a rate moves by chance."""
ACTIVE_LARGE_SHARE = 0.05
"""A change of active members is large when it is at least 5 % of the previous month's …"""
ACTIVE_LARGE_MEMBERS = 50
"""… and at least 50 members: a small office's few members and the nation's tenths of a
percent both stay quiet."""
NEW_REGISTRATIONS_LARGE_SHARE = 0.20
"""New registrations swing more from month to month: a change is large from 20 % …"""
NEW_REGISTRATIONS_LARGE_MEMBERS = 50
"""… and 50 members. A count that was 0 the month before has started, not changed: it is
never large (the first month of the data, a new office)."""
MAIN_SHARE = 0.5
"""The main driver explains at least half of the change (its effect / the change ≥ 0.5)."""
CAUSES: tuple[Kind, ...] = ("due_date", "late_joiners", "event")
PLACES: tuple[Kind, ...] = ("segment", "channel")
_COUNT_FIGURES = (
    "members",
    "members_previous",
    "late_joiners_all",
    "active",
    "active_previous",
    "new_registrations",
)
_EVENT = ("event_id", "venue", "held_on", "title")
_JOINER_KEYS = ["period", "source", *_EVENT, "channel"]
_BREAKDOWN_COUNTS = ["registered", "new_registrations", "active", "on_time"]


def explain(
    summary: Mapping[str, Any],
    period: Period,
    *,
    breakdowns: pd.DataFrame,
    breakdowns_prev: pd.DataFrame,
    joiners: pd.DataFrame,
    rules: pd.DataFrame,
    on_time_previous_rule: pd.DataFrame,
) -> list[Driver]:
    """The drivers of the large changes of one unit in ``period`` (see the module docstring).

    ``summary`` holds the unit's ``active``, ``active_prev``, ``on_time``, ``on_time_rate``,
    ``on_time_rate_prev``, ``new_registrations`` and ``new_registrations_prev`` (a ``Unit``'s
    summary does); the frames are the unit's rows of the ``MetricSet`` frames of the same
    names, one branch's or many (they are summed here). For each large change, in the order
    on-time rate, active, new registrations: its main driver if one explains at least half,
    then a ``rates`` driver if contribution rates changed this month.
    """
    now = _sum(breakdowns, ["dimension", "value"], _BREAKDOWN_COUNTS)
    prev = _sum(breakdowns_prev, ["dimension", "value"], _BREAKDOWN_COUNTS)
    sources = _sum(joiners, _JOINER_KEYS, list(JOINER_COUNTS))
    rates = rule_changes.rates_driver_figures(rules, period)
    out: list[Driver] = []
    for metric, change, candidates in (
        _on_time_rate(summary, period, now, prev, sources, rules, on_time_previous_rule),
        _active(summary, period, now, prev, sources),
        _new_registrations(summary, period, now, prev, sources),
    ):
        if change is None:
            continue
        main = _main(candidates, change)
        if main is not None:
            out.append(main)
        if rates is not None:
            subject = str(rates["basis"])
            out.append(Driver(metric, change, "rates", subject, math.nan, rates))
    return out


def explain_metrics(metrics: MetricSet, branch_codes: Sequence[str] | None = None) -> list[Driver]:
    """The drivers of ``branch_codes`` of ``metrics`` taken together (default: all of them),
    a branch, a region or the nation, from their summed figures."""
    only = metrics if branch_codes is None else metrics.only(list(branch_codes))
    trend = only.trend
    cols = ["active", "on_time", "new_registrations"]
    now = trend.loc[trend.m_idx == metrics.period.index, cols].sum()
    prev = trend.loc[trend.m_idx == metrics.period.shift(-1).index, cols].sum()
    summary = {
        "active": int(now.active),
        "active_prev": int(prev.active),
        "on_time": int(now.on_time),
        "on_time_rate": _ratio(now.on_time, now.active),
        "on_time_rate_prev": _ratio(prev.on_time, prev.active),
        "new_registrations": int(now.new_registrations),
        "new_registrations_prev": int(prev.new_registrations),
    }
    return explain(
        summary,
        metrics.period,
        breakdowns=only.breakdowns,
        breakdowns_prev=only.breakdowns_prev,
        joiners=only.joiners,
        rules=only.rules,
        on_time_previous_rule=only.on_time_previous_rule,
    )


# ---------------------------------------------------------------- large changes and candidates


def _on_time_rate(
    summary: Mapping[str, Any],
    period: Period,
    now: pd.DataFrame,
    prev: pd.DataFrame,
    sources: pd.DataFrame,
    table: pd.DataFrame,
    previous_rule: pd.DataFrame,
) -> tuple[Metric, float | None, list[Driver]]:
    metric: Metric = "on_time_rate"
    a1, a0 = int(summary["active"]), int(summary["active_prev"])
    r1, r0 = summary["on_time_rate"], summary["on_time_rate_prev"]
    if min(a1, a0) < RATE_MIN_ACTIVE or _missing(r1) or _missing(r0):
        return metric, None, []
    change = float(r1) - float(r0)
    if round(abs(change), 12) < ON_TIME_RATE_LARGE:
        return metric, None, []
    o1 = int(summary["on_time"])
    o0 = int(prev.loc[prev.dimension == "segment", "on_time"].sum())
    out: list[Driver] = []

    moved = rule_changes.due_rule_change(table, period)
    if moved is not None and not previous_rule.empty:
        o_rule = int(previous_rule.on_time.sum())
        before = rule_changes.sector_row(table, period.shift(-1), "other")
        after = rule_changes.sector_row(table, period, "other")
        assert before is not None and after is not None  # due_rule_change found both
        figures = {
            "due_date": moved[0],
            "due_date_previous_rule": moved[1],
            "due_day": int(after.due_day),
            "due_day_previous": int(before.due_day),
            "rate": float(r1),
            "rate_previous_rule": o_rule / a1,
        }
        out.append(
            Driver(metric, change, "due_date", str(after.basis), (o1 - o_rule) / a1, figures)
        )

    due = rule_changes.due_date(table, period)
    this, last = str(period), str(period.shift(-1))
    all_late = int(sources.loc[sources.period == this, "late_active"].sum())
    for _, rows in sources.groupby(["source", *_EVENT, "channel"], dropna=False, sort=True):
        l1, t1 = _month_sum(rows, this, "late_active"), _month_sum(rows, this, "late_on_time")
        l0, t0 = _month_sum(rows, last, "late_active"), _month_sum(rows, last, "late_on_time")
        if l1 == 0 and l0 == 0:
            continue
        without_now = _ratio(o1 - t1, a1 - l1)
        without_prev = _ratio(o0 - t0, a0 - l0)
        if _missing(without_now) or _missing(without_prev):
            continue
        subject, where = _source(rows.iloc[0])
        figures = {
            "members": l1,
            "members_previous": l0,
            "late_joiners_all": all_late,
            "due_date": due,
            "rate": float(r1),
            "rate_previous": float(r0),
            "rate_without": without_now,
            "rate_without_previous": without_prev,
            **where,
        }
        effect = change - (without_now - without_prev)
        out.append(Driver(metric, change, "late_joiners", subject, effect, figures))

    rbar = (float(r1) + float(r0)) / 2
    for kind, value, cur, old in _places(now, prev, "active"):
        v1, v0 = int(cur.active), int(old.active)
        rate, rate_previous = _ratio(cur.on_time, v1), _ratio(old.on_time, v0)
        # a place without active members in one month weighs nothing there: any rate will do
        rv1 = rate_previous if _missing(rate) else rate
        rv0 = rate if _missing(rate_previous) else rate_previous
        w1, w0 = v1 / a1, v0 / a0
        effect = (w1 + w0) / 2 * (rv1 - rv0) + ((rv1 + rv0) / 2 - rbar) * (w1 - w0)
        figures = {
            "active": v1,
            "active_previous": v0,
            "rate": rate,
            "rate_previous": rate_previous,
        }
        out.append(Driver(metric, change, kind, value, effect, figures))
    return metric, change, out


def _active(
    summary: Mapping[str, Any],
    period: Period,
    now: pd.DataFrame,
    prev: pd.DataFrame,
    sources: pd.DataFrame,
) -> tuple[Metric, float | None, list[Driver]]:
    metric: Metric = "active"
    a1, a0 = int(summary["active"]), int(summary["active_prev"])
    change = float(a1 - a0)
    if not _large_count(change, a0, ACTIVE_LARGE_SHARE, ACTIVE_LARGE_MEMBERS):
        return metric, None, []
    out: list[Driver] = []
    events = sources[(sources.period == str(period)) & (sources.source == "event")]
    for _, e in events.iterrows():
        subject, where = _source(e)
        figures = {"members": int(e.active), "new_registrations": int(e.new_registrations)}
        out.append(Driver(metric, change, "event", subject, float(e.active), figures | where))
    out += _place_changes(metric, change, now, prev, "active")
    return metric, change, out


def _new_registrations(
    summary: Mapping[str, Any],
    period: Period,
    now: pd.DataFrame,
    prev: pd.DataFrame,
    sources: pd.DataFrame,
) -> tuple[Metric, float | None, list[Driver]]:
    metric: Metric = "new_registrations"
    n1, n0 = int(summary["new_registrations"]), int(summary["new_registrations_prev"])
    change = float(n1 - n0)
    if not _large_count(change, n0, NEW_REGISTRATIONS_LARGE_SHARE, NEW_REGISTRATIONS_LARGE_MEMBERS):
        return metric, None, []
    out: list[Driver] = []
    events = sources[sources.source == "event"]
    for _, rows in events.groupby(list(_EVENT), dropna=False, sort=True):
        e1 = _month_sum(rows, str(period), "new_registrations")
        e0 = _month_sum(rows, str(period.shift(-1)), "new_registrations")
        subject, where = _source(rows.iloc[0])
        figures = {"members": e1, "members_previous": e0, "new_registrations": e1}
        out.append(Driver(metric, change, "event", subject, float(e1 - e0), figures | where))
    out += _place_changes(metric, change, now, prev, "new_registrations")
    return metric, change, out


def _place_changes(
    metric: Metric, change: float, now: pd.DataFrame, prev: pd.DataFrame, column: str
) -> list[Driver]:
    out = []
    for kind, value, cur, old in _places(now, prev, column):
        v1, v0 = int(cur[column]), int(old[column])
        figures = {"members": v1, "members_previous": v0}
        out.append(Driver(metric, change, kind, value, float(v1 - v0), figures))
    return out


def _places(
    now: pd.DataFrame, prev: pd.DataFrame, column: str
) -> Iterator[tuple[Kind, str, pd.Series, pd.Series]]:
    """Each segment and channel with its counts in both months (zeros where absent), leaving
    out those with no ``column`` members in either month and those holding all of them in
    both (the whole unit is no explanation of its own change)."""
    for kind in PLACES:
        cur = now[now.dimension == kind].set_index("value")[_BREAKDOWN_COUNTS]
        old = prev[prev.dimension == kind].set_index("value")[_BREAKDOWN_COUNTS]
        values = sorted(set(cur.index) | set(old.index))
        cur, old = cur.reindex(values, fill_value=0), old.reindex(values, fill_value=0)
        total1, total0 = cur[column].sum(), old[column].sum()
        for value in values:
            v1, v0 = cur.at[value, column], old.at[value, column]
            if (v1 == 0 and v0 == 0) or (v1 == total1 and v0 == total0):
                continue
            yield kind, str(value), cur.loc[value], old.loc[value]


def _main(candidates: list[Driver], change: float) -> Driver | None:
    """The candidate explaining the most of ``change``, causes before places, if it explains
    at least ``MAIN_SHARE`` of it and may be told (privacy)."""
    for tier in (CAUSES, PLACES):
        fit = [
            d
            for d in candidates
            if d.kind in tier
            and d.effect * change > 0
            and abs(d.effect) >= MAIN_SHARE * abs(change) - 1e-12
            and _may_be_told(d)
        ]
        if fit:
            return max(fit, key=lambda d: (abs(d.effect), -tier.index(d.kind)))
    return None


def _may_be_told(d: Driver) -> bool:
    """No count in the sentence under 5 members, unless it is none (SPEC §2); a driver naming
    a group of members names at least 5."""
    counts = [int(d.figures[k]) for k in _COUNT_FIGURES if k in d.figures]
    return all(c == 0 or c >= THRESHOLD for c in counts) and (not counts or max(counts) > 0)


def _large_count(change: float, before: int, share: float, members: int) -> bool:
    return before > 0 and abs(change) >= members and abs(change) >= share * before - 1e-9


# ---------------------------------------------------------------- small helpers


def _sum(frame: pd.DataFrame, keys: list[str], counts: list[str]) -> pd.DataFrame:
    """``frame``'s ``counts`` summed per ``keys`` (empty keys kept as a group)."""
    if frame.empty:
        return pd.DataFrame(columns=[*keys, *counts])
    return frame.groupby(keys, dropna=False, sort=True, as_index=False)[counts].sum()


def _month_sum(rows: pd.DataFrame, period: str, column: str) -> int:
    return int(rows.loc[rows.period == period, column].sum())


def _source(row: Any) -> tuple[str, dict[str, Any]]:
    """The subject (venue, or channel code) and the figures naming a joiners' source."""
    if row["source"] == "event":
        where: dict[str, Any] = {
            "source": "event",
            "event_id": str(row["event_id"]),
            "venue": None if _missing(row["venue"]) else str(row["venue"]),
            "held_on": None if _missing(row["held_on"]) else row["held_on"],
            "title": None if _missing(row["title"]) else str(row["title"]),
        }
        return str(where["venue"] or where["event_id"]), where
    return str(row["channel"]), {"source": "channel", "channel": str(row["channel"])}


def _ratio(num: Any, den: Any) -> float:
    return float(num) / float(den) if den else math.nan


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)
