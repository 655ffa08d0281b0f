"""A month's output folder as a batch keeps it: the work folder of its metrics files, what a
killed batch left there, its log file, and the portal published after it."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from bpu_reports import outdir, publish
from bpu_reports.run import manifest

WORK = ".work"


def sweep(folder: Path) -> int:
    """Remove what a killed batch may have left: hidden temporary files and the work folder
    (its metrics files hold unsuppressed small counts). Links are removed, never followed."""
    removed = outdir.remove_hidden(folder, (".tmp", ".ipynb"))
    if outdir.remove_tree(folder / WORK):
        removed += 1
    return removed


def publish_portal(out: Path) -> None:
    """Rewrite the portal of ``out`` (every month's reports)."""
    from bpu_reports.render.portal import write_portal

    write_portal(out)


def log_file(folder: Path, log: logging.Logger) -> logging.Handler:
    """The batch's log file, attached to ``log``. The first thing the batch writes after the
    lock, so it checks first the paths every report of the period shares: a symbolic link at
    any of them would lead the batch's writes and deletions elsewhere, and refuses the batch
    (nothing written)."""
    from bpu_reports.render.portal import NAME as PORTAL

    out, logs = folder.parent, folder / "logs"
    shared = (logs, folder / WORK, folder / manifest.NAME, folder / "_failed", out / PORTAL)
    outdir.refuse_links(out, *shared)
    publish.make_folder(logs, out)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    path = logs / f"generate-{stamp}.log"
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    fd = outdir.open_file(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    handler.stream = os.fdopen(fd, "a", encoding="utf-8")  # opened here: never through a link
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler
