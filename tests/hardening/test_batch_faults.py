"""Faults during a batch: each one fails its own report, recorded in the manifest with a clear
error type, while the others complete (exit 1). Nothing half-written is published and nothing
is written outside ``--out``.

One batch on the Bali warehouse carries several planted faults at once (``faults.yaml``):
KLK's kernel dies, JMB's cell hangs past ``cell_timeout: 5``, TAB's output folder is blocked by
a file, SGR's output folder is a symlink leading out of ``--out``; DPS must still complete.
Faults in the publishing step (permission, disk full, PDF renderer) are injected in-process
around ``run_job``, the function each worker process runs.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from hardening_support import FIXTURES, LIGHT_NB, leftovers, manifest

import bpu_reports.publish
import bpu_reports.render.pdf
from bpu_reports.cli import main
from bpu_reports.data import store
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.metrics.views import new_batch_key, save_unit
from bpu_reports.period import Period
from bpu_reports.run import plan, spec
from bpu_reports.run.job import run_job
from unprivileged import (
    AS_ROOT,
    give_to_nobody,
    immutable,
    nobody_can_start_processes,
    open_folder,
    run_unprivileged,
)

pytestmark = pytest.mark.slow
TIMEOUT = 5  # cell_timeout of faults.yaml
BATCH_KEY = new_batch_key()
"""The batch secret the in-process jobs below sign and check their metrics files with."""


def generate(db: Path, out: Path, spec_path: Path, scope: str, workers: int = 2) -> int:
    return main(
        [
            *["--db", str(db), "--out", str(out), "generate", "--period", "2017-07"],
            *["--spec", str(spec_path), "--scope", scope, "--workers", str(workers)],
        ]
    )


@pytest.fixture(scope="module")
def faulty(bali_db, tmp_path_factory):
    """The batch of planted faults, run once; what it left in a folder holding only ``out``."""
    root = tmp_path_factory.mktemp("faults")
    out = root / "out"
    month = out / "2017-07"
    month.mkdir(parents=True)
    (month / "TAB").write_text("a file where the TAB folder should be\n")
    (month / "manifest.json").write_text("{not json, a manifest damaged by hand")
    (month / "DPS").mkdir()
    (month / "DPS" / ".light_report.html.x1y2.tmp").write_text("left by a killed run")
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    (month / "SGR").symlink_to(elsewhere, target_is_directory=True)
    (out / "2016-01").mkdir()
    (out / "2016-01" / "manifest.json").write_text('{"reports": [{"key": 1}]}')

    started = time.perf_counter()
    code = generate(bali_db, out, FIXTURES / "faults.yaml", "DPS,KLK,JMB,TAB,SGR")
    return out, code, time.perf_counter() - started, root


def test_the_batch_runs_to_the_end_and_exits_1(faulty):
    out, code, seconds, _ = faulty
    assert code == 1
    entries = manifest(out)  # the damaged manifest was rebuilt
    assert {k: e["status"] for k, e in entries.items()} == {
        "DPS/light_report": "ok",
        "KLK/light_report": "failed",
        "JMB/light_report": "failed",
        "TAB/light_report": "failed",
        "SGR/light_report": "failed",
    }
    assert entries["DPS/light_report"]["kpis"]["registered"] > 0
    assert (out / "2017-07" / "DPS" / "light_report.html").stat().st_size > 1000
    assert "gagal" in (out / "index.html").read_text()  # the portal was still written
    assert seconds < 120


def test_kernel_death_fails_only_that_report(faulty):
    out, _, _, _ = faulty
    error = manifest(out)["KLK/light_report"]["error"]
    assert error["type"] == "DeadKernelError"
    assert error["message"] == (
        "light_report.ipynb for KLK 2017-07 failed: DeadKernelError: Kernel died"
    )
    # papermill saved nothing: the notebook with KLK's parameters is kept, error on top
    kept = nbformat.read(out / error["notebook"], as_version=4)
    assert "DeadKernelError" in kept.cells[0].source
    [injected] = [c for c in kept.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'branch = "KLK"' in injected.source
    assert "metrics_file" not in injected.source  # the batch's file is gone after the run


def test_hung_cell_fails_within_the_timeout(faulty):
    out, _, _, _ = faulty
    entry = manifest(out)["JMB/light_report"]
    assert entry["error"]["type"] == "CellTimeoutError"
    assert f"after {TIMEOUT} seconds" in entry["error"]["message"]
    assert entry["seconds"] < TIMEOUT + 25  # not the 60 s the cell sleeps


def test_blocked_output_folder_fails_only_that_report(faulty):
    out, _, _, _ = faulty
    error = manifest(out)["TAB/light_report"]["error"]
    assert error["type"] == "BpuReportsError"
    assert f"cannot create the folder {out.resolve() / '2017-07' / 'TAB'}" in error["message"]
    assert (out / "2017-07" / "TAB").read_text() == "a file where the TAB folder should be\n"


def test_output_folder_leading_outside_out_is_refused(faulty):
    out, _, _, root = faulty
    error = manifest(out)["SGR/light_report"]["error"]
    assert error["type"] == "BpuReportsError"
    assert "it is outside the output folder" in error["message"]
    assert list((root / "elsewhere").iterdir()) == []


def test_nothing_half_written_and_nothing_outside_out(faulty):
    out, _, _, root = faulty
    assert sorted(p.name for p in root.iterdir()) == ["elsewhere", "out"]
    assert leftovers(out) == []  # the planted .tmp was swept, the work folder removed
    for code in ("KLK", "JMB"):
        assert list((out / "2017-07" / code).glob("light_report.*")) == []
    for path in out.rglob("*.ipynb"):
        nbformat.read(path, as_version=4)  # every published notebook is whole
    for path in out.rglob("*.html"):
        assert path.read_text().rstrip().endswith("</html>")
    json.loads((out / "2016-01" / "manifest.json").read_text())  # another month is left alone


def test_read_only_output_folder(bali_db):
    """A report folder the user may not write fails that report only. chmod does not stop
    root: as root the batch runs as ``nobody`` (``setpriv``) on copies it may read, or, where
    ``nobody`` may not start the interpreter's worker processes, the folder is made immutable
    (``chattr +i``), which stops root too."""
    with open_folder() as root:
        shutil.copy(bali_db, root / "bali.duckdb")
        shutil.copy(LIGHT_NB, root / "light_report.ipynb")
        (root / "spec.yaml").write_text(
            "reports:\n  - notebook: light_report.ipynb\n    per: branch\n    formats: [html]\n"
        )
        out = root / "out"
        blocked = out / "2017-07" / "KLK"
        blocked.mkdir(parents=True)
        argv = [
            *["--db", root / "bali.duckdb", "--out", out, "generate", "--period", "2017-07"],
            *["--spec", root / "spec.yaml", "--scope", "DPS,KLK", "--workers", "2"],
        ]
        if AS_ROOT and nobody_can_start_processes():
            give_to_nobody(out)
            os.chown(blocked, 0, 0)  # root's again, and 0555: nobody may not write in it
            blocked.chmod(0o555)
            code, _, err = run_unprivileged(_in_process, root, *argv)
        elif AS_ROOT:
            with immutable(blocked) as done:
                if not done:
                    pytest.skip("running as root where neither setpriv nor chattr +i applies")
                code, err = main([str(a) for a in argv]), ""
        else:
            blocked.chmod(0o555)
            code, err = main([str(a) for a in argv]), ""
        blocked.chmod(0o755)
        assert code == 1, err
        entries = manifest(out)
        assert entries["DPS/light_report"]["status"] == "ok"
        assert entries["KLK/light_report"]["error"]["type"] == "PermissionError"
        assert list(blocked.iterdir()) == []


def _in_process(*argv: object) -> tuple[int, str, str]:
    return main([str(a) for a in argv]), "", ""


# -- faults while publishing, injected in-process around run_job -------------------------------


@pytest.fixture(scope="module")
def job(handmade_db, tmp_path_factory):
    """Branch A's job of a light report in HTML and PDF, as the batch plans it, and its
    metrics file."""
    folder = tmp_path_factory.mktemp("job")
    (folder / "spec.yaml").write_text(
        f"reports:\n  - notebook: {LIGHT_NB}\n    per: branch\n    formats: [html, pdf]\n"
    )
    con = store.connect(handmade_db)
    try:
        scope = resolve(con, branch="A")
        metrics = compute(con, Period.parse("2017-07"), scope)
        version = store.info(con).data_version
    finally:
        con.close()
    save_unit(unit(metrics, "branch", "A"), folder / "branch-A.pkl", BATCH_KEY)
    [planned] = plan.plan(spec.load(folder / "spec.yaml"), scope.rows, "2017-07", version, False)
    return planned.to_dict(), folder / "branch-A.pkl"


def run_in_process(job, out: Path) -> dict:
    entry, metrics_file = job
    return run_job(entry, str(out), str(metrics_file), 60, key=BATCH_KEY)


def published(out: Path) -> list[str]:
    folder = out / "2017-07" / "A"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_publishing_refused_by_the_file_system(job, tmp_path, monkeypatch):
    real = bpu_reports.publish._stage

    def refuse_html(path: Path, data: bytes) -> Path:
        if path.suffix == ".html":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, data)

    monkeypatch.setattr(bpu_reports.publish, "_stage", refuse_html)
    entry = run_in_process(job, tmp_path)
    assert entry["status"] == "failed" and entry["error"]["type"] == "PermissionError"
    assert "Permission denied" in entry["error"]["message"]
    assert published(tmp_path) == []  # a report's files are published together or not at all
    assert leftovers(tmp_path) == []


def test_pdf_renderer_fails(job, tmp_path, monkeypatch):
    def broken(html: str) -> bytes:
        raise RuntimeError("WeasyPrint crashed")

    monkeypatch.setattr(bpu_reports.render.pdf, "to_pdf", broken)
    entry = run_in_process(job, tmp_path)
    assert entry["status"] == "failed" and entry["error"]["type"] == "RuntimeError"
    assert "WeasyPrint crashed" in entry["error"]["message"]
    assert published(tmp_path) == []  # not the notebook, not the HTML: nothing of it
    assert leftovers(tmp_path) == []


def test_disk_full_while_writing_the_pdf(job, tmp_path, monkeypatch):
    """The real ``publish`` runs; the disk fills up when the PDF's temporary file is flushed
    to disk: the temporary files go, and none of the report's files appears."""
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if ".light_report.pdf." in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    entry = run_in_process(job, tmp_path)
    assert entry["status"] == "failed" and entry["error"]["type"] == "OSError"
    assert "No space left on device" in entry["error"]["message"]
    assert published(tmp_path) == []
    assert leftovers(tmp_path) == []


