"""Atomic publication: every file is written under a temporary name in its final folder and
renamed into place, so a reader never sees a half-written report. Given the output folder as
``root``, nothing below it is written through a symbolic link (see ``outdir``).

``stage`` is the package's one way of writing such a file (reports, the manifest, the portal,
and the batch's metrics work files through ``write_at``)."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
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


def stage(folder: int, name: str, data: bytes, mode: int = FILE_MODE) -> str:
    """Write ``data`` under a new hidden temporary name (``.NAME.RANDOM.tmp``) in the open
    folder ``folder`` (a file descriptor) and return that name: created exclusively and
    never through a link (``O_EXCL | O_NOFOLLOW``), flushed to disk (fsync), with permissions
    ``mode`` whatever the umask. On any failure the temporary file is removed.

    Every atomic write of the package goes through here, then renames the result into place
    (``write_at``, ``write_all``)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    for _ in range(100):
        tmp = f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = outdir.open_file(Path(tmp), flags, 0o600, dir_fd=folder)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise FileExistsError(errno.EEXIST, "no free temporary name", name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)  # reports are for a web server to read; work files not
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=folder)
        raise
    return tmp


def write_at(folder: int, name: str, data: bytes, mode: int = FILE_MODE) -> None:
    """Write ``data`` to ``name`` in the open folder ``folder`` atomically: ``stage``, then a
    rename within that folder. Holding the folder open means a link planted on the way to it
    after it was opened cannot lead the file elsewhere."""
    tmp = stage(folder, name, data, mode)
    try:
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=folder)
        raise


def _stage(path: Path, data: bytes) -> Path:
    """``data`` written, flushed and synced under a temporary name beside ``path``
    (``stage`` in ``path``'s folder)."""
    make_folder(path.parent)
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        return path.parent / stage(folder, path.name, data)
    finally:
        os.close(folder)


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
