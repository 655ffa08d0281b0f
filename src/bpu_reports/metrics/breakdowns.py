"""Registered / active / new / on-time by segment and by channel at the report month."""

from __future__ import annotations

import duckdb
import pandas as pd

from bpu_reports.metrics.membership import add_rates
from bpu_reports.metrics.panel import long_sql
from bpu_reports.period import Period

DIMENSIONS = ("segment", "channel")


def breakdowns(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Tidy: ``branch_code``, ``dimension`` ('segment' | 'channel'), ``value``, counts, rates."""
    frame = con.execute(
        f"""
        SELECT branch_code,
               CASE WHEN grouping(segment) = 0 THEN 'segment' ELSE 'channel' END AS dimension,
               coalesce(segment, channel) AS value,
               count(*) FILTER (WHERE registered) AS registered,
               count(*) FILTER (WHERE reg_idx = m_idx) AS new_registrations,
               count(*) FILTER (WHERE status = 'active') AS active,
               count(*) FILTER (WHERE status = 'in_arrears') AS in_arrears,
               count(*) FILTER (WHERE status = 'inactive') AS inactive,
               count(*) FILTER (WHERE on_time) AS on_time
        FROM ({long_sql(period)})
        WHERE m_idx = {period.index} AND (registered OR reg_idx = m_idx)
        GROUP BY GROUPING SETS ((branch_code, segment), (branch_code, channel))
        ORDER BY branch_code, dimension DESC, registered DESC, value
        """
    ).df()
    return add_rates(frame)
