"""Atomic publication: every file is written under a temporary name in its final folder and
renamed into place, so a reader never sees a half-written report. Given the output folder as
``root``, nothing below it is written through a symbolic link (see ``outdir``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bpu_reports import outdir
from bpu_reports.errors import BpuReportsError

FILE_MODE = 0o644


def inside(root: Path, path: Path) -> Path:
    """``path`` below ``root`` (resolved), refusing anything that would land outside ``root``
    and any symbolic link on the way (``OutputLinkError``), even one that stays inside."""
    base = root.resolve()
    target = Path(os.path.normpath(base / path))  # ``..`` taken lexically, links not followed
    lexically_inside = _within(base, target)
    if not lexically_inside or not _within(base, target.resolve()):
        link = outdir.first_link(base, target) if lexically_inside else None
        if link is not None:
            raise BpuReportsError(
                f"refusing to use {link}: {outdir.describe(link)}: "
                f"it is outside the output folder {root}; remove it"
            )
        raise BpuReportsError(f"refusing to write {path}: it is outside the output folder {root}")
    outdir.refuse_links(base, target)
    return target


def _within(base: Path, path: Path) -> bool:
    return path == base or base in path.parents


def make_folder(folder: Path, root: Path | None = None) -> None:
    """``mkdir -p folder``; a path in the way (a file where a folder goes, no permission) is a
    ``BpuReportsError`` naming it, not an ``OSError`` from deep inside a run. Below ``root``
    (the output folder) no folder is made, or accepted, through a symbolic link."""
    try:
        if root is None:
            folder.mkdir(parents=True, exist_ok=True)
        else:
            outdir.make_folders(root, folder)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(folder) else ""
        raise BpuReportsError(
            f"cannot create the folder {folder}: {reason}{where}: "
            "remove what is in the way or choose another --out"
        ) from exc


def scratch_path(path: Path, suffix: str = ".tmp", root: Path | None = None) -> Path:
    """A hidden temporary name beside ``path`` (same folder, so a rename is atomic)."""
    make_folder(path.parent, root)
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


def write_bytes(path: Path, data: bytes, root: Path | None = None) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, rename)."""
    write_all({path: data}, root)


def write_all(files: dict[Path, bytes], root: Path | None = None) -> None:
    """Publish several files together: all are staged first, then renamed into place, so a
    failure while writing (disk full) publishes none of them. Below ``root``, a symbolic
    link on the way to any of them refuses them all."""
    staged: dict[Path, Path] = {}
    if root is not None:
        outdir.refuse_links(root, *files)
        for folder in dict.fromkeys(path.parent for path in files):
            make_folder(folder, root)
    try:
        for path, data in files.items():
            staged[path] = _stage(path, data)
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise
    for path, tmp in staged.items():
        os.replace(tmp, path)


def write_text(path: Path, text: str, root: Path | None = None) -> None:
    write_bytes(path, text.encode("utf-8"), root)
