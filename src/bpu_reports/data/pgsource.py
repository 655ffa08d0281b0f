"""A live PostgreSQL database as the source of the contract tables (``db import URL``).

What a caller may rely on:

- ``read_tables`` reads every contract table of one schema in **one snapshot**: a single
  ``REPEATABLE READ READ ONLY`` transaction, every contract table read inside it, so rows
  committed by others while the import runs are either wholly visible or not at all.
- Frames come back as the file readers give them (``readers``): a ``text`` / ``varchar`` column
  holds strings and is parsed by the rules like a CSV column; ``date``, ``timestamp``, integer,
  floating-point and ``boolean`` columns keep their type and are checked like Parquet columns;
  any other type (``numeric``, an enum, …) is read as its text form. Only contract columns are
  read (the personal columns ``nik``, ``full_name``, ``phone`` included); other columns are
  ignored.
- Row numbers: each table is read ``ORDER BY`` its key (``participant_id``, ``payment_id``, …;
  ``branch_code, year`` for targets) in the database's ordering of that column's type, and
  row ``n`` of a violation is the ``n``-th row of that ordered query (1-based). Rows sharing a
  key (a duplicate, which is itself reported) come in no fixed order among themselves.
- A missing table is one ``Violation`` ("missing table"), unless it is optional
  (``recipients``): it is then left out of the frames and loaded empty. Everything else that
  stops the read (no server, authentication, unknown schema or database, no permission) is one
  ``BpuReportsError`` line naming host, port and what to check.
- A password (in the URL, ``PGPASSWORD`` or ``~/.pgpass``; libpq inside the ADBC driver reads
  the latter two) never appears in a message: ``redact`` drops it from a URL, and driver
  messages are scrubbed of it too.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import pandas as pd

from bpu_reports.data.contract import LOAD_ORDER, OPTIONAL_TABLES, TABLES
from bpu_reports.errors import BpuReportsError, Violation

SCHEMES = ("postgresql", "postgres")
DEFAULT_SCHEMA = "public"
CONNECT_TIMEOUT_S = 5
"""Seconds libpq waits for a server before giving up (unless the URL or PGCONNECT_TIMEOUT says)."""

after_table_read: Callable[[str], None] | None = None
"""Test hook: called with each table's name right after it was read, inside the snapshot.
Lets a test commit rows from another connection mid-import, deterministically."""

# PostgreSQL types read with their own Arrow type (checked like Parquet); others go through text
_TYPED = {
    "date",
    "timestamp without time zone",
    "timestamp with time zone",
    "smallint",
    "integer",
    "bigint",
    "real",
    "double precision",
    "boolean",
}
_TABLE_NAMES = ", ".join(f"'{name}'" for name in LOAD_ORDER)  # constants: safe to inline
_TEXT = {"text", "character varying", "character", "name", "citext"}


def is_url(text: str) -> bool:
    """Whether ``text`` is a ``postgresql://`` or ``postgres://`` URL (not a folder)."""
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def redact(url: str) -> str:
    """``url`` without its password (userinfo or ``?password=``), for messages and metadata.

    ``postgresql://bpu:secret@127.0.0.1:5432/bpu`` → ``postgresql://bpu@127.0.0.1:5432/bpu``.
    A URL that does not parse is shown as ``postgresql://…`` rather than risk showing it.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"{url.partition('://')[0] or 'postgresql'}://…"
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    netloc = host + (f":{port}" if port is not None else "")
    if parts.username:
        netloc = f"{quote(unquote(parts.username), safe='')}@{netloc}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))


def describe(url: str, schema: str = DEFAULT_SCHEMA) -> str:
    """How the warehouse metadata names this source: the redacted URL (and a schema not public)."""
    shown = redact(url)
    return shown if schema == DEFAULT_SCHEMA else f"{shown} (schema {schema})"


@dataclass(frozen=True)
class _Target:
    """Where a URL points, for messages: host, port, user, database (libpq's defaults applied)."""

    host: str
    port: str
    user: str
    database: str

    @classmethod
    def of(cls, url: str) -> _Target:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            parts, port = urlsplit(""), None
        params = dict(parse_qsl(parts.query))
        user = unquote(parts.username or "") or params.get("user") or os.environ.get("PGUSER", "")
        return cls(
            host=parts.hostname or params.get("host") or os.environ.get("PGHOST", "localhost"),
            port=str(port or params.get("port") or os.environ.get("PGPORT", "5432")),
            user=user or "(your login name)",
            database=unquote(parts.path.lstrip("/"))
            or params.get("dbname")
            or os.environ.get("PGDATABASE", user),
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def read_tables(
    url: str, schema: str = DEFAULT_SCHEMA
) -> tuple[dict[str, pd.DataFrame], list[Violation]]:
    """The contract tables of ``schema`` at ``url``, read in one snapshot; problems as violations.

    Frames are indexed by 1-based row number of the ordered query (see the module docstring).
    Raises ``BpuReportsError`` (one line, no password) when the database cannot be read at all.
    """
    if not is_url(url):
        raise BpuReportsError(
            f"not a PostgreSQL URL: {redact(url)} (use postgresql://USER@HOST/DB)"
        )
    target = _Target.of(url)
    secrets = _secrets(url)
    con = _connect(url, target, secrets)
    try:
        cur = con.cursor()
        try:
            # one snapshot for all the tables: taken at the first query after BEGIN
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            frames, problems = _read_schema(cur, schema, target)
            cur.execute("ROLLBACK")  # read only: nothing to commit
        except BpuReportsError:
            raise
        except Exception as exc:  # the driver's own errors (permission denied, server gone, …)
            raise BpuReportsError(
                f"reading PostgreSQL at {target.where} (database {target.database}, schema "
                f"{schema}) failed: {_scrub(_libpq_reason(exc), secrets)}"
            ) from None
        finally:
            cur.close()
    finally:
        _close_quietly(con)
    return frames, problems


def _read_schema(
    cur: Any, schema: str, target: _Target
) -> tuple[dict[str, pd.DataFrame], list[Violation]]:
    cur.execute("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = $1", (schema,))
    if cur.fetchone()[0] == 0:
        raise BpuReportsError(
            f"no schema {schema!r} in database {target.database} at {target.where}: "
            "give the schema holding the six tables with --schema (default public)"
        )
    columns = _columns(cur, schema)
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Violation] = []
    for name in LOAD_ORDER:
        if name not in columns:
            if name not in OPTIONAL_TABLES:
                problems.append(Violation(name, None, "missing table"))
        else:
            frames[name] = _read_table(cur, schema, name, columns[name])
        if after_table_read is not None:
            after_table_read(name)
    return frames, problems


def _columns(cur: Any, schema: str) -> dict[str, dict[str, str]]:
    """Per contract table present in ``schema`` (table, view, …): its columns and their types."""
    cur.execute(
        f"""
        SELECT c.relname, a.attname,
               format_type(coalesce(nullif(t.typbasetype, 0), a.atttypid), NULL)  -- domain: base
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND c.relname IN ({_TABLE_NAMES})
        ORDER BY c.relname, a.attnum
        """,
        (schema,),
    )
    found: dict[str, dict[str, str]] = {}
    for table, column, type_name in cur.fetchall():
        found.setdefault(table, {})[column] = type_name
    return found


def _read_table(cur: Any, schema: str, name: str, types: dict[str, str]) -> pd.DataFrame:
    table = TABLES[name]
    wanted = [c for c in table.columns if c in types]
    if not wanted:  # none of the contract's columns: the rules report each one as missing
        cur.execute(f"SELECT count(*) FROM {_ident(schema)}.{_ident(name)}")
        rows = int(cur.fetchone()[0])
        return pd.DataFrame(index=pd.RangeIndex(1, rows + 1))
    selected = ", ".join(_select(c, types[c]) for c in wanted)
    order = ", ".join(_ident(c) for c in table.key if c in types) or "1"
    cur.execute(f"SELECT {selected} FROM {_ident(schema)}.{_ident(name)} ORDER BY {order}")
    arrow = cur.fetch_arrow_table()
    # as readers does for Parquet, so typed columns reach the rules exactly as a file's would;
    # self_destruct + split_blocks free each Arrow column once converted, without a
    # consolidating copy (the largest table is ~32 M rows)
    frame = arrow.to_pandas(date_as_object=False, self_destruct=True, split_blocks=True)
    del arrow
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _select(column: str, type_name: str) -> str:
    if type_name in _TYPED or type_name in _TEXT:
        return _ident(column)
    return f"{_ident(column)}::text AS {_ident(column)}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- connecting -------------------------------------------------------------------------------


def _connect(url: str, target: _Target, secrets: list[str]) -> Any:
    import adbc_driver_manager
    import adbc_driver_postgresql.dbapi as pg

    started = time.monotonic()
    try:
        # autocommit: the driver must not open its own transaction; ours sets the isolation
        return pg.connect(_with_timeout(url), autocommit=True)
    except (adbc_driver_manager.Error, ValueError) as exc:
        reason = _libpq_reason(exc)
        raise BpuReportsError(
            _connect_message(reason, target, secrets, time.monotonic() - started)
        ) from None


def _with_timeout(url: str) -> str:
    """``url`` with ``connect_timeout`` set, unless the URL or the environment chose one."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if os.environ.get("PGCONNECT_TIMEOUT") or any(k == "connect_timeout" for k, _ in query):
        return url
    query.append(("connect_timeout", str(CONNECT_TIMEOUT_S)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _connect_message(reason: str, target: _Target, secrets: list[str], elapsed: float) -> str:
    low = reason.lower()
    where = f"PostgreSQL at {target.where}"
    if "password authentication failed" in low or "authentication failed" in low:
        return (
            f"{where} refused user {target.user}: authentication failed (check the password "
            "given in the URL, PGPASSWORD or ~/.pgpass)"
        )
    if "no password supplied" in low:
        return (
            f"{where} asks user {target.user} for a password and none was given: put it in "
            "PGPASSWORD or ~/.pgpass (keeps it out of the command line)"
        )
    if "does not exist" in low and "database" in low:
        return f"{where} has no database {target.database!r}: check the database name in the URL"
    if "connection refused" in low:
        cause = "connection refused"
    elif "timeout expired" in low or "timed out" in low:
        cause = f"no answer within {round(elapsed)} s"
    elif "could not translate host name" in low or "name or service not known" in low:
        cause = "unknown host"
    elif "no pg_hba.conf entry" in low:
        cause = "this client is not allowed in (pg_hba.conf)"
    else:
        cause = _scrub(reason, secrets)
    return (
        f"cannot connect to {where} ({cause}): check that the server is running and that "
        "host, port and database in the URL are right"
    )


def _libpq_reason(exc: BaseException) -> str:
    """The useful first line of a driver error (libpq's message without the driver's prefix)."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    for marker in ("failed: FATAL:", "failed: ERROR:", "failed:", "ERROR:", "FATAL:"):
        if marker in line:
            line = line.split(marker, 1)[1]
            break
    line = line.strip()
    return line or type(exc).__name__


def _secrets(url: str) -> list[str]:
    """Every spelling of the password this process could hold, to scrub from messages."""
    found = [os.environ.get("PGPASSWORD", "")]
    try:
        parts = urlsplit(url)
        found.append(parts.password or "")
        found += [v for k, v in parse_qsl(parts.query) if k == "password"]
    except ValueError:
        pass
    found += [unquote(s) for s in found]
    return sorted({s for s in found if s}, key=len, reverse=True)


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _close_quietly(con: Any) -> None:
    # the server may be gone already; nothing is left to release on our side then
    with contextlib.suppress(Exception):
        con.close()
