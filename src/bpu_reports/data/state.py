"""Per-member payment state derived once when a warehouse is built, so that a month's metric
pass reads a bounded slice of the data however many years of history the warehouse holds.

The month's pass (``metrics.panel``) needs, per member, the paid-through month at each of the
13 month-ends of the report window, whether each window month was paid on time, and whether
the member ever paid. Each of these is a fold over the payments made up to a day; this module
keeps the fold's value at yearly checkpoints (the end of every December), so the pass starts
from the latest checkpoint before its window and reads only the payments made after it.

Derived tables (not contract data: they are left out of the data version and the checksums,
and rebuilt with the warehouse):

- ``state_payments``: the payments in the order of the day they were made (so DuckDB's
  per-row-group min/max skips every row group before a day), with the paying member's branch
  and registration day;
- ``state_checkpoints``: ``c_idx`` (a December, as ``year * 12 + month - 1``), and per member
  with a payment made by its last day: ``pt`` (largest ``first_month + months - 1`` as a month
  index) and ``n_payments``. Members who can no longer appear in a report window after it are
  left out: registered by the checkpoint month, exited by the month after it, and not
  registered through an outreach event held in a later year (``panel_keeps``);
- ``state_prepaid``: per checkpoint, the payments made by its last day that cover a month
  after it (prepayments). They are what a window month's on-time flag can owe to a payment
  made before the window: any such payment was made before that month's due date;
- ``state_checkpoint_months``: the checkpoints that exist (a warehouse may have none).

A warehouse built before these tables existed has none of them; ``available`` says so and the
metric pass then scans every payment (the same results, more slowly).
"""

from __future__ import annotations

import datetime as dt

import duckdb

TABLES = ("state_checkpoint_months", "state_checkpoints", "state_prepaid", "state_payments")
STEP = 12
"""Months between checkpoints: each month's pass reads 13 to 24 months of payments."""
WINDOW = 13
"""Months of a report window (M-12 … M); a checkpoint serves report months at least this
far after it."""


def month_idx(column: str) -> str:
    return f"(year({column}) * 12 + month({column}) - 1)"


def month_end(index: int) -> dt.date:
    """The last day of month ``index``."""
    year, month = divmod(index + 1, 12)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def available(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse on ``con`` carries the derived state (built by this version)."""
    present = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
        ).fetchall()
    }
    return all(name in present for name in TABLES)


def checkpoint_before(con: duckdb.DuckDBPyConnection, index: int) -> int | None:
    """The latest checkpoint month at or before month ``index``, None when there is none."""
    ((found,),) = con.execute(
        "SELECT max(c_idx) FROM state_checkpoint_months WHERE c_idx <= ?", [index]
    ).fetchall()
    return None if found is None else int(found)


def pruned_sql(c_idx: int) -> str:
    """Condition on ``participants p`` joined to its event ``e``: the member cannot appear in
    the panel of any report month served by checkpoint ``c_idx`` (see ``panel_keeps``)."""
    year = (c_idx + 1) // 12  # the year of the month after the checkpoint
    return (
        f"(p.exited_on IS NOT NULL AND {month_idx('p.exited_on')} <= {c_idx + 1} "
        f"AND {month_idx('p.registered_on')} <= {c_idx} "
        f"AND coalesce(year(e.held_on) < {year}, true))"
    )


def derive(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the derived tables from the contract tables on ``con`` (a warehouse being
    built: the end of ``store.build``)."""
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
        "CREATE TABLE state_checkpoints (c_idx INTEGER, member_key INTEGER, pt INTEGER, "
        "n_payments BIGINT)"
    )
    con.execute("CREATE TABLE state_prepaid AS SELECT 0::INTEGER AS c_idx, * FROM state_payments")
    if first is None:
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
    # A checkpoint is useful only to report months at least WINDOW months after it.
    last_idx = last.year * 12 + last.month - 1
    c_idx = first.year * 12 + 11  # the first December of the data
    previous: int | None = None
    while c_idx <= last_idx - WINDOW:
        _checkpoint(con, c_idx, previous)
        previous = c_idx
        c_idx += STEP


def _checkpoint(con: duckdb.DuckDBPyConnection, c_idx: int, previous: int | None) -> None:
    """Fold the payments made after checkpoint ``previous`` (all when None) up to the end of
    month ``c_idx`` into the state of ``previous``."""
    end = month_end(c_idx).isoformat()
    after = "TRUE" if previous is None else f"paid_on > DATE '{month_end(previous).isoformat()}'"
    earlier = (
        "SELECT member_key, pt, n_payments FROM state_checkpoints WHERE false"
        if previous is None
        else f"SELECT member_key, pt, n_payments FROM state_checkpoints WHERE c_idx = {previous}"
    )
    con.execute(
        f"""
        INSERT INTO state_checkpoints
        WITH fresh AS (
            SELECT member_key, max({month_idx("first_month")} + months - 1) AS pt,
                   count(*) AS n_payments
            FROM state_payments
            WHERE {after} AND paid_on <= DATE '{end}'
            GROUP BY member_key
        ),
        folded AS (
            SELECT member_key, max(pt) AS pt, sum(n_payments) AS n_payments
            FROM ({earlier} UNION ALL SELECT * FROM fresh)
            GROUP BY member_key
        )
        SELECT {c_idx}, f.member_key, f.pt, f.n_payments
        FROM folded f
        JOIN participants p USING (member_key)
        LEFT JOIN outreach_events e ON e.event_id = p.event_id
        WHERE NOT {pruned_sql(c_idx)}
        ORDER BY f.member_key
        """
    )
    carried = (
        ""
        if previous is None
        else f"""
        SELECT * EXCLUDE (c_idx) FROM state_prepaid
        WHERE c_idx = {previous}
          AND {month_idx("first_month")} + months - 1 > {c_idx}
        UNION ALL"""
    )
    con.execute(
        f"""
        INSERT INTO state_prepaid
        SELECT {c_idx}, * FROM ({carried}
            SELECT * FROM state_payments
            WHERE {after} AND paid_on <= DATE '{end}'
              AND {month_idx("first_month")} + months - 1 > {c_idx}
        )
        """
    )
    con.execute(f"INSERT INTO state_checkpoint_months VALUES ({c_idx})")
