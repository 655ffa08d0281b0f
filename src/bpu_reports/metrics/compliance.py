"""Arrears ageing at the report month: registered members by months behind, and what the
members still in the grace window (1–3 months) owe in contributions (SPEC §2); and how many
would be on time under another due date."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from bpu_reports.data.reference import TRANSPORT_SEGMENTS
from bpu_reports.metrics.panel import long_sql
from bpu_reports.period import Period

BUCKETS = ("1", "2", "3", "4-6", "7-12", ">12")


def ageing(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """``branch_code``, ``bucket``, ``members``, ``arrears_value``.

    ``arrears_value`` is months behind × the member's monthly contribution at the rates in
    force in the report month, for buckets 1–3 (arrears can be paid at most 3 months back);
    it is NaN for non-active members, whose arrears can no longer be paid.
    """
    transport = ", ".join(f"'{s}'" for s in TRANSPORT_SEGMENTS)
    day = period.first_day.isoformat()
    frame = con.execute(
        f"""
        WITH late AS (
            SELECT l.branch_code, l.months_behind,
                   CASE WHEN l.months_behind <= 3 THEN l.months_behind::VARCHAR
                        WHEN l.months_behind <= 6 THEN '4-6'
                        WHEN l.months_behind <= 12 THEN '7-12'
                        ELSE '>12' END AS bucket,
                   round(l.declared_income * r.jkk_rate) + r.jkm_amount
                     + CASE WHEN l.has_jht THEN round(l.declared_income * r.jht_rate) ELSE 0 END
                     AS monthly
            FROM ({long_sql(period, months=[period])}) l
            JOIN ref_rates r
              ON r.sector = CASE WHEN l.segment IN ({transport}) THEN 'transport'
                                 ELSE 'other' END
             AND DATE '{day}' BETWEEN r.valid_from AND r.valid_to
            WHERE l.m_idx = {period.index} AND l.registered AND l.months_behind >= 1
        ),
        grid AS (
            SELECT branch_code, bucket
            FROM scope_branches, unnest({list(BUCKETS)}) AS t(bucket)
        )
        SELECT grid.branch_code, grid.bucket,
               count(late.months_behind)::BIGINT AS members,
               CASE WHEN grid.bucket IN ('1', '2', '3')
                    THEN coalesce(sum(late.months_behind * late.monthly), 0) END::DOUBLE
                 AS arrears_value
        FROM grid LEFT JOIN late USING (branch_code, bucket)
        GROUP BY grid.branch_code, grid.bucket
        """
    ).df()
    frame["bucket"] = pd.Categorical(frame.bucket, categories=BUCKETS, ordered=True)
    return frame.sort_values(["branch_code", "bucket"]).reset_index(drop=True)


def on_time_by(con: duckdb.DuckDBPyConnection, period: Period, due: dt.date) -> pd.DataFrame:
    """``branch_code``, ``on_time``: the members active at the report month who paid it by
    ``due`` instead of its due date, what the on-time count would be under another due-date
    rule (the previous month's, when the rates table moves the due day)."""
    return con.execute(
        f"""
        WITH paid AS (
            SELECT DISTINCT member_key FROM pay
            WHERE first_idx <= {period.index} AND end_idx >= {period.index}
              AND paid_on <= DATE '{due.isoformat()}'
        )
        SELECT s.branch_code,
               count(l.member_key) FILTER (
                   WHERE l.status = 'active' AND l.member_key IN (SELECT member_key FROM paid)
               )::BIGINT AS on_time
        FROM scope_branches s
        LEFT JOIN ({long_sql(period, f"reg_idx <= {period.index}", months=[period])}) l
          ON l.branch_code = s.branch_code AND l.m_idx = {period.index}
        GROUP BY s.branch_code
        ORDER BY s.branch_code
        """
    ).df()
