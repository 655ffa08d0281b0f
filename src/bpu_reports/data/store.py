"""The DuckDB warehouse: where it lives, how it is opened, and how it is (re)built atomically.

A warehouse is always built in a temporary file beside its final path and renamed into place
when complete, so a failed import or demo build leaves the previous warehouse byte for byte as
it was, and a reader never sees a half-loaded one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from bpu_reports.config import memory_limit, warehouse_path
from bpu_reports.data import state
from bpu_reports.data.contract import DATA_TABLES, LOAD_ORDER, MEMBER_KEY, TABLES, ddl
from bpu_reports.errors import PeriodError, WarehouseError
from bpu_reports.period import Period

SCHEMA_VERSION = 2
"""2: identifiers are text; members carry an internal integer key."""
QUIET = "SET enable_progress_bar = false"
"""DuckDB draws a progress bar on stdout for long queries; ours is a library."""


@dataclass(frozen=True)
class WarehouseInfo:
    """What a report needs to know about the data it was made from."""

    source: str  # "demo:bali", "demo:national" or "import:<folder>"
    is_demo: bool
    data_version: str
    first_period: Period
    last_period: Period
    data_cutoff: dt.date  # the last date a registration or payment carries
    built_at: str
    complete_through: Period  # the last month whose data is complete (``--period latest``)

    def covers(self, period: Period) -> bool:
        return self.first_period <= period <= self.last_period

    def check(self, period: Period) -> None:
        """Raise ``PeriodError`` when the data does not cover ``period``."""
        if not self.covers(period):
            raise PeriodError(
                f"period {period} is outside the warehouse's data ({self.first_period} … "
                f"{self.last_period}): choose a month in that range"
            )


def _configure(con: duckdb.DuckDBPyConnection, memory: str | None) -> None:
    """No progress bar; DuckDB's memory capped at ``memory`` (``config.memory_limit``)."""
    con.execute(QUIET)
    if memory is not None:
        con.execute(f"SET memory_limit = '{memory}'")


