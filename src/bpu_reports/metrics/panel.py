"""The member panel: every member of the scope with how far behind they are at each of the
13 month-ends of the report window (M-12 … M) and whether they paid each window month on time,
computed in one DuckDB pass.

Everything else (statuses, on-time, ageing, breakdowns, funnel, cohorts) is an aggregate of
this panel. For the months a monthly run reports on (the last complete month, the data's last
month) the warehouse keeps the panel itself, folded when it was built (``data.state``); any
other month starts from the per-member state at the latest December checkpoint before it and
reads only the payments made after it, so a month costs the same whatever the years of
history; a warehouse built without that state is read by folding every payment since the
first (the same results).

Definitions (SPEC §2), with months as indexes ``year * 12 + month - 1``:

- ``paid_through(p, m)`` = the largest ``first_month + months - 1`` over ``p``'s payments with
  ``paid_on`` on or before the end of month ``m``; the month before the registration month
  when there is none;
- ``on_time(p, m)`` = some payment covering month ``m`` was made on or before ``due(m)``.

The panel holds both per member in two integers (``data.fold``): ``behind``, four bits per
window month ``i``, ``m - paid_through(p, m)`` clamped to ``0`` … ``FAR`` or ``NONE`` when no
payment was made by the end of ``m``; ``ot_bits``, bit ``i`` = on time in ``m``. ``long_sql``
reads them back as statuses.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from bpu_reports.data import fold, reference, state
from bpu_reports.data.fold import FAR, NONE, WINDOW, month_idx
from bpu_reports.period import Period

IN_SCOPE = "branch_code IN (SELECT branch_code FROM scope_branches)"

__all__ = ["FAR", "NONE", "WINDOW", "behind_at", "build", "long_sql", "on_time_at"]


def build(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    branch_codes: list[str],
    *,
    full_scan: bool | None = None,
) -> str:
    """Create ``scope_branches`` and ``panel`` (temp tables) and the ``pay`` and
    ``window_pay`` views on ``con``.

    From the warehouse's derived state (``data.state``) when it has one: the panel it keeps
    for the month (``"kept"``: the months a monthly run reports on), else the checkpoint
    before the month plus the payments made after it (``"folded"``), so the cost does not
    grow with the years of history. ``full_scan`` (default: only when the warehouse has no
    state) folds every payment since the first instead (``"scanned"``); all three give the
    same metrics. Returns which of the three made the panel.

    ``pay`` (the payments the panel was folded from: what can make a window month on time)
    and ``window_pay`` (the payments made in the window: its collections) stay views:
    materialising a national scope's payments costs gigabytes, while each reader streams
    them. ``panel`` keeps each member's ``registered_on`` day: who joined after a month's due
    date could not be on time for it (``breakdowns.joiners``).
    """
    reference.register(con)
    con.execute("CREATE OR REPLACE TEMP TABLE scope_branches (branch_code VARCHAR PRIMARY KEY)")
    con.executemany("INSERT INTO scope_branches VALUES (?)", [(c,) for c in branch_codes])
    if full_scan is None:
        full_scan = not state.available(con)
    if full_scan:
        _build_full(con, period)
        how = "scanned"
    else:
        how = _build_from_state(con, period)
    first = period.shift(-(WINDOW - 1))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW window_pay AS
        {fold.pay_sql(None, period.cutoff, _scope_filter(period))}
          AND paid_on >= DATE '{first.first_day.isoformat()}'
        """
        if not full_scan
        else f"CREATE OR REPLACE TEMP VIEW window_pay AS "
        f"SELECT * FROM pay WHERE pay_idx >= {first.index}"
    )
    return how


def _scope_filter(period: Period) -> str:
    """Members (or their payments) of the scope registered by the report month's end."""
    return f"{fold.registered_by(period)} AND {IN_SCOPE}"


IN_SCOPE = "branch_code IN (SELECT branch_code FROM scope_branches)"


def _aggregates(period: Period) -> tuple[str, str]:
    """The per-member paid-through and on-time columns over the ``pay`` rows (full scan)."""
    months, due = fold.window(period)
    paid_through = ", ".join(
        f"max(end_idx) FILTER (WHERE pay_idx <= {m.index}) AS pt_{i}" for i, m in enumerate(months)
    )
    on_time = ", ".join(
        f"bool_or(first_idx <= {m.index} AND end_idx >= {m.index} "
        f"AND paid_on <= DATE '{due[m.index].isoformat()}') AS ot_{i}"
        for i, m in enumerate(months)
    )
    return paid_through, on_time


