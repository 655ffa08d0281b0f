"""Per-member payment state derived once when a warehouse is built, so that a month's metric
pass reads a bounded slice of the data however many years of history the warehouse holds.

The month's pass (``metrics.panel``) needs, per member, how far behind they were at each of
the 13 month-ends of the report window and whether they paid each window month on time
(``data.fold``). This module keeps that fold at the end of every December (a checkpoint):
a report month starts from the latest checkpoint before it, at most 12 months back, and reads
only the payments made after it: one to twelve months of payments, whatever the years before.

Derived tables (not contract data: they are left out of the data version and the checksums,
and rebuilt with the warehouse):

- ``state_payments``: the payments in the order of the day they were made (so DuckDB's
  per-row-group min/max skips every row group before a day), with the paying member's branch
  and registration day;
- ``state_checkpoints``: ``c_idx`` (a December, as ``year * 12 + month - 1``), and per member
  with a payment made by its last day: ``n_payments``, and ``behind`` and ``ot_bits`` of the
  window that ends with it (the fold of report month ``c_idx``). Each checkpoint is folded
  from the one before. Members who can no longer appear in a report window it serves are
  left out: exited by the first month of the earliest such window after registering before
  it, and not registered through an outreach event held in the year after the checkpoint
  (``panel`` keeps those);
- ``state_prepaid``: per checkpoint, the payments made by its last day that cover a month
  after it (prepayments). They are what a later month's on-time flag can owe to a payment
  made before the checkpoint: any such payment was made before that month's due date;
- ``state_checkpoint_months``: the checkpoints that exist (a warehouse may have none);
- ``state_panels``: the whole member panel (``metrics.panel``) of the report months a monthly
  run asks for — the last complete month and the data's last month — folded once here, so
  that month's pass reads its members' rows instead of folding a year of payments; rows in
  branch order, so one region's or branch's pass reads only its own row groups;
- ``state_panel_months``: the months ``state_panels`` holds.

A warehouse built before these tables existed has none of them; ``available`` says so and the
metric pass then scans every payment (the same results, more slowly). One built before the
kept panels has only the first four: every month is then folded.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from bpu_reports.data import fold
from bpu_reports.data.fold import month_end, month_idx
from bpu_reports.period import Period

TABLES = ("state_checkpoint_months", "state_checkpoints", "state_prepaid", "state_payments")
STEP = 12
"""Months between checkpoints: each month's pass reads 1 to 12 months of payments."""
SERVES = STEP
"""A checkpoint serves the report months up to this many months after it."""
CHECKPOINT_COLUMNS = {"c_idx", "member_key", "n_payments", "behind", "ot_bits"}
PANEL_TABLES = ("state_panel_months", "state_panels")


def available(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse on ``con`` carries the derived state as this version derives it
    (a warehouse built by an earlier version may have none, or checkpoints without the
    window's months: the metric pass then folds every payment instead)."""
    present = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
        ).fetchall()
    }
    if not all(name in present for name in TABLES):
        return False
    columns = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name = 'state_checkpoints'"
        ).fetchall()
    }
    return columns >= CHECKPOINT_COLUMNS


def has_panel(con: duckdb.DuckDBPyConnection, period: Period) -> bool:
    """Whether the warehouse on ``con`` keeps the panel of report month ``period``."""
    present = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE schema_name = 'main' AND NOT temporary AND table_name = 'state_panel_months'"
    ).fetchall()[0][0]
    if not present:
        return False
    return bool(
        con.execute(
            "SELECT count(*) FROM state_panel_months WHERE m_idx = ?", [period.index]
        ).fetchall()[0][0]
    )


def checkpoint_before(con: duckdb.DuckDBPyConnection, period: Period) -> int | None:
    """The checkpoint a fold of report month ``period`` starts from: the latest before it
    and at most ``SERVES`` months before it; None when there is none."""
    ((found,),) = con.execute(
        "SELECT max(c_idx) FROM state_checkpoint_months WHERE c_idx < ? AND c_idx >= ?",
        [period.index, period.index - SERVES],
    ).fetchall()
    return None if found is None else int(found)


def pruned_sql(c_idx: int) -> str:
    """Condition on ``participants p`` joined to its event ``e``: the member cannot appear in
    the panel of any report month checkpoint ``c_idx`` serves (``metrics.panel`` keeps a
    member registered before the window's first month only when they exit after it or came
    through an outreach event of the report year)."""
    earliest = c_idx + 1 - (fold.WINDOW - 1)  # the first month of the earliest window served
    year = (c_idx + 1) // 12  # the year of every report month served
    return (
        f"(p.exited_on IS NOT NULL AND {month_idx('p.exited_on')} <= {earliest} "
        f"AND {month_idx('p.registered_on')} < {earliest} "
        f"AND coalesce(year(e.held_on) <> {year}, true))"
    )


