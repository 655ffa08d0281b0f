"""How a member's payments fold into the 13 month-ends of a report window (M-12 … M): the SQL
shared by the metric pass (``metrics.panel``) and the checkpoints the warehouse keeps
(``data.state``), which are that same fold at the end of every December.

Months are indexes ``year * 12 + month - 1``. Per member and window month ``i`` (SPEC §2):

- ``behind``, four bits at ``4i``: ``m - paid_through(m)`` clamped to ``0`` … ``FAR``, or
  ``NONE`` when no payment was made by the end of ``m`` (the paid-through month is then the
  one before registration, which the reader knows);
- ``ot_bits``, bit ``i``: some payment covering ``m`` was made on or before its due date.

Every metric reads ``m - paid_through`` only through ``<= 0``, ``1`` … ``3`` (arrears value),
the ageing buckets and ``> 12``, all unchanged by the clamps.

A fold starts from a checkpoint ``C`` (before ``M``, at most 12 months before it) and reads the
payments made after ``C``, plus those made by ``C`` that cover a later month (prepayments,
``carried``: they only add on-time months). Window months up to ``C`` are the checkpoint's own
(a month-end's paid-through month never changes after it); a later month is the checkpoint's
last code moved on by the months since, unless a later payment brings the member nearer.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from bpu_reports.data import reference
from bpu_reports.period import Period

WINDOW = 13
FAR = 13
"""Months behind from which every metric reads the same ('>12' in the ageing, non-active)."""
NONE = FAR + 1
"""``behind`` of a month by whose end the member had made no payment."""
ALL_NONE = sum(NONE << (4 * i) for i in range(WINDOW))
BITS = NONE + 1
"""Bits of a month's thermometer code (``NONE - v`` ones: never empty for a payment)."""
PER_WORD = 4  # months per 64-bit aggregate: 4 × 15 bits
SPAN = WINDOW + FAR
"""Distances ``first - end_idx`` that give different codes: from ``-(WINDOW - 1)`` (ahead
in every window month) to ``FAR`` (far behind in every one)."""


def month_idx(column: str) -> str:
    return f"(year({column}) * 12 + month({column}) - 1)"


def window(period: Period) -> tuple[list[Period], dict[int, dt.date]]:
    """The window months of report month ``period`` and the due date of each (by index)."""
    first = period.shift(-(WINDOW - 1))
    dues = reference.due_dates(first.year, period.year)
    due = {int(i): d for i, d in zip(dues.month_idx, dues.due_date, strict=True)}
    return [first.shift(i) for i in range(WINDOW)], due


def aggregate_sql(period: Period, source: str) -> str:
    """Per member of ``source`` (rows with ``member_key``, ``paid_on``, ``pay_idx``,
    ``first_idx``, ``end_idx``, ``carried``): ``n_payments`` (not carried), the thermometer
    words ``w_0`` … ``w_3`` and ``ot_bits``, in 6 aggregates.

    For window month ``m`` a payment made by the end of ``m`` leaves the member at most
    ``v = clamp(m - end_idx, 0, FAR)`` months behind; the member is ``min(v)`` behind. Each
    ``v`` is written as ``NONE - v`` ones, so a bit-or of the codes is the code of the
    smallest ``v`` and an empty code a month with no payment yet; four months share a word.
    A payment's codes depend only on the first window month it was made by and on how far
    its paid-through month is from the window, and its on-time months are the window months
    it covers whose due date is on or after its day: both are read per row from constant
    lists (``_codes``, ``_due_masks``) rather than computed month by month.
    """
    months, due = window(period)
    first = months[0].index
    key = (
        f"(greatest(pay_idx - {first}, 0) * {SPAN} "
        f"+ least(greatest({first} - end_idx, {-(WINDOW - 1)}), {FAR}) + {WINDOW})"
    )
    thermo = ", ".join(
        f"bit_or({_literal(word)}[{key}]) AS w_{j}" for j, word in enumerate(_codes())
    )
    covered = (
        f"(((1::BIGINT << greatest(least(end_idx - {first}, {WINDOW - 1}) + 1, 0)) - 1) "
        f"& ~((1::BIGINT << greatest(first_idx - {first}, 0)) - 1))"
    )
    day = f"(greatest(paid_on - DATE '{months[0].first_day.isoformat()}', -1) + 2)"
    on_time = f"{covered} & {_literal(_due_masks(months, due))}[{day}]"
    return f"""
        SELECT member_key, count(*) FILTER (WHERE NOT carried) AS n_payments,
               {thermo}, bit_or({on_time}) AS ot_bits
        FROM {source} GROUP BY member_key
    """


