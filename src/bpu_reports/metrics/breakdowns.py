"""Registered / active / new / on-time by segment and by channel at the report month (and the
month before, for explaining changes), and the month's new members by where they came from."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from bpu_reports.data import reference
from bpu_reports.metrics.membership import add_rates
from bpu_reports.metrics.panel import WINDOW, behind_at, long_sql, on_time_at
from bpu_reports.period import Period

DIMENSIONS = ("segment", "channel")
JOINER_COUNTS = ("new_registrations", "active", "late_active", "late_on_time")
"""The additive columns of ``joiners`` (they sum across branches)."""


def by_month(
    con: duckdb.DuckDBPyConnection, period: Period, months: Sequence[Period]
) -> dict[Period, pd.DataFrame]:
    """The breakdowns of each of ``months`` (window months of the report month ``period``)
    from one scan of the panel, each tidy: ``branch_code``, ``dimension`` ('segment' |
    'channel'), ``value``, counts (``registered``, ``new_registrations``, ``active``,
    ``in_arrears``, ``inactive``, ``on_time``) and rates."""
    frame = con.execute(
        f"""
        SELECT m_idx, branch_code,
               CASE WHEN grouping(segment) = 0 THEN 'segment' ELSE 'channel' END AS dimension,
               coalesce(segment, channel) AS value,
               count(*) FILTER (WHERE registered) AS registered,
               count(*) FILTER (WHERE reg_idx = m_idx) AS new_registrations,
               count(*) FILTER (WHERE status = 'active') AS active,
               count(*) FILTER (WHERE status = 'in_arrears') AS in_arrears,
               count(*) FILTER (WHERE status = 'inactive') AS inactive,
               count(*) FILTER (WHERE on_time) AS on_time
        FROM ({long_sql(period, months=months)})
        WHERE registered OR reg_idx = m_idx
        GROUP BY GROUPING SETS ((m_idx, branch_code, segment), (m_idx, branch_code, channel))
        ORDER BY m_idx, branch_code, dimension DESC, registered DESC, value
        """
    ).df()
    return {
        m: add_rates(frame[frame.m_idx == m.index].drop(columns="m_idx").reset_index(drop=True))
        for m in months
    }


def joiners(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """The members who registered in the report month and in the month before, per outreach
    event they came through, or per channel when they came through none.

    One row per ``branch_code``, ``period`` (YYYY-MM, the registration month), ``source``
    ('event' | 'channel') and where they came from: ``event_id``, ``venue``, ``held_on``,
    ``title`` for an event (``channel`` empty), ``channel`` otherwise (event columns empty).
    Counts at the end of the registration month: ``new_registrations``; ``active``;
    ``late_active``, those active who registered after the month's due date, so could not pay
    it on time; ``late_on_time``, those of them on time all the same (a payment dated before
    the registration; normally 0).
    """
    first = period.shift(-(WINDOW - 1)).index
    months = (period.shift(-1), period)
    due = ", ".join(
        f"({m.index}, DATE '{reference.due_date(m.year, m.month).isoformat()}')" for m in months
    )
    frame = con.execute(
        f"""
        WITH dues(m_idx, due_date) AS (VALUES {due}),
        j AS (
            SELECT p.branch_code, p.reg_idx, p.event_id, p.channel,
                   (p.exit_idx IS NULL OR p.exit_idx > p.reg_idx)
                     AND {behind_at("p.reg_idx", first)} = 0 AS active,
                   p.registered_on > d.due_date AS late,
                   {on_time_at("p.reg_idx", first)} AS on_time
            FROM panel p JOIN dues d ON d.m_idx = p.reg_idx
        )
        SELECT j.branch_code, j.reg_idx,
               CASE WHEN j.event_id IS NULL THEN 'channel' ELSE 'event' END AS source,
               j.event_id, e.venue, e.held_on, e.title,
               CASE WHEN j.event_id IS NULL THEN j.channel END AS channel,
               count(*)::BIGINT AS new_registrations,
               count(*) FILTER (WHERE active)::BIGINT AS active,
               count(*) FILTER (WHERE active AND late)::BIGINT AS late_active,
               count(*) FILTER (WHERE active AND late AND on_time)::BIGINT AS late_on_time
        FROM j LEFT JOIN outreach_events e USING (event_id)
        GROUP BY ALL
        ORDER BY j.branch_code, j.reg_idx, source, j.event_id, channel
        """
    ).df()
    frame.insert(1, "period", [str(Period.from_index(int(i))) for i in frame.reg_idx])
    frame["held_on"] = pd.to_datetime(frame.held_on).dt.date
    return frame.drop(columns="reg_idx")
