"""Outreach funnel per event (SPEC §2): potential → registered at the event → paid → active
at the report month, and active 3 and 6 months after the event when those months are known."""

from __future__ import annotations

import duckdb
import pandas as pd

from bpu_reports.metrics.panel import WINDOW, long_sql
from bpu_reports.period import Period


def funnel(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Events of the report year held up to the cut-off; ``in_month`` marks those held in M.

    ``active_3m`` / ``active_6m`` are NULL when the event month + 3 / + 6 is after M.
    """
    first = period.shift(-(WINDOW - 1)).index
    frame = con.execute(
        f"""
        WITH ev AS (
            SELECT e.event_id, e.branch_code, e.held_on, e.title, e.venue, e.segment,
                   e.potential, year(e.held_on) * 12 + month(e.held_on) - 1 AS ev_idx
            FROM outreach_events e
            WHERE e.branch_code IN (SELECT branch_code FROM scope_branches)
              AND e.held_on <= DATE '{period.cutoff.isoformat()}'
              AND year(e.held_on) = {period.year}
        ),
        joined AS (
            SELECT l.event_id, l.member_key, l.m_idx, l.status, l.n_payments
            FROM ({long_sql(period, "event_id IS NOT NULL")}) l
            WHERE l.event_id IN (SELECT event_id FROM ev) AND l.m_idx >= {first}
        ),
        counts AS (
            SELECT ev.event_id,
                   count(DISTINCT j.member_key) AS registered,
                   count(DISTINCT j.member_key) FILTER (WHERE j.n_payments > 0) AS paid,
                   count(*) FILTER (WHERE j.m_idx = {period.index} AND j.status = 'active')
                     AS active_now,
                   count(*) FILTER (WHERE j.m_idx = ev.ev_idx + 3 AND j.status = 'active')
                     AS active_3m,
                   count(*) FILTER (WHERE j.m_idx = ev.ev_idx + 6 AND j.status = 'active')
                     AS active_6m
            FROM ev LEFT JOIN joined j USING (event_id)
            GROUP BY ev.event_id
        )
        SELECT ev.event_id, ev.branch_code, ev.held_on, ev.title, ev.venue, ev.segment,
               ev.potential::BIGINT AS potential,
               ev.ev_idx = {period.index} AS in_month,
               c.registered::BIGINT AS registered, c.paid::BIGINT AS paid,
               c.active_now::BIGINT AS active_now,
               CASE WHEN ev.ev_idx + 3 <= {period.index} THEN c.active_3m END AS active_3m,
               CASE WHEN ev.ev_idx + 6 <= {period.index} THEN c.active_6m END AS active_6m
        FROM ev JOIN counts c USING (event_id)
        ORDER BY ev.branch_code, ev.held_on, ev.event_id
        """
    ).df()
    frame["held_on"] = pd.to_datetime(frame.held_on).dt.date
    frame["conversion"] = frame.registered / frame.potential.where(frame.potential > 0)
    return frame