def behind_sql(gap: int | None, words: str = "a", base: str = "s") -> str:
    """The ``behind`` of a member from its aggregate row ``words`` (``aggregate_sql``, NULL
    when it has none) and its checkpoint row ``base`` (``behind``; NULL when it has none)
    ``gap`` months before the report month (None: no checkpoint).

    From the checkpoint alone: its window moved on by ``gap`` months, the months it holds
    shifted down and the later ones its last code moved on (``_moved_on``, read from a
    constant list); a member with payments since takes, month by month, the nearer of that
    and the payments' code."""
    mask = (1 << BITS) - 1
    if gap is None:
        state = str(ALL_NONE)
    else:
        last = f"(({base}.behind >> {4 * (WINDOW - 1)}) & 15)"
        state = (
            f"coalesce(({base}.behind >> {4 * gap}) | {_literal(_moved_on(gap))}[{last} + 1], "
            f"{ALL_NONE})"
        )
    items = []
    for i in range(WINDOW):
        code = f"(({words}.w_{i // PER_WORD} >> {BITS * (i % PER_WORD)}) & {mask})"
        items.append(
            f"(least({NONE} - bit_count({code}), ({state} >> {4 * i}) & 15)::BIGINT << {4 * i})"
        )
    return f"(CASE WHEN {words}.w_0 IS NULL THEN {state} ELSE {' | '.join(items)} END)"


@cache
def _moved_on(gap: int) -> list[int]:
    """Per code ``c`` of a checkpoint's last month (1-based): the codes of the window months
    ``gap`` months later that the checkpoint's window does not hold (``NONE`` stays
    ``NONE``; months behind grow by one a month up to ``FAR``)."""
    values = []
    for c in range(NONE + 1):
        value = 0
        for i in range(max(WINDOW - gap, 0), WINDOW):
            since = i + gap - (WINDOW - 1)
            value |= (NONE if c == NONE else min(c + since, FAR)) << (4 * i)
        values.append(value)
    return values


def ot_sql(gap: int | None, words: str = "a", base: str = "s") -> str:
    """The ``ot_bits`` of a member (see ``behind_sql``)."""
    fresh = f"coalesce({words}.ot_bits, 0)"
    if gap is None:
        return f"({fresh})::INTEGER"
    return f"((coalesce({base}.ot_bits, 0) >> {gap}) | {fresh})::INTEGER"


MEMBER_COLUMNS = f"""
    member_key, branch_code, segment, channel, event_id,
    declared_income, has_jht, registered_on,
    {month_idx("registered_on")} AS reg_idx,
    CASE WHEN exited_on IS NULL THEN NULL ELSE {month_idx("exited_on")} END AS exit_idx
"""
"""A panel row's member columns (``metrics.panel``)."""


def registered_by(period: Period) -> str:
    """Condition on a member's (or their payment's) row: registered by ``period``'s end."""
    return f"registered_on <= DATE '{period.cutoff.isoformat()}'"


def members_sql(period: Period, where: str, *, pruned: bool) -> str:
    """The members registered by ``period``'s end that ``where`` keeps; ``pruned`` leaves out
    those who exited by the window's first month after registering before it (unless they
    came through an outreach event of the report year): they are registered in no window
    month, so no metric counts them, and the checkpoints may have left them out."""
    first = period.shift(-(WINDOW - 1)).index
    keep = (
        f"""
          AND (exited_on IS NULL OR {month_idx("exited_on")} > {first}
               OR {month_idx("registered_on")} >= {first}
               OR event_id IN (SELECT event_id FROM outreach_events
                               WHERE year(held_on) = {period.year}))"""
        if pruned
        else ""
    )
    return (
        f"SELECT {MEMBER_COLUMNS} FROM participants WHERE {registered_by(period)} AND {where}{keep}"
    )


