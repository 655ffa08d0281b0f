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


def make_folder(folder: Path) -> None:
    """``mkdir -p folder``; a path in the way (a file where a folder goes, no permission) is a
    ``BpuReportsError`` naming it, not an ``OSError`` from deep inside a run."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(folder) else ""
        raise BpuReportsError(
            f"cannot create the folder {folder}: {reason}{where}: "
            "remove what is in the way or choose another --out"
        ) from exc


def scratch_path(path: Path, suffix: str = ".tmp") -> Path:
    """A hidden temporary name beside ``path`` (same folder, so a rename is atomic)."""
    make_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _stage(path: Path, data: bytes) -> Path:
    """``data`` written, flushed and synced under a temporary name beside ``path``."""
    make_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)  # mkstemp makes 0600; reports are for a web server to read
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, rename)."""
    write_all({path: data})


def write_all(files: dict[Path, bytes]) -> None:
    """Publish several files together: all are staged first, then renamed into place, so a
    failure while writing (disk full) publishes none of them."""
    staged: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            staged[path] = _stage(path, data)
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise
    for path, tmp in staged.items():
        os.replace(tmp, path)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))
