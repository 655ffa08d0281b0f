"""One atomic write (``publish.stage`` / ``publish.write_at``) for published files and for the
batch's metrics work files: a hidden temporary name in the final folder, created exclusively
and never through a link, synced, given its mode, then renamed; nothing left on failure."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bpu_reports import publish
from bpu_reports.data import store
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.metrics.views import load_unit, new_batch_key, save_unit
from bpu_reports.outdir import OutputLinkError
from bpu_reports.period import Period


@contextlib.contextmanager
def opened(folder: Path) -> Iterator[int]:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield fd
    finally:
        os.close(fd)


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_write_at_puts_the_bytes_under_the_name_with_the_mode(tmp_path):
    with opened(tmp_path) as folder, umask(0o077):  # a strict umask changes nothing
        publish.write_at(folder, "report.html", b"<p>satu</p>")
        publish.write_at(folder, "work.pkl", b"\x00\x01", mode=0o600)
    assert (tmp_path / "report.html").read_bytes() == b"<p>satu</p>"
    assert mode(tmp_path / "report.html") == 0o644
    assert (tmp_path / "work.pkl").read_bytes() == b"\x00\x01"
    assert mode(tmp_path / "work.pkl") == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "work.pkl"]


def test_write_at_replaces_a_file_and_a_link_without_following_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "old.html").write_text("old\n")
    (work / "linked.html").symlink_to(victim)
    with opened(work) as folder:
        publish.write_at(folder, "old.html", b"new\n")
        publish.write_at(folder, "linked.html", b"mine\n")
    assert (work / "old.html").read_text() == "new\n"
    assert not (work / "linked.html").is_symlink()
    assert (work / "linked.html").read_text() == "mine\n"
    assert victim.read_text() == "keep\n"  # the link was replaced, its target left alone
    assert sorted(p.name for p in work.iterdir()) == ["linked.html", "old.html"]


def test_stage_names_a_hidden_temporary_file_beside_the_target(tmp_path):
    with opened(tmp_path) as folder:
        first = publish.stage(folder, "index.html", b"a")
        second = publish.stage(folder, "index.html", b"b")
    assert first != second  # never the same name twice: each is created exclusively
    for name, data in ((first, b"a"), (second, b"b")):
        assert name.startswith(".index.html.") and name.endswith(".tmp")
        assert (tmp_path / name).read_bytes() == data


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    """The disk fills up when the new bytes are synced: the file keeps its old content and
    no temporary file stays behind."""
    (tmp_path / "manifest.json").write_text("{}\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with opened(tmp_path) as folder, pytest.raises(OSError, match="No space left"):
        publish.write_at(folder, "manifest.json", b'{"new": 1}\n')
    assert (tmp_path / "manifest.json").read_text() == "{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_published_files_are_readable_by_all_whatever_the_umask(tmp_path):
    """``write_bytes`` (reports, manifest, portal) makes the folders and writes through
    ``stage``: mode 0644 for a web server to read, no temporary file left."""
    target = tmp_path / "2017-07" / "A" / "branch_monthly.html"
    with umask(0o077):
        publish.write_bytes(target, b"<html/>", root=tmp_path)
    assert target.read_bytes() == b"<html/>" and mode(target) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["branch_monthly.html"]


@pytest.fixture(scope="module")
def unit_a(handmade_db):
    con = store.connect(handmade_db)
    try:
        scope = resolve(con, branch="A")
        return unit(compute(con, Period(2017, 7), scope), "branch", "A")
    finally:
        con.close()


def test_work_file_is_private_and_written_again_in_place(unit_a, tmp_path):
    work = tmp_path / "2017-07" / ".work"
    key = new_batch_key()
    save_unit(unit_a, work / "branch-A.pkl", key)
    save_unit(unit_a, work / "branch-A.pkl", key)  # a second write replaces the first
    assert mode(work) == 0o700 and mode(work / "branch-A.pkl") == 0o600
    assert [p.name for p in work.iterdir()] == ["branch-A.pkl"]
    loaded = load_unit(work / "branch-A.pkl", key)
    assert (loaded.kind, loaded.code, loaded.summary["registered"]) == ("branch", "A", 13)


def test_work_file_never_goes_through_a_link(unit_a, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_text("keep\n")
    # a link in place of the work file: replaced by the file, its target untouched
    work = tmp_path / "a" / ".work"
    work.mkdir(parents=True, mode=0o700)
    (work / "branch-A.pkl").symlink_to(elsewhere / "secret.txt")
    save_unit(unit_a, work / "branch-A.pkl", new_batch_key())
    assert not (work / "branch-A.pkl").is_symlink()
    assert (elsewhere / "secret.txt").read_text() == "keep\n"
    # a link in place of the work folder: refused, nothing written where it points
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / ".work").symlink_to(elsewhere)
    with pytest.raises(OutputLinkError, match=r"refusing to use .*\.work: it is a symbolic link"):
        save_unit(unit_a, tmp_path / "b" / ".work" / "branch-A.pkl", new_batch_key())
    assert [p.name for p in elsewhere.iterdir()] == ["secret.txt"]