def connect(path: Path | str | None = None, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open an existing warehouse: ``path``, else ``config.warehouse_path()``
    (``$BPU_REPORTS_DB``, else ``data/bpu.duckdb``); errors say what to run to get one."""
    db = Path(path) if path is not None else warehouse_path()
    if not db.exists():
        raise WarehouseError(
            f"no warehouse at {db}: build one with `bpu-reports db init --demo` "
            "or load exports with `bpu-reports db import DIR`"
        )
    if db.is_dir():
        raise WarehouseError(f"{db} is a folder, not a warehouse file: give --db the .duckdb file")
    _check_regular(db)
    limit = memory_limit()
    try:  # DuckDB's own message would be a long "IO Error: Cannot open file …"
        with open(db, "rb"):
            pass
    except PermissionError as exc:
        raise WarehouseError(
            f"cannot read the warehouse {db}: permission denied: give yourself read access "
            "to it, or give --db another warehouse"
        ) from exc
    except OSError as exc:
        raise WarehouseError(f"cannot open warehouse {db}: {exc.strerror or exc}") from exc
    try:
        con = duckdb.connect(str(db), read_only=read_only)
        _configure(con, limit)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseError(
                f"warehouse {db} is locked by another process: wait for it to finish, then retry"
            ) from exc
        if _unreadable(exc):
            raise _not_readable(db, exc) from exc
        raise WarehouseError(f"cannot open warehouse {db}: {_first_line(exc)}") from exc
    except duckdb.Error as exc:
        raise _not_readable(db, exc) from exc
    try:
        rows = con.execute("SELECT value FROM _meta WHERE key = 'schema_version'").fetchall()
    except duckdb.CatalogException as exc:
        con.close()
        raise WarehouseError(
            f"{db} is a DuckDB file but not a bpu-reports warehouse (no _meta table): "
            "give --db the warehouse file, or rebuild it with `bpu-reports db import DIR`"
        ) from exc
    except duckdb.Error as exc:  # a damaged file: a block cannot be read or fails its checksum
        con.close()
        raise _not_readable(db, exc) from exc
    version = rows[0][0] if rows else None
    if version is None or not str(version).isdigit() or int(version) != SCHEMA_VERSION:
        con.close()
        raise WarehouseError(
            f"{db} has warehouse layout {version}, expected {SCHEMA_VERSION}: rebuild it"
        )
    return con


def _check_regular(db: Path) -> None:
    """Refuse a FIFO, a device or a socket before anything opens it: opening a FIFO blocks
    until a writer comes, and ``/dev/zero`` never ends."""
    mode = db.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a special file"
        )
        raise WarehouseError(
            f"{db} is {kind}, not a warehouse file: give --db a .duckdb file, e.g. data/bpu.duckdb"
        )


def check_target(path: Path | str) -> None:
    """Refuse to build a warehouse over anything but a regular file (or nothing): a build
    renames its file over ``path``, which must never replace a device, a FIFO or a folder."""
    final = Path(path)
    if final.is_dir():
        raise WarehouseError(f"{final} is a folder: give --db a file path, e.g. data/bpu.duckdb")
    if final.exists():
        _check_regular(final)


def info(con: duckdb.DuckDBPyConnection) -> WarehouseInfo:
    meta = dict(con.execute("SELECT key, value FROM _meta").fetchall())
    return WarehouseInfo(
        source=meta["source"],
        is_demo=meta["source"].startswith("demo:"),
        data_version=meta["data_version"],
        first_period=Period.parse(meta["first_period"]),
        last_period=Period.parse(meta["last_period"]),
        data_cutoff=dt.date.fromisoformat(meta["data_cutoff"]),
        built_at=meta["built_at"],
        complete_through=Period.parse(meta["complete_through"]),
    )


@contextlib.contextmanager
def build(
    path: Path | str, *, source: str, complete_through: Period | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a new, empty warehouse; publish it at ``path`` only on success.

    The caller fills the contract tables; on leaving the block the metadata (data version,
    period range) is computed, the file is closed and renamed over ``path``. If the block
    raises, the temporary file is removed and ``path`` is untouched. ``complete_through`` is
    the last month the source holds completely (the demo knows it); by default it is the
    data's last month when its last date is that month's last day, else the month before.
    """
    final = _through_link(Path(path))
    check_target(final)
    limit = memory_limit()
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarehouseError(
            f"cannot create the warehouse folder {final.parent}: {exc.strerror or exc}"
        ) from exc
    try:  # a read-only folder: nothing written, nothing to clean up
        fd, tmp_name = tempfile.mkstemp(".building", f".{final.name}.", final.parent)
    except OSError as exc:
        reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or exc
        raise WarehouseError(f"cannot write the warehouse in {final.parent}: {reason}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB must create the file itself
    con = duckdb.connect(str(tmp))
    _configure(con, limit)
    try:
        for name in LOAD_ORDER:
            con.execute(ddl(TABLES[name]))
        con.execute("CREATE TABLE _meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
        yield con
        first, last = _data_range(con)
        through = _complete_through(first, last, complete_through)
        # the months a monthly run reports on: their panels are kept (data/state.py)
        state.derive(con, panels=[through, Period.of(last)])
        _write_meta(con, source=source, first=first, last=last, complete_through=through)
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, final)
    except BaseException:
        con.close()
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)
        raise


def _through_link(path: Path) -> Path:
    """Where a build publishes: ``path``, or the file a symbolic link at ``path`` leads to (a
    warehouse kept on another disk). Renaming over the link would replace it by a plain file
    and leave the file it led to, which other links or tools may still use, with stale data;
    built beside its target (the same disk: the rename stays atomic), the link keeps working.
    A link whose folder is missing (a disk not mounted) is refused, not recreated."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.is_symlink():
        raise WarehouseError(
            f"{path} is a symbolic link that leads round in a loop: fix it or remove it"
        )
    if not target.parent.is_dir():
        raise WarehouseError(
            f"{path} is a symbolic link to {target}, whose folder does not exist: mount the "
            "disk it is on, or fix the link"
        )
    return target


def insert(con: duckdb.DuckDBPyConnection, name: str, rows: Any) -> None:
    """Append ``rows`` (a pandas frame or Arrow table of contract columns) to table ``name``.

    Members get their internal key here: the next free numbers for new participants, and the
    key of the paying member for contributions (looked up by ``participant_id``, so the
    participants must be inserted first) — unless ``rows`` carries ``member_key`` already.
    """
    names = list(rows.column_names if hasattr(rows, "column_names") else rows.columns)
    columns = [c for c in TABLES[name].columns if c in names]
    listed = ", ".join(columns)
    con.register("_insert_rows", rows)
    try:
        if MEMBER_KEY in names or name not in ("participants", "contributions"):
            keyed = [*columns, MEMBER_KEY] if MEMBER_KEY in names else columns
            listed = ", ".join(keyed)
            sql = f"INSERT INTO {name} ({listed}) SELECT {listed} FROM _insert_rows"
        elif name == "participants":
            sql = (
                f"INSERT INTO participants ({listed}, {MEMBER_KEY}) "
                f"SELECT {listed}, (SELECT coalesce(max({MEMBER_KEY}), 0) FROM participants) "
                f"+ row_number() OVER () FROM _insert_rows"
            )
        else:
            chosen = ", ".join(f"r.{c}" for c in columns)
            sql = (
                f"INSERT INTO contributions ({listed}, {MEMBER_KEY}) "
                f"SELECT {chosen}, p.{MEMBER_KEY} FROM _insert_rows r "
                "JOIN participants p USING (participant_id)"
            )
        con.execute(sql).fetchall()
    finally:
        con.unregister("_insert_rows")


def table_checksums(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Order-independent checksum of every contract table (row count and summed row hashes);
    a table the warehouse lacks (``recipients`` in one built by an older version) is left out."""
    present = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
        ).fetchall()
    }
    sums = {}
    for name in (n for n in LOAD_ORDER if n in present):
        ((count, total),) = con.execute(f"SELECT count(*), sum(hash(t)) FROM {name} t").fetchall()
        sums[name] = f"{count}:{total or 0}"
    return sums


