"""Nothing is written or deleted outside ``--out``, symbolic links included.

A link planted below ``--out`` (at the lock file, the period folder, its logs, work folder,
manifest or ``_failed`` folder, the portal) refuses the batch with one line, exit 2, before
anything runs; a link at one office's folder fails that report only (exit 1). The sweep of
leftovers and the removal of the work folder never follow a link. ``--out`` itself may be a
link. Every case checks that the planted "victim" outside ``--out`` is byte for byte as it was.
A warehouse path that is a link is written through: the link stays, the file it leads to gets
the new warehouse.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest
from hardening_support import LIGHT_NB, fixtures_import, leftovers, manifest

from bpu_reports.run.month_folder import sweep

pytestmark = pytest.mark.slow


def digest(path: Path) -> str:
    """sha256 of a file, or of a folder tree (names, kinds, link targets and contents)."""
    h = hashlib.sha256()
    paths = [path] if not path.is_dir() else [path, *sorted(path.rglob("*"))]
    for p in paths:
        h.update(str(p.relative_to(path.parent)).encode())
        if p.is_symlink():
            h.update(b"link:" + os.readlink(p).encode())
        elif p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def land(tmp_path):
    """``out`` (empty) and, beside it, a victim file and a victim folder holding what a
    batch would write over or delete there (a manifest, a temporary file, a work folder)."""
    out = tmp_path / "out"
    out.mkdir()
    victim_file = tmp_path / "victim.txt"
    victim_file.write_text("precious, outside --out\n")
    folder = tmp_path / "victim"
    (folder / ".work").mkdir(parents=True)
    (folder / ".work" / "keep.pkl").write_bytes(b"not the batch's")
    (folder / ".old.tmp").write_text("a name the sweep removes\n")
    (folder / "manifest.json").write_text('{"reports": []}\n')
    (folder / "A").mkdir()
    (folder / "A" / "light_report.html").write_text("<html>someone else's</html>\n")
    return out, victim_file, folder


def outside(tmp_path: Path) -> dict[str, str]:
    """Everything beside ``out`` (and the test's own spec), hashed."""
    mine = ("out", "spec.yaml")
    return {p.name: digest(p) for p in sorted(tmp_path.iterdir()) if p.name not in mine}


def spec(tmp_path: Path, **parameters: str) -> Path:
    lines = "".join(f"      {k}: {v}\n" for k, v in parameters.items())
    text = f"reports:\n  - notebook: {LIGHT_NB}\n    per: branch\n    formats: [html]\n"
    path = tmp_path / "spec.yaml"
    path.write_text(text + ("    parameters:\n" + lines if lines else ""))
    return path


def generate_argv(db: Path, out: Path, spec_path: Path) -> list[object]:
    return [
        *["--db", db, "--out", out, "generate", "--period", "2017-07"],
        *["--spec", spec_path, "--workers", "1"],
    ]


# -- a link at a path the whole batch shares: refused, exit 2, nothing runs ---------------------

SHARED = {
    "lock": (".generate.lock", "file"),
    "period": ("2017-07", "folder"),
    "logs": ("2017-07/logs", "folder"),
    "work": ("2017-07/.work", "folder"),
    "manifest": ("2017-07/manifest.json", "file"),
    "failed": ("2017-07/_failed", "folder"),
    "portal": ("index.html", "file"),
}


@pytest.mark.parametrize("where", list(SHARED))
def test_link_at_a_shared_batch_path_refuses_the_batch(cli, handmade_db, land, tmp_path, where):
    out, victim_file, victim_folder = land
    rel, kind = SHARED[where]
    link = out / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    target = victim_file if kind == "file" else victim_folder
    link.symlink_to(target)
    before = outside(tmp_path)

    cli.refused(
        *generate_argv(handmade_db, out, spec(tmp_path)),
        message=f"refusing to use {link}: it is a symbolic link (to {target}); remove it",
    )

    assert outside(tmp_path) == before
    assert link.is_symlink()  # left for the operator to look at
    written = {p.name for p in out.rglob("*")}  # (rglob does not enter the link)
    assert written <= {".generate.lock", "2017-07", rel.rsplit("/", 1)[-1]}  # nothing ran


def test_link_inside_out_is_refused_too(cli, handmade_db, land, tmp_path):
    """A link that stays inside ``--out`` would still let one period's batch rewrite another
    period's reports: refused the same way."""
    out, _, _ = land
    (out / "2016-12").mkdir()
    (out / "2016-12" / "keep.txt").write_text("December's\n")
    (out / "2017-07").symlink_to(out / "2016-12")
    cli.refused(
        *generate_argv(handmade_db, out, spec(tmp_path)),
        message=f"refusing to use {out / '2017-07'}: it is a symbolic link",
    )
    assert sorted(p.name for p in (out / "2016-12").iterdir()) == ["keep.txt"]


def test_dangling_link_at_the_logs_folder_creates_nothing_outside(cli, handmade_db, land, tmp_path):
    out, _, _ = land
    (out / "2017-07").mkdir()
    (out / "2017-07" / "logs").symlink_to(tmp_path / "not-yet")
    cli.refused(
        *generate_argv(handmade_db, out, spec(tmp_path)),
        message="it is a symbolic link (to",
    )
    assert not (tmp_path / "not-yet").exists()


def test_hard_link_at_the_lock_file_is_refused(cli, handmade_db, land, tmp_path):
    """The lock file is truncated and written: a second name of a file outside is refused."""
    out, victim_file, _ = land
    os.link(victim_file, out / ".generate.lock")
    before = outside(tmp_path)
    cli.refused(
        *generate_argv(handmade_db, out, spec(tmp_path)),
        message=f"refusing to use {out / '.generate.lock'}: it is a file with 2 hard links",
    )
    assert outside(tmp_path) == before


# -- a link at one office's folder: that report fails, the others are written -------------------


@pytest.mark.parametrize("leads", ["outside", "inside"])
def test_link_at_an_office_folder_fails_that_report_only(cli, handmade_db, land, tmp_path, leads):
    out, _, victim_folder = land
    (out / "2017-07").mkdir()
    target = victim_folder if leads == "outside" else out / "archive"
    target.mkdir(exist_ok=True)
    (out / "2017-07" / "A").symlink_to(target)
    before, inside_before = outside(tmp_path), digest(target)

    code, _, _ = cli(*generate_argv(handmade_db, out, spec(tmp_path)))

    assert code == 1
    entries = manifest(out)
    assert entries["B/light_report"]["status"] == "ok"
    error = entries["A/light_report"]["error"]
    link = out.resolve() / "2017-07" / "A"
    assert error["message"].startswith(
        f"A/light_report: BpuReportsError: refusing to use {link}: "
        f"it is a symbolic link (to {target})"
        if leads == "outside"
        else f"A/light_report: OutputLinkError: refusing to use {link}: "
        f"it is a symbolic link (to {target}); remove it"
    )
    if leads == "outside":
        assert error["message"].endswith(
            f"it is outside the output folder {out.resolve()}; remove it"
        )
    assert outside(tmp_path) == before and digest(target) == inside_before
    assert leftovers(out) == []


def test_link_at_a_report_file_fails_that_report_only(cli, handmade_db, land, tmp_path):
    """The report runs, then its publication is refused: nothing is written through the link
    (an atomic rename would only replace the link, but a link is never accepted)."""
    out, victim_file, _ = land
    (out / "2017-07" / "A").mkdir(parents=True)
    (out / "2017-07" / "A" / "light_report.html").symlink_to(victim_file)
    before = outside(tmp_path)

    code, _, _ = cli(*generate_argv(handmade_db, out, spec(tmp_path)))

    assert code == 1
    entries = manifest(out)
    assert entries["A/light_report"]["error"]["type"] == "OutputLinkError"
    assert entries["B/light_report"]["status"] == "ok"
    assert outside(tmp_path) == before
    assert leftovers(out) == []


def test_out_itself_may_be_a_link(cli, handmade_db, tmp_path):
    """An operator may point ``reports/`` at a mounted disk."""
    disk = tmp_path / "disk" / "reports"
    disk.mkdir(parents=True)
    out = tmp_path / "reports"
    out.symlink_to(disk)
    code, _, err = cli(*generate_argv(handmade_db, out, spec(tmp_path)))
    assert code == 0, err
    assert (disk / "2017-07" / "A" / "light_report.html").is_file()
    assert (disk / "index.html").is_file() and leftovers(disk) == []


# -- the sweep of a killed run's leftovers never follows a link ----------------------------------


def _planted(out: Path, victim_file: Path, victim_folder: Path, where: str) -> None:
    month = out / "2017-07"
    (month / "A").mkdir(parents=True)
    if where == "tmp-link-to-file":
        (month / "A" / ".light_report.html.x1.tmp").symlink_to(victim_file)
    elif where == "tmp-link-to-folder":
        (month / "A" / ".light_report.html.x1.tmp").symlink_to(victim_folder)
    elif where == "folder-link-holding-tmp":
        (month / "A" / "old").symlink_to(victim_folder)  # holds .old.tmp
    elif where == "link-inside-work":
        (month / ".work").mkdir(mode=0o700)
        (month / ".work" / "branch-A.pkl").write_bytes(b"left by a killed run")
        (month / ".work" / "elsewhere").symlink_to(victim_folder)
        (month / ".work" / "victim.txt").symlink_to(victim_file)


SWEPT = ["tmp-link-to-file", "tmp-link-to-folder", "folder-link-holding-tmp", "link-inside-work"]


@pytest.mark.parametrize("where", SWEPT)
def test_sweep_never_follows_a_link(land, tmp_path, where):
    out, victim_file, victim_folder = land
    _planted(out, victim_file, victim_folder, where)
    before = outside(tmp_path)
    sweep(out / "2017-07")
    assert outside(tmp_path) == before
    assert leftovers(out) == []  # the links named as leftovers are gone, as links
    if where == "folder-link-holding-tmp":
        assert (out / "2017-07" / "A" / "old").is_symlink()  # not a leftover: left alone


def test_a_batch_sweeps_a_planted_temporary_link_and_writes_nothing_outside(
    cli, handmade_db, land, tmp_path
):
    out, victim_file, victim_folder = land
    _planted(out, victim_file, victim_folder, "tmp-link-to-file")
    before = outside(tmp_path)
    code, _, err = cli(*generate_argv(handmade_db, out, spec(tmp_path)))
    assert code == 0, err
    assert outside(tmp_path) == before
    assert leftovers(out) == []


# -- bpu-reports run: the same links, refused before a kernel starts --------------------------


def run_argv(db: Path, out: Path) -> list[object]:
    return [
        *["--db", db, "--out", out, "run", LIGHT_NB],
        *["--branch", "A", "--period", "2017-07", "--format", "html"],
    ]


@pytest.mark.parametrize(
    ("rel", "kind"),
    [("2017-07", "inside"), ("2017-07/A", "inside"), ("2017-07/_failed", "outside")],
    ids=["period", "office", "failed"],
)
def test_run_refuses_a_link_below_out(cli, handmade_db, land, tmp_path, rel, kind):
    out, _, victim_folder = land
    target = out / "elsewhere" if kind == "inside" else victim_folder
    target.mkdir(exist_ok=True)
    link = out / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    before, target_before = outside(tmp_path), digest(target)
    cli.refused(
        *run_argv(handmade_db, out),
        message=f"refusing to use {out.resolve() / rel}: it is a symbolic link (to {target})",
    )
    assert outside(tmp_path) == before and digest(target) == target_before
    assert leftovers(out) == []


def test_run_refuses_a_link_at_the_report_file(cli, handmade_db, land, tmp_path):
    out, victim_file, _ = land
    (out / "2017-07" / "A").mkdir(parents=True)
    (out / "2017-07" / "A" / "light_report.html").symlink_to(victim_file)
    before = outside(tmp_path)
    cli.refused(*run_argv(handmade_db, out), message="light_report.html: it is a symbolic link")
    assert outside(tmp_path) == before
    assert leftovers(out) == []


# -- the warehouse: a link at --db is written through ------------------------------------------


def _source(db: Path) -> str:
    """The warehouse's ``source`` (``import:…`` or ``demo:…``)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        [(source,)] = con.execute("SELECT value FROM _meta WHERE key = 'source'").fetchall()
        return str(source)
    finally:
        con.close()


def test_import_onto_a_linked_warehouse_writes_through_the_link(cli, handmade_db, tmp_path):
    fx = fixtures_import()
    disk = tmp_path / "disk"
    disk.mkdir()
    real = disk / "bpu.duckdb"
    real.write_bytes(Path(handmade_db).read_bytes())
    link = tmp_path / "data" / "bpu.duckdb"
    link.parent.mkdir()
    link.symlink_to(real)

    code, _, err = cli("--db", link, "db", "import", fx.valid_folder(tmp_path / "good"))

    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert _source(real).startswith("import:")  # the new data are where the link leads
    assert sorted(p.name for p in disk.iterdir()) == ["bpu.duckdb"]  # no temporary file left
    assert sorted(p.name for p in link.parent.iterdir()) == ["bpu.duckdb"]


def test_demo_onto_a_linked_warehouse_writes_through_the_link(cli, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    real = disk / "bpu.duckdb"
    real.write_bytes(b"a stale warehouse")
    link = tmp_path / "bpu.duckdb"
    link.symlink_to(real)
    code, _, err = cli("--db", link, "db", "init", "--demo", "--until", "2017-12")
    assert code == 0, err
    assert link.is_symlink() and _source(real).startswith("demo:")


def test_a_linked_warehouse_whose_disk_is_missing_is_refused(cli, tmp_path):
    fx = fixtures_import()
    link = tmp_path / "bpu.duckdb"
    link.symlink_to(tmp_path / "unmounted" / "bpu.duckdb")
    cli.refused(
        "--db", link, "db", "import", fx.valid_folder(tmp_path / "good"),
        message=f"{link} is a symbolic link to {tmp_path / 'unmounted' / 'bpu.duckdb'}, "
        "whose folder does not exist",
    )  # fmt: skip
    assert not (tmp_path / "unmounted").exists() and link.is_symlink()
