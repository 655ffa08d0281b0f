"""Below the output folder, nothing is reached through a symbolic link.

``--out`` itself may be a link (``reports/`` on a mounted disk). Everything below it is made
by ``generate`` and ``run``, so a link there was planted, by mistake or not, and following it
would write or delete files elsewhere. The writers reach their paths through these helpers:
an existing link is refused with one line that names it, folders are made one level at a time
without following links, files are opened with ``O_NOFOLLOW``, and removals never descend
into a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

from bpu_reports.errors import BpuReportsError


class OutputLinkError(BpuReportsError):
    """A path below the output folder is a symbolic link (or not a plain file of its own)."""


def refused(path: Path, why: str | None = None, *, dir_fd: int | None = None) -> OutputLinkError:
    """The one-line refusal for ``path``: what it is, and to remove it."""
    return OutputLinkError(f"refusing to use {path}: {why or describe(path, dir_fd)}; remove it")


def describe(link: Path, dir_fd: int | None = None) -> str:
    """``it is a symbolic link (to TARGET)``."""
    try:
        return f"it is a symbolic link (to {os.readlink(link, dir_fd=dir_fd)})"
    except OSError:
        return "it is a symbolic link"


def relative(root: Path, path: Path) -> tuple[Path, Path]:
    """``(base, rel)`` with ``base / rel == path``: ``base`` is ``root`` as given or resolved
    (whichever ``path`` is spelt under), ``rel`` a plain relative path. Raises when ``path``
    is not lexically below ``root``."""
    for base in (root, root.resolve()):
        with contextlib.suppress(ValueError):
            rel = path.relative_to(base)
            if ".." not in rel.parts:
                return base, rel
    raise BpuReportsError(f"refusing to write {path}: it is outside the output folder {root}")


def first_link(root: Path, path: Path) -> Path | None:
    """The first existing component of ``path`` below ``root`` that is a symbolic link."""
    base, rel = relative(root, path)
    current = base
    for part in rel.parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return None  # nothing exists below a missing component (or below a file)
        if stat.S_ISLNK(mode):
            return current
    return None


def refuse_links(root: Path, *paths: Path) -> None:
    """Raise ``OutputLinkError`` if any existing component of ``paths`` below ``root`` is a
    symbolic link; missing components are fine (they are made later, as folders)."""
    for path in paths:
        link = first_link(root, path)
        if link is not None:
            raise refused(link)


def make_folders(root: Path, folder: Path, mode: int = 0o755) -> None:
    """``mkdir -p folder``, where the components below ``root`` are made (or accepted) one at a
    time and never through a symbolic link. ``root`` itself may be a link; a missing one is
    made. ``OSError`` for anything else in the way (a file, no permission)."""
    base, rel = relative(root, folder)
    current = base
    for part in rel.parts:
        current = current / part
        try:
            os.mkdir(current, mode)
        except FileNotFoundError:
            if current.parent != base:
                raise
            base.mkdir(parents=True, exist_ok=True)
            os.mkdir(current, mode)
        except FileExistsError:
            found = os.lstat(current).st_mode
            if stat.S_ISLNK(found):
                raise refused(current) from None
            if not stat.S_ISDIR(found):
                raise


def open_file(path: Path, flags: int, mode: int = 0o644, *, dir_fd: int | None = None) -> int:
    """``os.open`` that never follows a link at ``path`` itself (``O_NOFOLLOW``): a link is an
    ``OutputLinkError`` naming it."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)
    except OSError as exc:
        # a link gives ELOOP, or ENOTDIR when a folder was asked for (O_DIRECTORY)
        if exc.errno == errno.ELOOP or (exc.errno == errno.ENOTDIR and _link_at(path, dir_fd)):
            raise refused(path, dir_fd=dir_fd) from None
        raise


def not_plain(fd: int, *, own: bool = False) -> str | None:
    """Why the open file ``fd`` must not be written as ours, or ``None``: it is not a plain
    file, it has other names (hard links: truncating it would truncate them), or (``own``)
    it belongs to another user."""
    found = os.fstat(fd)
    if not stat.S_ISREG(found.st_mode):
        return "it is not a plain file"
    if found.st_nlink != 1:
        return f"it is a file with {found.st_nlink} hard links (names)"
    if own and found.st_uid != os.geteuid():
        return "it belongs to another user"
    return None


def _link_at(path: Path, dir_fd: int | None) -> bool:
    try:
        return stat.S_ISLNK(os.stat(path, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


@contextlib.contextmanager
def private_folder(folder: Path) -> Iterator[int]:
    """The folder ``folder`` (made if missing), readable by this user only (0700), as an open
    file descriptor to create files in with ``dir_fd``: a link at ``folder`` is refused, and
    so is a folder of another user (it could be read by them)."""
    with contextlib.suppress(FileExistsError):
        try:
            os.mkdir(folder, 0o700)
        except FileNotFoundError:
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(folder, 0o700)
    fd = open_file(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if os.fstat(fd).st_uid != os.geteuid():
            raise refused(folder, "it belongs to another user")
        os.fchmod(fd, 0o700)
        yield fd
    finally:
        os.close(fd)


def remove_tree(path: Path) -> bool:
    """Remove the folder ``path`` and everything in it; true if there was anything. Links
    inside are removed, never followed (``shutil.rmtree`` works on file descriptors on
    Linux); a link (or a file) at ``path`` itself is unlinked, its target left alone."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(mode):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    return True


def remove_hidden(folder: Path, suffixes: tuple[str, ...]) -> int:
    """Unlink every hidden file (or link) below ``folder`` whose name ends with one of
    ``suffixes``; the walk holds each folder open and never enters a link, so nothing outside
    ``folder`` is reached. Returns how many were removed."""
    if folder.is_symlink() or not folder.is_dir():
        return 0
    removed = 0
    for _, dirs, files, dir_fd in os.fwalk(folder, follow_symlinks=False):
        for name in [*files, *dirs]:
            if not (name.startswith(".") and name.endswith(suffixes)):
                continue
            with contextlib.suppress(FileNotFoundError):
                if name in dirs and not _is_link(name, dir_fd):
                    continue  # a real folder of that name is not a temporary file
                os.unlink(name, dir_fd=dir_fd)
                removed += 1
    return removed


def _is_link(name: str, dir_fd: int) -> bool:
    return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
