"""Atomic publication: every file is written under a temporary name in its final folder and
renamed into place, so a reader never sees a half-written report."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bpu_reports.errors import BpuReportsError

FILE_MODE = 0o644


def inside(root: Path, path: Path) -> Path:
    """``path`` resolved, refusing anything that would land outside ``root``."""
    base = root.resolve()
    target = (base / path).resolve() if not path.is_absolute() else path.resolve()
    if target != base and base not in target.parents:
        raise BpuReportsError(f"refusing to write {path}: it is outside the output folder {root}")
    return target


def scratch_path(path: Path, suffix: str = ".tmp") -> Path:
    """A hidden temporary name beside ``path`` (same folder, so a rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)  # mkstemp makes 0600; reports are for a web server to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))