def panel_sql(period: Period, c_idx: int | None, where: str = "TRUE", pay: str = "pay") -> str:
    """The member panel of report month ``period`` (``metrics.panel``) folded from checkpoint
    ``c_idx`` (None: none) and the rows of ``pay`` (``pay_sql`` from the same checkpoint), for
    the members ``where`` keeps: window months up to the checkpoint are its own, later ones
    the checkpoint's last moved on unless a later payment brings the member nearer; on time
    from the checkpoint's months, the later payments and its prepayments; ``n_payments`` =
    the checkpoint's count + the later payments made by the cut-off."""
    gap = None if c_idx is None else period.index - c_idx
    base = (
        "SELECT member_key, n_payments, behind, ot_bits FROM state_checkpoints "
        f"WHERE c_idx = {'NULL' if c_idx is None else c_idx}"
    )
    return f"""
        WITH members AS ({members_sql(period, where, pruned=True)}),
        a AS ({aggregate_sql(period, pay)}),
        s AS ({base})
        SELECT m.*,
               coalesce(s.n_payments, 0) + coalesce(a.n_payments, 0) AS n_payments,
               {behind_sql(gap)}::BIGINT AS behind,
               {ot_sql(gap)} AS ot_bits
        FROM members m
        LEFT JOIN s USING (member_key)
        LEFT JOIN a USING (member_key)
    """


def pay_sql(c_idx: int | None, cutoff: dt.date, where: str = "TRUE") -> str:
    """The rows a fold up to ``cutoff`` reads from the warehouse's state: the payments made
    after checkpoint ``c_idx`` (all when None) and its prepayments (``carried``), with
    ``pay_idx``, ``first_idx``, ``end_idx``; ``where`` filters them (on ``branch_code``,
    ``registered_on``)."""
    after = "TRUE" if c_idx is None else f"paid_on > DATE '{month_end(c_idx).isoformat()}'"
    carried = (
        ""
        if c_idx is None
        else f"""
            UNION ALL
            SELECT member_key, branch_code, registered_on, paid_on, first_month, months,
                   amount_jkk, amount_jkm, amount_jht, true
            FROM state_prepaid WHERE c_idx = {c_idx}"""
    )
    return f"""
        SELECT member_key, paid_on,
               {month_idx("paid_on")} AS pay_idx,
               {month_idx("first_month")} AS first_idx,
               {month_idx("first_month")} + months - 1 AS end_idx,
               months, amount_jkk, amount_jkm, amount_jht, branch_code, carried
        FROM (
            SELECT member_key, branch_code, registered_on, paid_on, first_month, months,
                   amount_jkk, amount_jkm, amount_jht, false AS carried
            FROM state_payments WHERE {after} AND paid_on <= DATE '{cutoff.isoformat()}'
            {carried}
        )
        WHERE {where}
    """


def month_end(index: int) -> dt.date:
    """The last day of month ``index``."""
    return Period.from_index(index).cutoff


@cache
def _codes() -> list[list[int]]:
    """The thermometer words of a payment, per key ``b * SPAN + d + WINDOW`` (1-based):
    ``b`` the first window month it was made by (0 for any made before the window), ``d`` the
    distance ``first - end_idx`` clamped to ``-(WINDOW - 1)`` … ``FAR``."""
    words: list[list[int]] = [[] for _ in range((WINDOW + PER_WORD - 1) // PER_WORD)]
    for b in range(WINDOW):
        for d in range(-(WINDOW - 1), FAR + 1):
            row = [0] * len(words)
            for i in range(b, WINDOW):
                behind = min(max(d + i, 0), FAR)
                row[i // PER_WORD] |= ((1 << (NONE - behind)) - 1) << (BITS * (i % PER_WORD))
            for word, value in zip(words, row, strict=True):
                word.append(value)
    return words


def _due_masks(months: list[Period], due: dict[int, dt.date]) -> list[int]:
    """Per day of the window (1-based, from the day before its first day): the window months
    whose due date is on or after that day, as bits. A payment made before the window meets
    every window month's due date (a month's due date is never before its first day)."""
    start, end = months[0].first_day, months[-1].cutoff
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    every = (1 << len(months)) - 1
    return [every] + [
        sum(1 << i for i, m in enumerate(months) if due[m.index] >= day) for day in days
    ]


def _literal(values: list[int]) -> str:
    return f"([{', '.join(map(str, values))}]::BIGINT[])"
