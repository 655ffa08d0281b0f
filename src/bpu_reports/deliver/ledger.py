"""The delivery ledger: who was sent which report, when, and what the server said.

An SQLite file (the standard library's ``sqlite3``), by default
``OUT/.delivery/ledger.sqlite`` (``BPU_REPORTS_LEDGER`` to put it elsewhere). It holds
addresses, so it lives in a folder only this user may read (0700, the file 0600), outside
what the portal lists, and is never opened through a symbolic link. One row per (period,
report, recipient address):

``fingerprint``  the sha256 of the PDF last sent or tried;
``status``       ``sent``, ``failed`` or ``dry-run`` (written to the outbox, not sent);
``attempts``     SMTP attempts since the row was last sent (a failed row counts on across runs);
``error``        the last failure: the server's code and text, with no address in it;
``updated_at``   when the row was last written (UTC); ``sent_at`` when it was last sent;
``message_id``   the ``Message-ID`` we set; ``queue_id`` the server's id when its reply gave
                 one; ``sends`` how many times the report reached this recipient.

Each row is written (and committed) as soon as its message is done, so a run that is killed
loses nothing it sent. One run at a time: a second one is refused while the first holds the
ledger's lock (``flock``, dropped by the kernel when its holder dies).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from bpu_reports import outdir
from bpu_reports.errors import BpuReportsError

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    period      TEXT NOT NULL,
    report      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    lang        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'dry-run')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    updated_at  TEXT NOT NULL,
    sent_at     TEXT,
    message_id  TEXT,
    queue_id    TEXT,
    sends       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (period, report, recipient)
)
"""


class LedgerError(BpuReportsError):
    """The ledger cannot be used (a link or another user's file in its place, another run
    holding it, a file that is not a ledger)."""


@dataclass(frozen=True)
class Row:
    """One ledger row (see the module's docstring)."""

    period: str
    report: str
    recipient: str
    lang: str
    fingerprint: str
    status: str
    attempts: int = 0
    error: str | None = None
    updated_at: str = ""
    sent_at: str | None = None
    message_id: str | None = None
    queue_id: str | None = None
    sends: int = 0

    def __repr__(self) -> str:  # the address stays out of logs and tracebacks
        return f"Row({self.period} {self.report} {self.status}, attempts={self.attempts})"


COLUMNS = tuple(f.name for f in fields(Row))


def now() -> str:
    """The time a row records: UTC, to the second, with its zone."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Ledger:
    """An open ledger (use ``open_ledger``)."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def get(self, period: str, report: str, recipient: str) -> Row | None:
        found = self.con.execute(
            f"SELECT {', '.join(COLUMNS)} FROM deliveries "
            "WHERE period = ? AND report = ? AND recipient = ?",
            (period, report, recipient),
        ).fetchone()
        return Row(*found) if found else None

    def record(self, row: Row) -> None:
        """Write ``row`` (replacing the one of its key), committed before this returns."""
        marks = ", ".join("?" for _ in COLUMNS)
        with self.con:
            self.con.execute(
                f"INSERT OR REPLACE INTO deliveries ({', '.join(COLUMNS)}) VALUES ({marks})",
                astuple(row),
            )

    def rows(self, period: str | None = None) -> list[Row]:
        """Every row (of ``period`` when given), by period, report and recipient."""
        where, params = ("WHERE period = ?", (period,)) if period else ("", ())
        found = self.con.execute(
            f"SELECT {', '.join(COLUMNS)} FROM deliveries {where} "
            "ORDER BY period, report, recipient",
            params,
        ).fetchall()
        return [Row(*r) for r in found]


@contextlib.contextmanager
def open_ledger(path: Path, private: Path | None = None) -> Iterator[Ledger]:
    """The ledger at ``path``, created if missing, held for this run (``LedgerError`` if
    another run holds it). ``private`` is the ledger's folder when it is the output folder's
    ``.delivery`` (made 0700 and refused if it is a link or another user's); a folder chosen
    with ``BPU_REPORTS_LEDGER`` is made if missing (0700) and otherwise left as it is."""
    folder = path.parent
    if private is not None:
        with outdir.private_folder(private):
            pass
    else:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _own_file(path)
    lock = _own_file(path.with_name(f".{path.name}.lock"), keep_open=True)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LedgerError(
                f"another deliver is using the ledger {path}: wait for it to finish"
            ) from None
        con = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            try:
                con.execute(SCHEMA)
                found = {r[1] for r in con.execute("PRAGMA table_info(deliveries)")}
            except sqlite3.DatabaseError as exc:
                raise LedgerError(
                    f"{path} is not a delivery ledger ({exc}): move it away; a new one is "
                    "made, and reports it listed as sent will be sent again"
                ) from None
            if found != set(COLUMNS):
                raise LedgerError(f"{path} is a ledger of another layout: move it away")
            yield Ledger(con)
        finally:
            con.close()
    finally:
        os.close(lock)


def _own_file(path: Path, *, keep_open: bool = False) -> int:
    """Create ``path`` (0600) if missing; refuse a link, a non-file, a file with other names
    (hard links) or another user's; make it 0600. Returns the open descriptor when
    ``keep_open``, else closes it (and returns -1)."""
    try:
        fd = outdir.open_file(path, os.O_RDWR | os.O_CREAT, 0o600)
    except outdir.OutputLinkError as exc:
        raise LedgerError(str(exc)) from None
    why = outdir.not_plain(fd, own=True)
    if why:
        os.close(fd)
        raise LedgerError(str(outdir.refused(path, why)))
    os.fchmod(fd, 0o600)
    if keep_open:
        return fd
    os.close(fd)
    return -1
