"""The member panel: every member of the scope with their paid-through month at each of the
13 month-ends of the report window (M-12 … M), computed in one DuckDB pass.

Everything else (statuses, on-time, ageing, breakdowns, funnel, cohorts) is an aggregate of
this panel. The panel starts from the warehouse's per-member state at the latest yearly
checkpoint before the window (``data.state``) and reads only the payments made after it, so a
month costs the same whatever the years of history; a warehouse built without that state is
read by folding every payment since the first (the same results).

Definitions (SPEC §2), with months as indexes ``year * 12 + month - 1``:

- ``paid_through(p, m)`` = the largest ``first_month + months - 1`` over ``p``'s payments with
  ``paid_on`` on or before the end of month ``m``; the month before the registration month
  when there is none;
- ``on_time(p, m)`` = some payment covering month ``m`` was made on or before ``due(m)``.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from bpu_reports.data import reference, state
from bpu_reports.period import Period

WINDOW = 13  # M-12 … M: the previous month and the same month a year before are both in it

MONTH_IDX = "(year({d}) * 12 + month({d}) - 1)"


def month_idx(column: str) -> str:
    return MONTH_IDX.format(d=column)


def build(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    branch_codes: list[str],
    *,
    full_scan: bool | None = None,
) -> None:
    """Create ``scope_branches`` and ``panel`` (temp tables) and the ``pay`` view on ``con``.

    From the warehouse's derived state (``data.state``) when it has one: the latest
    checkpoint before the window plus the payments made after it, so the cost does not grow
    with the years of history. ``full_scan`` (default: only when the warehouse has no state)
    folds every payment since the first instead; both give the same metrics.

    ``pay`` stays a view: materialising every payment of a national scope costs gigabytes,
    while each of its two readers (the panel aggregate, the window's collections) streams it.
    ``panel`` keeps each member's ``registered_on`` day: who joined after a month's due date
    could not be on time for it (``breakdowns.joiners``).
    """
    reference.register(con)
    con.execute("CREATE OR REPLACE TEMP TABLE scope_branches (branch_code VARCHAR PRIMARY KEY)")
    con.executemany("INSERT INTO scope_branches VALUES (?)", [(c,) for c in branch_codes])
    if full_scan is None:
        full_scan = not state.available(con)
    if full_scan:
        _build_full(con, period)
    else:
        _build_from_state(con, period)


def _window(period: Period) -> tuple[list[Period], dict[int, dt.date]]:
    first = period.shift(-(WINDOW - 1))
    dues = reference.due_dates(first.year, period.year)
    due = {int(i): d for i, d in zip(dues.month_idx, dues.due_date, strict=True)}
    return [first.shift(i) for i in range(WINDOW)], due


def _aggregates(period: Period) -> tuple[str, str]:
    """The per-member paid-through and on-time columns over the ``pay`` rows."""
    months, due = _window(period)
    paid_through = ", ".join(
        f"max(end_idx) FILTER (WHERE pay_idx <= {m.index}) AS pt_{i}" for i, m in enumerate(months)
    )
    on_time = ", ".join(
        f"bool_or(first_idx <= {m.index} AND end_idx >= {m.index} "
        f"AND paid_on <= DATE '{due[m.index].isoformat()}') AS ot_{i}"
        for i, m in enumerate(months)
    )
    return paid_through, on_time


MEMBER_COLUMNS = f"""
    member_key, branch_code, segment, channel, event_id,
    declared_income, has_jht, registered_on,
    {month_idx("registered_on")} AS reg_idx,
    CASE WHEN exited_on IS NULL THEN NULL ELSE {month_idx("exited_on")} END AS exit_idx
"""


def _build_full(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    """The panel from every payment since the first (warehouses without derived state)."""
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
    pt_list = ", ".join(f"coalesce(a.pt_{i}, m.reg_idx - 1)" for i in range(WINDOW))
    ot_list = ", ".join(f"coalesce(a.ot_{i}, false)" for i in range(WINDOW))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE panel AS
        WITH members AS (
            SELECT {MEMBER_COLUMNS}
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


def _build_from_state(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    """The panel from the latest checkpoint before the window and the payments after it.

    - paid-through at a window month = the larger of the checkpoint's and the largest over
      the later payments made by that month's end (a maximum folds in any order), kept
      exact up to ``FAR`` months behind (``_folded``);
    - on time: a window month is after the checkpoint, so a payment covering it was either
      made after the checkpoint (read here) or is one of the checkpoint's prepayments, which
      ``pay`` carries (flagged ``carried``, their collections belong to earlier months);
    - ``n_payments`` = the checkpoint's count + the later payments made by the cut-off.

    Members who exited by the window's first month after registering before it are left out
    of ``panel`` (unless they came through an outreach event of the report year): they are
    registered in no window month, so no metric counts them.
    """
    cutoff = period.cutoff.isoformat()
    first = period.shift(-(WINDOW - 1)).index
    c_idx = state.checkpoint_before(con, first - 1)
    if c_idx is None:
        after, carried = "TRUE", ""
        base = "SELECT member_key, pt, n_payments FROM state_checkpoints WHERE false"
    else:
        after = f"paid_on > DATE '{state.month_end(c_idx).isoformat()}'"
        carried = f"""
            UNION ALL
            SELECT member_key, branch_code, registered_on, paid_on, first_month, months,
                   amount_jkk, amount_jkm, amount_jht, true
            FROM state_prepaid WHERE c_idx = {c_idx}"""
        base = f"SELECT member_key, pt, n_payments FROM state_checkpoints WHERE c_idx = {c_idx}"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW pay AS
        SELECT member_key,
               paid_on,
               {month_idx("paid_on")} AS pay_idx,
               {month_idx("first_month")} AS first_idx,
               {month_idx("first_month")} + months - 1 AS end_idx,
               months,
               amount_jkk, amount_jkm, amount_jht,
               branch_code,
               carried
        FROM (
            SELECT member_key, branch_code, registered_on, paid_on, first_month, months,
                   amount_jkk, amount_jkm, amount_jht, false AS carried
            FROM state_payments WHERE {after} AND paid_on <= DATE '{cutoff}'
            {carried}
        )
        WHERE registered_on <= DATE '{cutoff}'
          AND branch_code IN (SELECT branch_code FROM scope_branches)
        """
    )
    agg, pt_list, ot_list = _folded(period)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE panel AS
        WITH members AS (
            SELECT {MEMBER_COLUMNS}
            FROM participants
            WHERE registered_on <= DATE '{cutoff}'
              AND branch_code IN (SELECT branch_code FROM scope_branches)
              AND (exited_on IS NULL OR {month_idx("exited_on")} > {first}
                   OR {month_idx("registered_on")} >= {first}
                   OR event_id IN (SELECT event_id FROM outreach_events
                                   WHERE year(held_on) = {period.year}))
        ),
        agg AS ({agg}),
        base AS ({base})
        SELECT m.*,
               coalesce(s.n_payments, 0) + coalesce(a.n_payments, 0) AS n_payments,
               [{pt_list}] AS pt,
               [{ot_list}] AS ot
        FROM members m
        LEFT JOIN base s USING (member_key)
        LEFT JOIN agg a USING (member_key)
        """
    )


FAR = 13
"""Months behind from which every metric reads the same ('>12' in the ageing, non-active):
the derived panel records anything further behind as this many months behind."""
BITS = FAR + 1
PER_WORD = 4  # months per 64-bit aggregate: 4 × 14 bits


def _folded(period: Period) -> tuple[str, str, str]:
    """The per-member aggregate over ``pay`` and the panel's ``pt`` and ``ot`` list items,
    in 7 aggregates instead of 27 (the cost of the pass is its aggregate).

    For window month ``m`` a payment made by the end of ``m`` leaves the member at most
    ``v = clamp(m - end_idx, 0, FAR)`` months behind; the member is ``min(v)`` behind. Each
    ``v`` is written as ``FAR - v`` ones (a thermometer code), so a bit-or of the codes is the
    code of the smallest ``v``; four months share a 64-bit word. ``min(pay_idx)`` tells the
    months with no payment yet, whose paid-through month is the one before registration
    (kept exact: a member who never paid may be any number of months behind). Every metric
    reads ``m - pt`` only through ``<= 0``, ``1``…``3`` (arrears value), the ageing buckets
    and ``> 12``, all unchanged by writing ``pt`` as ``m - min(v, FAR)``.
    """
    months, due = _window(period)
    words: list[list[str]] = [[] for _ in range((WINDOW + PER_WORD - 1) // PER_WORD)]
    for i, m in enumerate(months):
        behind = f"least(greatest({m.index} - end_idx, 0), {FAR})"
        code = f"((1::BIGINT << ({FAR} - {behind})) - 1)"
        words[i // PER_WORD].append(
            f"(CASE WHEN pay_idx <= {m.index} THEN {code} << {BITS * (i % PER_WORD)} ELSE 0 END)"
        )
    thermo = ", ".join(f"bit_or({' | '.join(w)}) AS w_{j}" for j, w in enumerate(words))
    on_time = " | ".join(
        f"(CASE WHEN first_idx <= {m.index} AND end_idx >= {m.index} "
        f"AND paid_on <= DATE '{due[m.index].isoformat()}' THEN {1 << i} ELSE 0 END)"
        for i, m in enumerate(months)
    )
    agg = f"""
        SELECT member_key, count(*) FILTER (WHERE NOT carried) AS n_payments,
               min(pay_idx) AS first_pay, {thermo}, bit_or({on_time}) AS ot_bits
        FROM pay GROUP BY member_key
    """
    mask = (1 << BITS) - 1
    pt_items = []
    for i, m in enumerate(months):
        word = f"a.w_{i // PER_WORD}"
        from_pay = f"{FAR} - bit_count(({word} >> {BITS * (i % PER_WORD)}) & {mask})"
        # (not least/greatest of a NULL: they skip NULL arguments)
        from_state = (
            f"CASE WHEN s.pt IS NULL THEN {FAR} "
            f"ELSE least(greatest({m.index} - s.pt, 0), {FAR}) END"
        )
        pt_items.append(
            f"CASE WHEN s.pt IS NULL AND coalesce(a.first_pay > {m.index}, true) "
            f"THEN m.reg_idx - 1 "
            f"ELSE {m.index} - least(coalesce({from_pay}, {FAR}), {from_state})::BIGINT END"
        )
    ot_items = [f"coalesce((a.ot_bits >> {i}) & 1 = 1, false)" for i in range(WINDOW)]
    return agg, ", ".join(pt_items), ", ".join(ot_items)


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