def test_run_job_without_faults_publishes_everything(job, tmp_path):
    entry = run_in_process(job, tmp_path)
    assert entry["status"] == "ok", entry["error"]
    assert published(tmp_path) == ["light_report.html", "light_report.ipynb", "light_report.pdf"]


# -- bpu-reports run: one report, the same faults ------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("raise_on", "failed in cell 4: RuntimeError: planted failure for A"),  # In [4]
        ("die_on", "failed: DeadKernelError: Kernel died"),
    ],
)
def test_run_with_a_failing_notebook_exits_1(cli, handmade_db, tmp_path, fault, message):
    out = tmp_path / "out"
    code, stdout, err = cli(
        *["--db", handmade_db, "--out", out, "run", LIGHT_NB, "--branch", "A"],
        *["--period", "2017-07", "--format", "html", "-p", f"{fault}=A"],
    )
    lines = err.strip().splitlines()
    assert code == 1 and stdout == ""
    assert lines[-1].startswith("error: light_report.ipynb for A 2017-07 ") and message in lines[-1]
    assert "Traceback" not in err
    assert list((out / "2017-07" / "A").glob("light_report.*")) == []
    assert leftovers(out) == []
    if fault == "raise_on":  # the executed notebook, with its error, is kept for the analyst
        kept = out / "2017-07" / "_failed" / "A" / "light_report.ipynb"
        assert "planted failure for A" in kept.read_text()