def derive(con: duckdb.DuckDBPyConnection, panels: Sequence[Period] = ()) -> None:
    """(Re)create the derived tables from the contract tables on ``con`` (a warehouse being
    built: the end of ``store.build``), keeping the member panel of each month of
    ``panels``."""
    for name in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute(
        """
        CREATE TABLE state_payments (
            member_key INTEGER, branch_code VARCHAR, registered_on DATE, paid_on DATE,
            first_month DATE, months INTEGER,
            amount_jkk BIGINT, amount_jkm BIGINT, amount_jht BIGINT)
        """
    )
    ((first, last),) = con.execute(
        "SELECT min(paid_on), max(paid_on) FROM contributions"
    ).fetchall()
    con.execute("CREATE TABLE state_checkpoint_months (c_idx INTEGER PRIMARY KEY)")
    con.execute(
        "CREATE TABLE state_checkpoints (c_idx INTEGER, member_key INTEGER, "
        "n_payments BIGINT, behind BIGINT, ot_bits INTEGER)"
    )
    con.execute("CREATE TABLE state_prepaid AS SELECT 0::INTEGER AS c_idx, * FROM state_payments")
    if first is None:
        keep_panels(con, ())
        return
    # One year at a time, each sorted by day: a sort of the whole history would need far
    # more memory than a year's.
    for year in range(first.year, last.year + 1):
        con.execute(
            f"""
            INSERT INTO state_payments
            SELECT c.member_key, p.branch_code, p.registered_on, c.paid_on, c.first_month,
                   c.months, c.amount_jkk, c.amount_jkm, c.amount_jht
            FROM contributions c JOIN participants p USING (member_key)
            WHERE c.paid_on >= DATE '{year}-01-01' AND c.paid_on < DATE '{year + 1}-01-01'
            ORDER BY c.paid_on, c.member_key
            """
        )
    # A checkpoint serves the report months after it: none after the last month of data.
    last_idx = last.year * 12 + last.month - 1
    c_idx = first.year * 12 + 11  # the first December of the data
    previous: int | None = None
    while c_idx < last_idx:
        _checkpoint(con, c_idx, previous)
        previous = c_idx
        c_idx += STEP
    keep_panels(con, panels)


def keep_panels(con: duckdb.DuckDBPyConnection, panels: Sequence[Period]) -> None:
    """(Re)create ``state_panels`` with the member panel of each month of ``panels`` (the
    checkpoints must be derived)."""
    for name in PANEL_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute("CREATE TABLE state_panel_months (m_idx INTEGER PRIMARY KEY)")
    for period in sorted(set(panels)):
        _panel(con, period)


def _panel(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    """Keep the member panel of report month ``period``, every branch, folded from the
    checkpoint before it as the month's pass would fold it."""
    c_idx = checkpoint_before(con, period)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW fold_pay AS "
        f"{fold.pay_sql(c_idx, period.cutoff, fold.registered_by(period))}"
    )
    panel = fold.panel_sql(period, c_idx, pay="fold_pay")
    rows = f"SELECT {period.index} AS m_idx, * FROM ({panel})"
    con.execute(f"CREATE TABLE IF NOT EXISTS state_panels AS {rows} WITH NO DATA")
    con.execute(f"INSERT INTO state_panels {rows} ORDER BY branch_code, member_key")
    con.execute("DROP VIEW fold_pay")
    con.execute(f"INSERT INTO state_panel_months VALUES ({period.index})")


def _checkpoint(con: duckdb.DuckDBPyConnection, c_idx: int, previous: int | None) -> None:
    """Fold the payments made after checkpoint ``previous`` (all when None) up to the end of
    month ``c_idx`` into the state of ``previous``."""
    end = month_end(c_idx)
    gap = None if previous is None else c_idx - previous
    base = (
        "SELECT member_key, n_payments, behind, ot_bits FROM state_checkpoints WHERE false"
        if previous is None
        else f"SELECT member_key, n_payments, behind, ot_bits FROM state_checkpoints "
        f"WHERE c_idx = {previous}"
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW fold_pay AS {fold.pay_sql(previous, end)}")
    con.execute(
        f"""
        INSERT INTO state_checkpoints
        WITH a AS ({fold.aggregate_sql(Period.from_index(c_idx), "fold_pay")}),
        s AS ({base}),
        paid AS (SELECT member_key FROM a UNION SELECT member_key FROM s)
        SELECT {c_idx}, p.member_key,
               coalesce(s.n_payments, 0) + coalesce(a.n_payments, 0) AS n_payments,
               {fold.behind_sql(gap)} AS behind,
               {fold.ot_sql(gap)} AS ot_bits
        FROM paid
        JOIN participants p USING (member_key)
        LEFT JOIN outreach_events e ON e.event_id = p.event_id
        LEFT JOIN s USING (member_key)
        LEFT JOIN a USING (member_key)
        WHERE NOT {pruned_sql(c_idx)}
        ORDER BY p.member_key
        """
    )
    con.execute("DROP VIEW fold_pay")
    carried = (
        ""
        if previous is None
        else f"""
        SELECT * EXCLUDE (c_idx) FROM state_prepaid
        WHERE c_idx = {previous}
          AND {month_idx("first_month")} + months - 1 > {c_idx}
        UNION ALL"""
    )
    after = "TRUE" if previous is None else f"paid_on > DATE '{month_end(previous).isoformat()}'"
    con.execute(
        f"""
        INSERT INTO state_prepaid
        SELECT {c_idx}, * FROM ({carried}
            SELECT * FROM state_payments
            WHERE {after} AND paid_on <= DATE '{end.isoformat()}'
              AND {month_idx("first_month")} + months - 1 > {c_idx}
        )
        """
    )
    con.execute(f"INSERT INTO state_checkpoint_months VALUES ({c_idx})")
