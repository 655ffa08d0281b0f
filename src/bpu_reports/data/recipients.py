"""Who receives which report by e-mail: the warehouse's ``recipients`` table, read for delivery.

The addresses and names are personal data. They are read here and handed to delivery only;
nothing may show them in a report, the portal, a manifest or a log. What a log may show of an
address is ``mask(address)``; a ``Recipient``'s ``repr`` is masked the same way and leaves the
name out.

    >>> mask("kepala.denpasar@example.invalid")
    'k***@example.invalid'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from bpu_reports.errors import RecipientsMissing

__all__ = ["Recipient", "RecipientsMissing", "has_table", "load", "mask"]


@dataclass(frozen=True)
class Recipient:
    """One reader of the reports of ``scope_code`` (a branch or region code, or ``NATIONAL``),
    in language ``lang`` (``id`` or ``en``). ``repr`` never shows the name nor the whole
    address."""

    scope_code: str
    email: str
    name: str
    role: str
    lang: str
    active: bool

    def __repr__(self) -> str:
        return (
            f"Recipient(scope_code={self.scope_code!r}, email={mask(self.email)!r}, "
            f"role={self.role!r}, lang={self.lang!r}, active={self.active!r})"
        )


def mask(email: str) -> str:
    """The form of an address a log or an error message may show: its first character, ``***``
    and its domain (``k***@example.invalid``). Text without ``@`` (not an address: perhaps a
    name in the wrong column) is shown as ``***`` alone; characters that could forge a log line
    (newlines, control characters) become ``?``.

    >>> mask("kepala@example.invalid"), mask("@example.invalid"), mask("Budi")
    ('k***@example.invalid', '***@example.invalid', '***')
    """
    text = str(email).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return "***"
    shown = f"{local[:1]}***@{domain}"
    return "".join(c if c.isprintable() else "?" for c in shown)


def load(
    con: duckdb.DuckDBPyConnection,
    scopes: Iterable[str] | None = None,
    *,
    active_only: bool = True,
) -> list[Recipient]:
    """The recipients in the warehouse on ``con``, sorted by scope code, then address: those of
    ``scopes`` only when given (a branch or region code, or ``NATIONAL``), the active ones only
    unless ``active_only`` is false.

    Raises ``RecipientsMissing`` when the warehouse has no ``recipients`` table (one built by
    an older version); an empty table gives an empty list.
    """
    if not has_table(con):
        raise RecipientsMissing(
            "the warehouse has no recipients table (it was built by an older version of "
            "bpu-reports): rebuild it with `bpu-reports db import DIR` (recipients.csv in DIR) "
            "or `bpu-reports db init --demo`"
        )
    where, params = [], []
    if scopes is not None:
        wanted = sorted(set(scopes))
        if not wanted:
            return []
        where.append(f"scope_code IN ({', '.join('?' for _ in wanted)})")
        params.extend(wanted)
    if active_only:
        where.append("active")
    sql = "SELECT scope_code, email, name, role, lang, active FROM recipients"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = con.execute(sql + " ORDER BY scope_code, email", params).fetchall()
    return [Recipient(*row) for row in rows]


def has_table(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse on ``con`` has a ``recipients`` table (one built before the table
    existed has not)."""
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'recipients' "
        "AND schema_name = 'main' AND NOT temporary"
    ).fetchall()
    return bool(rows[0][0])
