"""One batch per output folder at a time: an exclusive ``flock`` on ``OUT/.generate.lock``.

The kernel drops the lock when its holder dies (even by ``kill -9``), so a stale lock file
from a killed run never blocks the next one; the file's text only says who holds it. The file
is opened without following a link and must be a plain file of its own: it is truncated and
written, and that must never reach a file outside the output folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from bpu_reports import outdir, publish
from bpu_reports.errors import BpuReportsError

NAME = ".generate.lock"


class LockedError(BpuReportsError):
    """Another batch is writing to the same output folder."""


@contextlib.contextmanager
def exclusive(out: Path) -> Iterator[None]:
    publish.make_folder(out)
    path = out / NAME
    fd = _open(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 200, 0).decode("utf-8", errors="replace").strip()
            holder = text or "another process"
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


def _open(path: Path) -> int:
    """The lock file, created if missing; a link, a hard link or anything but a plain file
    there is refused (truncating it would truncate its other name)."""
    try:
        fd = outdir.open_file(path, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        raise BpuReportsError(
            f"cannot open the lock file {path}: {exc.strerror or exc}; remove what is there"
        ) from exc
    why = outdir.not_plain(fd)
    if why:
        os.close(fd)
        raise outdir.refused(path, why)
    return fd
