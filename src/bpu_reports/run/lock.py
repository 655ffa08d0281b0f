"""One batch per output folder at a time: an exclusive ``flock`` on ``OUT/.generate.lock``.

The kernel drops the lock when its holder dies (even by ``kill -9``), so a stale lock file
from a killed run never blocks the next one; the file's text only says who holds it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from bpu_reports import publish
from bpu_reports.errors import BpuReportsError

NAME = ".generate.lock"


class LockedError(BpuReportsError):
    """Another batch is writing to the same output folder."""


@contextlib.contextmanager
def exclusive(out: Path) -> Iterator[None]:
    publish.make_folder(out)
    path = out / NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text(encoding="utf-8", errors="replace").strip() or "another process"
            raise LockedError(
                f"another generate is already writing to {out} ({holder}): "
                "wait for it to finish, or use another --out"
            ) from None
        os.ftruncate(fd, 0)
        started = dt.datetime.now().isoformat(timespec="seconds")
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()} since {started}".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock
