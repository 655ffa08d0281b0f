"""Cohort retention (SPEC §2): members grouped by registration month, the share of the cohort
active k = 1…12 months later, for the cohorts of the report window."""

from __future__ import annotations

import duckdb
import pandas as pd

from bpu_reports.metrics.panel import WINDOW, long_sql
from bpu_reports.period import Period


def retention(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """``branch_code``, ``cohort`` (YYYY-MM), ``months_since`` (k), ``cohort_size``,
    ``active``, ``share``; only pairs whose month cohort + k is at or before M."""
    first = period.shift(-(WINDOW - 1)).index
    frame = con.execute(
        f"""
        SELECT branch_code, reg_idx, m_idx - reg_idx AS months_since,
               count(*) AS cohort_size,
               count(*) FILTER (WHERE status = 'active') AS active
        FROM ({long_sql(period, f"reg_idx >= {first}")})
        WHERE m_idx > reg_idx
        GROUP BY branch_code, reg_idx, m_idx
        ORDER BY branch_code, reg_idx, months_since
        """
    ).df()
    frame.insert(1, "cohort", [str(Period.from_index(int(i))) for i in frame.reg_idx])
    frame = frame.drop(columns="reg_idx")
    frame["share"] = frame.active / frame.cohort_size
    return frame