def _build_full(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    """The panel from every payment since the first (warehouses without derived state), by
    the definitions written out month by month: the reference the fold is tested against."""
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
    paid_through, on_time = _aggregates(period)
    months, _ = fold.window(period)
    behind = " | ".join(
        f"(CASE WHEN a.pt_{i} IS NULL THEN {NONE} "
        f"ELSE least(greatest({m.index} - a.pt_{i}, 0), {FAR}) END << {4 * i})"
        for i, m in enumerate(months)
    )
    ot_bits = " | ".join(f"(CASE WHEN a.ot_{i} THEN {1 << i} ELSE 0 END)" for i in range(WINDOW))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE panel AS
        WITH members AS ({fold.members_sql(period, IN_SCOPE, pruned=False)}),
        agg AS (
            SELECT member_key, count(*) AS n_payments, {paid_through}, {on_time}
            FROM pay GROUP BY member_key
        )
        SELECT m.*,
               coalesce(a.n_payments, 0) AS n_payments,
               ({behind})::BIGINT AS behind,
               ({ot_bits})::INTEGER AS ot_bits
        FROM members m LEFT JOIN agg a USING (member_key)
        """
    )


def _build_from_state(con: duckdb.DuckDBPyConnection, period: Period) -> str:
    """The panel kept for the report month when the warehouse has one (``data.state``, the
    months a monthly run reports on), else folded from the checkpoint before the month and
    the payments after it (``data.fold.panel_sql``); ``pay`` holds those payments and the
    checkpoint's prepayments, flagged ``carried`` (their collections belong to earlier
    months). Returns how the panel was made."""
    c_idx = state.checkpoint_before(con, period)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW pay AS "
        f"{fold.pay_sql(c_idx, period.cutoff, _scope_filter(period))}"
    )
    if state.has_panel(con, period):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE panel AS SELECT * EXCLUDE (m_idx) FROM state_panels "
            f"WHERE m_idx = {period.index} AND {IN_SCOPE}"
        )
        return "kept"
    con.execute(f"CREATE OR REPLACE TEMP TABLE panel AS {fold.panel_sql(period, c_idx, IN_SCOPE)}")
    return "folded"


LONG_COLUMNS = (
    "member_key, branch_code, segment, channel, event_id, reg_idx, exit_idx, "
    "declared_income, has_jht, n_payments"
)


def long_sql(
    period: Period,
    where: str = "TRUE",
    *,
    months: Sequence[Period] | None = None,
    source: str = "panel",
    columns: str = LONG_COLUMNS,
) -> str:
    """SQL of the panel unnested to one row per member and window month, with its status.

    Columns: ``columns`` of ``source`` (the panel's member columns by default; a ``source``
    must have ``reg_idx``, ``exit_idx``, ``behind`` and ``ot_bits``), plus ``m_idx``,
    ``registered`` (bool), ``months_behind`` (0 for a member paid ahead, at most ``FAR`` for
    one who has paid), ``status`` ('active' | 'in_arrears' | 'inactive', NULL when not
    registered), ``on_time``. Only ``months`` when given (window months): each month costs
    a row per member.
    """
    first = period.shift(-(WINDOW - 1)).index
    wanted = (
        f"range({first}, {first + WINDOW})"
        if months is None
        else f"[{', '.join(str(m.index) for m in months)}]"
    )
    return f"""
        SELECT *,
               reg_idx <= m_idx AND (exit_idx IS NULL OR exit_idx > m_idx) AS registered,
               CASE WHEN NOT (reg_idx <= m_idx AND (exit_idx IS NULL OR exit_idx > m_idx))
                        THEN NULL
                    WHEN months_behind <= 0 THEN 'active'
                    WHEN months_behind <= 3 THEN 'in_arrears'
                    ELSE 'inactive' END AS status,
               (reg_idx <= m_idx AND (exit_idx IS NULL OR exit_idx > m_idx)) AND ot_m AS on_time
        FROM (
            SELECT * EXCLUDE (code),
                   CASE WHEN code = {NONE} THEN m_idx - reg_idx + 1 ELSE code END
                     AS months_behind
            FROM (
                SELECT * EXCLUDE (behind, ot_bits),
                       {behind_at("m_idx", first)} AS code,
                       {on_time_at("m_idx", first)} AS ot_m
                FROM (
                    SELECT {columns}, behind, ot_bits, unnest({wanted}) AS m_idx
                    FROM {source}
                    WHERE {where}
                )
            )
        )
    """


def patterns_sql(period: Period) -> str:
    """SQL of the panel's members counted (``n``) by ``branch_code`` and everything their
    statuses in the window depend on: the same statuses and counts as the panel in far fewer
    rows (most members repeat a handful of histories). Registration is kept from ``FAR + 1``
    months before the window and exit up to just after it: earlier or later, no status in
    the window changes."""
    first = period.shift(-(WINDOW - 1)).index
    return f"""
        SELECT branch_code, greatest(reg_idx, {first - FAR - 1}) AS reg_idx,
               least(exit_idx, {first + WINDOW}) AS exit_idx, behind, ot_bits,
               count(*) AS n
        FROM panel
        GROUP BY ALL
    """


def behind_at(index: str, first: int) -> str:
    """SQL of a ``panel`` row's ``behind`` code at window month ``index`` (an SQL
    expression; ``first`` is the window's first month): ``NONE`` or months behind."""
    return f"((behind >> (4 * ({index} - {first}))) & 15)"


def on_time_at(index: str, first: int) -> str:
    """SQL: whether a ``panel`` row paid window month ``index`` on time."""
    return f"((ot_bits >> ({index} - {first})) & 1 = 1)"
