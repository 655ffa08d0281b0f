"""The dry-run outbox: each message a dry run would send, as an ``.eml`` file.

``OUT/.delivery/outbox/PERIOD/NN-SCOPE-NOTEBOOK.eml`` (``01-DPS-branch_monthly.eml``; the
number orders the messages and tells two readers of one report apart, so no address is in a
file name), and ``OUT/.delivery/outbox/operator.eml`` for the operator's summary. The files
hold addresses: the folders are this user's only (0700, files 0600), made and written without
following a link (``outdir``, ``publish``). A dry run of a period replaces that period's
earlier outbox, so the folder shows what the last dry run would have sent.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

from bpu_reports import outdir, publish
from bpu_reports.config import DELIVERY_FOLDER

OUTBOX = "outbox"


def folder(out: Path, period: str | None = None) -> Path:
    """The outbox (of ``period`` when given) under the output folder ``out``."""
    base = out / DELIVERY_FOLDER / OUTBOX
    return base / period if period else base


class Outbox:
    """An open outbox folder; ``write`` adds one message."""

    def __init__(self, fd: int, path: Path):
        self.fd, self.path = fd, path

    def write(self, name: str, message: EmailMessage) -> Path:
        """Write ``message`` as ``name`` (CRLF line ends, as it would be sent)."""
        publish.write_at(self.fd, name, message.as_bytes(policy=SMTP_POLICY), mode=0o600)
        return self.path / name


@contextlib.contextmanager
def open_outbox(out: Path, period: str | None = None, *, fresh: bool = True) -> Iterator[Outbox]:
    """The outbox folder of ``period`` (or the outbox itself), made if missing; ``fresh``
    removes the ``.eml`` files an earlier dry run left there."""
    private = out / DELIVERY_FOLDER
    with outdir.private_folder(private):
        pass
    path = folder(out, period)
    outdir.make_folders(private, path, mode=0o700)
    fd = outdir.open_file(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fchmod(fd, 0o700)
        if fresh:
            for name in os.listdir(fd):
                if name.endswith(".eml"):
                    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                        os.unlink(name, dir_fd=fd)
        yield Outbox(fd, path)
    finally:
        os.close(fd)
