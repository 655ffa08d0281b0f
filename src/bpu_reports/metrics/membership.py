"""Membership and collections per branch and month over the report window (SPEC §2):
registered, new registrations, active / in arrears / non-active, on time, collections by
program, payment count and prepayment mix."""

from __future__ import annotations

import duckdb
import pandas as pd

from bpu_reports.metrics.panel import WINDOW, long_sql, patterns_sql
from bpu_reports.period import Period

COUNTS = ("registered", "new_registrations", "active", "in_arrears", "inactive", "on_time")
MONEY = ("collected_amount", "collected_jkk", "collected_jkm", "collected_jht")
MIX = ("mix_1", "mix_3", "mix_6", "mix_12", "mix_other")
ADDITIVE = (*COUNTS, *MONEY, "payments", *MIX)
"""Columns that sum across branches (rates are recomputed from them, never averaged)."""


def trend(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """One row per scope branch and window month, zeros where nothing happened. The statuses
    are counted over the panel's distinct member histories (``patterns_sql``)."""
    first = period.shift(-(WINDOW - 1)).index
    long = long_sql(
        period,
        source=f"({patterns_sql(period)})",
        columns="branch_code, reg_idx, exit_idx, n",
    )
    frame = con.execute(
        f"""
        WITH long AS ({long}),
        status AS (
            SELECT branch_code, m_idx,
                   sum(n) FILTER (WHERE registered) AS registered,
                   sum(n) FILTER (WHERE reg_idx = m_idx) AS new_registrations,
                   sum(n) FILTER (WHERE status = 'active') AS active,
                   sum(n) FILTER (WHERE status = 'in_arrears') AS in_arrears,
                   sum(n) FILTER (WHERE status = 'inactive') AS inactive,
                   sum(n) FILTER (WHERE on_time) AS on_time
            FROM long GROUP BY branch_code, m_idx
        ),
        coll AS (
            SELECT branch_code, pay_idx AS m_idx,
                   sum(amount_jkk + amount_jkm + amount_jht) AS collected_amount,
                   sum(amount_jkk) AS collected_jkk,
                   sum(amount_jkm) AS collected_jkm,
                   sum(amount_jht) AS collected_jht,
                   count(*) AS payments,
                   count(*) FILTER (WHERE months = 1) AS mix_1,
                   count(*) FILTER (WHERE months = 3) AS mix_3,
                   count(*) FILTER (WHERE months = 6) AS mix_6,
                   count(*) FILTER (WHERE months = 12) AS mix_12,
                   count(*) FILTER (WHERE months NOT IN (1, 3, 6, 12)) AS mix_other
            FROM window_pay
            GROUP BY branch_code, pay_idx
        ),
        grid AS (
            SELECT branch_code, m_idx
            FROM scope_branches, range({first}, {first + WINDOW}) AS t(m_idx)
        )
        SELECT grid.branch_code, grid.m_idx,
               {", ".join(f"coalesce(s.{c}, 0)::BIGINT AS {c}" for c in COUNTS)},
               {", ".join(f"coalesce(c.{m}, 0)::BIGINT AS {m}" for m in MONEY)},
               coalesce(c.payments, 0)::BIGINT AS payments,
               {", ".join(f"coalesce(c.{m}, 0)::BIGINT AS {m}" for m in MIX)}
        FROM grid
        LEFT JOIN status s USING (branch_code, m_idx)
        LEFT JOIN coll c USING (branch_code, m_idx)
        ORDER BY grid.branch_code, grid.m_idx
        """
    ).df()
    frame.insert(1, "period", [str(Period.from_index(int(i))) for i in frame.m_idx])
    return add_rates(frame)


def add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """(Re)compute the rates of a frame of additive counts; empty denominators give NaN."""
    out = frame.copy()
    out["on_time_rate"] = _ratio(out.on_time, out.active)
    out["active_share"] = _ratio(out.active, out.registered)
    return out


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return num.astype("float64") / den.astype("float64").where(den > 0)