def _data_range(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date]:
    """The first and last day the data carries. It comes from registrations and payments:
    outreach events may be planned ahead and must not stretch it."""
    ((first, last),) = con.execute(
        """
        SELECT min(d), max(d) FROM (
            SELECT registered_on AS d FROM participants
            UNION ALL SELECT paid_on FROM contributions
        )
        """
    ).fetchall()
    if first is None:
        raise WarehouseError("the data holds no participants or payments: nothing to load")
    return first, last


def _complete_through(first: dt.date, last: dt.date, given: Period | None) -> Period:
    """The last month the data holds completely: ``given`` (the demo knows it), by default
    the last month when the last day is that month's last day, else the month before."""
    last_month = Period.of(last)
    if given is None:
        given = last_month if last == last_month.cutoff else last_month.shift(-1)
    return max(min(given, last_month), Period.of(first))


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    first: dt.date,
    last: dt.date,
    complete_through: Period,
) -> None:
    sums = table_checksums(con)
    data = {name: sums[name] for name in DATA_TABLES}  # recipients: who, not what
    version = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
    meta = {
        "schema_version": str(SCHEMA_VERSION),
        "source": source,
        "data_version": version,
        "checksums": json.dumps(sums, sort_keys=True),
        "first_period": str(Period.of(first)),
        "last_period": str(Period.of(last)),
        "data_cutoff": last.isoformat(),
        "complete_through": str(complete_through),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    con.executemany("INSERT INTO _meta VALUES (?, ?)", list(meta.items()))


_UNREADABLE = ("not a valid duckdb database file", "could not read", "corrupt", "checksum")


def _unreadable(exc: BaseException) -> bool:
    """Whether DuckDB's error says the file's bytes are not a (whole) DuckDB database."""
    text = str(exc).lower()
    return any(marker in text for marker in _UNREADABLE)


def _not_readable(db: Path, exc: BaseException) -> WarehouseError:
    return WarehouseError(
        f"warehouse {db} is not a readable DuckDB file ({_first_line(exc)}): "
        "rebuild it with `bpu-reports db init --demo` or `bpu-reports db import DIR`"
    )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
