"""The member panel: every member of the scope with their paid-through month at each of the
13 month-ends of the report window (M-12 … M), computed in one DuckDB pass.

Everything else (statuses, on-time, ageing, breakdowns, funnel, cohorts) is an aggregate of
this panel, so the payment history is scanned once per computation whatever the scope size.

Definitions (SPEC §2), with months as indexes ``year * 12 + month - 1``:

- ``paid_through(p, m)`` = the largest ``first_month + months - 1`` over ``p``'s payments with
  ``paid_on`` on or before the end of month ``m``; the month before the registration month
  when there is none;
- ``on_time(p, m)`` = some payment covering month ``m`` was made on or before ``due(m)``.
"""

from __future__ import annotations

import duckdb

from bpu_reports.data import reference
from bpu_reports.period import Period

WINDOW = 13  # M-12 … M: the previous month and the same month a year before are both in it

MONTH_IDX = "(year({d}) * 12 + month({d}) - 1)"


def month_idx(column: str) -> str:
    return MONTH_IDX.format(d=column)


def build(con: duckdb.DuckDBPyConnection, period: Period, branch_codes: list[str]) -> None:
    """Create ``scope_branches`` and ``panel`` (temp tables) and the ``pay`` view on ``con``.

    ``pay`` stays a view: materialising every payment of a national scope costs gigabytes,
    while each of its two readers (the panel aggregate, the window's collections) streams it.
    ``panel`` keeps each member's ``registered_on`` day: who joined after a month's due date
    could not be on time for it (``breakdowns.joiners``).
    """
    reference.register(con)
    first = period.shift(-(WINDOW - 1))
    dues = reference.due_dates(first.year, period.year)
    due = {int(i): d for i, d in zip(dues.month_idx, dues.due_date, strict=True)}
    months = [first.shift(i) for i in range(WINDOW)]

    con.execute("CREATE OR REPLACE TEMP TABLE scope_branches (branch_code VARCHAR PRIMARY KEY)")
    con.executemany("INSERT INTO scope_branches VALUES (?)", [(c,) for c in branch_codes])

    cutoff = period.cutoff.isoformat()
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW pay AS
        SELECT c.member_key,
               c.paid_on,
               {month_idx("c.paid_on")} AS pay_idx,
               {month_idx("c.first_month")} AS first_idx,
               {month_idx("c.first_month")} + c.months - 1 AS end_idx,
               c.months,
               c.amount_jkk, c.amount_jkm, c.amount_jht,
               p.branch_code
        FROM contributions c
        JOIN participants p USING (member_key)
        WHERE c.paid_on <= DATE '{cutoff}'
          AND p.registered_on <= DATE '{cutoff}'
          AND p.branch_code IN (SELECT branch_code FROM scope_branches)
        """
    )

    paid_through = ", ".join(
        f"max(end_idx) FILTER (WHERE pay_idx <= {m.index}) AS pt_{i}" for i, m in enumerate(months)
    )
    on_time = ", ".join(
        f"bool_or(first_idx <= {m.index} AND end_idx >= {m.index} "
        f"AND paid_on <= DATE '{due[m.index].isoformat()}') AS ot_{i}"
        for i, m in enumerate(months)
    )
    pt_list = ", ".join(f"coalesce(a.pt_{i}, m.reg_idx - 1)" for i in range(WINDOW))
    ot_list = ", ".join(f"coalesce(a.ot_{i}, false)" for i in range(WINDOW))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE panel AS
        WITH members AS (
            SELECT member_key, branch_code, segment, channel, event_id,
                   declared_income, has_jht, registered_on,
                   {month_idx("registered_on")} AS reg_idx,
                   CASE WHEN exited_on IS NULL THEN NULL ELSE {month_idx("exited_on")} END
                       AS exit_idx
            FROM participants
            WHERE registered_on <= DATE '{cutoff}'
              AND branch_code IN (SELECT branch_code FROM scope_branches)
        ),
        agg AS (
            SELECT member_key, count(*) AS n_payments, {paid_through}, {on_time}
            FROM pay GROUP BY member_key
        )
        SELECT m.*,
               coalesce(a.n_payments, 0) AS n_payments,
               [{pt_list}] AS pt,
               [{ot_list}] AS ot
        FROM members m LEFT JOIN agg a USING (member_key)
        """
    )


def long_sql(period: Period, where: str = "TRUE") -> str:
    """SQL of the panel unnested to one row per member and window month, with its status.

    Columns: the member's, plus ``m_idx``, ``registered`` (bool), ``months_behind``,
    ``status`` ('active' | 'in_arrears' | 'inactive', NULL when not registered), ``on_time``.
    """
    first = period.shift(-(WINDOW - 1)).index
    return f"""
        SELECT *,
               reg_idx <= m_idx AND (exit_idx IS NULL OR exit_idx > m_idx) AS registered,
               m_idx - pt_m AS months_behind,
               CASE WHEN NOT (reg_idx <= m_idx AND (exit_idx IS NULL OR exit_idx > m_idx))
                        THEN NULL
                    WHEN m_idx - pt_m <= 0 THEN 'active'
                    WHEN m_idx - pt_m <= 3 THEN 'in_arrears'
                    ELSE 'inactive' END AS status,
               (reg_idx <= m_idx AND (exit_idx IS NULL OR exit_idx > m_idx)) AND ot_m AS on_time
        FROM (
            SELECT member_key, branch_code, segment, channel, event_id, reg_idx, exit_idx,
                   declared_income, has_jht, n_payments,
                   unnest(pt) AS pt_m, unnest(ot) AS ot_m,
                   unnest(range({first}, {first + WINDOW})) AS m_idx
            FROM panel
            WHERE {where}
        )
    """
