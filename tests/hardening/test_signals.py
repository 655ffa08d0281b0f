"""Clean stops under a scheduler (``run.stop``): SIGTERM from systemd or cron, SIGINT from
Ctrl-C at a terminal.

A real ``bpu-reports generate`` runs as a subprocess in its own session, with two workers on
four Bali branches: DPS finishes in seconds, JMB and KLK sleep in a cell, SGR waits its turn.
Once DPS is in the manifest the batch gets the signal. Every process of the batch (workers,
kernel servers, kernels: found by a marker in their environment) must be gone within 10 s,
and the batch must say in one line what it did and did not do.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import psutil
import pytest
from hardening_support import LIGHT_NB, leftovers

from bpu_reports.data.demo import build_demo
from bpu_reports.period import Period

pytestmark = pytest.mark.slow

SCOPE = "DPS,JMB,KLK,SGR"
MARKER = "BPU_REPORTS_TEST_BATCH"


def _spec(folder: Path) -> Path:
    spec = folder / "slow.yaml"
    spec.write_text(
        f"reports:\n  - notebook: {LIGHT_NB}\n    per: branch\n    formats: [html]\n"
        "    parameters:\n      hang_on: JMB,KLK\n"
    )
    return spec


def _processes(marker: str) -> list[psutil.Process]:
    """Every live process whose environment carries ``marker`` (a batch's whole tree,
    including kernels in their own sessions, wherever they were reparented)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            if process.environ().get(MARKER) == marker:
                found.append(process)
        except psutil.Error:
            continue
    return found


def _ok_entries(out: Path) -> dict[str, dict]:
    try:
        data = json.loads((out / "2017-07" / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {e["key"]: e for e in data["reports"] if e["status"] == "ok"}


@contextlib.contextmanager
def _reaped(process: subprocess.Popen) -> Iterator[subprocess.Popen]:
    """``process``, killed with its process group if it still runs when the block ends (a
    failed assertion leaves nothing behind)."""
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def _start(argv: list[str], marker: str = "", **env: str) -> subprocess.Popen:
    """``bpu-reports ARGV`` as cron or systemd start a job: in its own session (its own
    process group), its processes marked with ``marker`` in their environment."""
    return subprocess.Popen(
        [sys.executable, "-m", "bpu_reports", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, MARKER: marker, **env},
    )


def _generate(db: Path, out: Path, spec: Path, marker: str, **env: str) -> subprocess.Popen:
    argv = [
        "--db", str(db), "--out", str(out), "--quiet", "generate", "--period", "2017-07",
        "--scope", SCOPE, "--spec", str(spec), "--workers", "2",
    ]  # fmt: skip
    return _start(argv, marker, **env)


def _wait_for_dps(batch: subprocess.Popen, out: Path, marker: str) -> None:
    """Until DPS is in the manifest and JMB and KLK are asleep in their kernels."""
    deadline = time.monotonic() + 240
    while "DPS/light_report" not in _ok_entries(out):
        assert batch.poll() is None, batch.communicate()
        assert time.monotonic() < deadline, "DPS never finished"
        time.sleep(0.2)
    time.sleep(2)
    assert len(_processes(marker)) >= 5  # the batch, 2 workers, their kernel servers, kernels


def _all_gone_within_10_s(marker: str) -> bool:
    gone_by = time.monotonic() + 10
    while _processes(marker) and time.monotonic() < gone_by:
        time.sleep(0.2)
    return _processes(marker) == []


@pytest.mark.parametrize(
    ("signum", "exit_code", "to_group"),
    [(signal.SIGTERM, 143, False), (signal.SIGINT, 130, True)],
    ids=["SIGTERM", "SIGINT-ctrl-c"],
)
def test_a_signal_stops_the_batch_cleanly(bali_db, tmp_path, signum, exit_code, to_group):
    """SIGTERM to the batch (as systemd and cron send it), SIGINT to its whole process group
    (as a terminal's Ctrl-C does): one line, the shell's exit code, no process left, what
    finished kept, nothing half-written; the next run does the rest."""
    out, spec, marker = tmp_path / "out", _spec(tmp_path), uuid.uuid4().hex
    batch = _generate(bali_db, out, spec, marker)
    with _reaped(batch):
        _wait_for_dps(batch, out, marker)
        if to_group:
            os.killpg(batch.pid, signum)
        else:
            batch.send_signal(signum)
        _, err = batch.communicate(timeout=60)

    assert batch.returncode == exit_code, err
    assert err.strip().splitlines() == ["interrupted: 1 done, 3 not run; run again to finish"]
    assert _all_gone_within_10_s(marker)
    assert list(_ok_entries(out)) == ["DPS/light_report"]
    assert leftovers(out) == []  # no temporary file, no work folder
    for code in ("JMB", "KLK", "SGR"):
        assert not (out / "2017-07" / code).exists() or not any((out / "2017-07" / code).iterdir())
    portal = (out / "index.html").read_text(encoding="utf-8")
    assert "DPS/light_report.html" in portal
    book = openpyxl.load_workbook(out / "2017-07" / "kpis.xlsx", read_only=True)
    codes = [row[1] for row in book["KPI"].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert codes == ["DPS"]  # written from what finished before the stop

    if signum == signal.SIGINT:
        return  # the next run is the same after either signal
    # run again to finish: DPS is unchanged, the three others run now
    again = _generate(bali_db, out, spec, marker, LIGHT_REPORT_NO_HANG="1")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert sorted(_ok_entries(out)) == [f"{c}/light_report" for c in SCOPE.split(",")]
    log = sorted((out / "2017-07" / "logs").glob("generate-*.log"))[-1].read_text()
    assert "4 reports, 3 to run, 1 unchanged" in log


def test_a_signal_stops_a_single_run_cleanly(bali_db, tmp_path):
    """``bpu-reports run`` stopped while a cell runs: exit 143, one line, its kernel server
    and kernel gone, no report file and no temporary file."""
    out, marker = tmp_path / "out", uuid.uuid4().hex
    argv = [
        "--db", str(bali_db), "--out", str(out), "run", str(LIGHT_NB), "--branch", "JMB",
        "--period", "2017-07", "--format", "html", "-p", "hang_on=JMB",
    ]  # fmt: skip
    one = _start(argv, marker)
    with _reaped(one):
        deadline = time.monotonic() + 120
        while len(_processes(marker)) < 3:  # the command, its kernel server, the kernel
            assert one.poll() is None, one.communicate()
            assert time.monotonic() < deadline, "the kernel never started"
            time.sleep(0.2)
        time.sleep(3)  # the kernel is in the sleeping cell
        one.send_signal(signal.SIGTERM)
        stdout, err = one.communicate(timeout=60)
    assert one.returncode == 143, err
    assert stdout == ""
    assert err.strip().splitlines() == ["interrupted: 0 done, 1 not run; run again to finish"]
    assert _all_gone_within_10_s(marker)
    assert [p for p in out.rglob("*") if p.is_file()] == []


def test_a_killed_batch_takes_its_workers_and_kernels_with_it(bali_db, tmp_path):
    """``kill -9`` of the batch alone (no cleanup can run): its workers die with it, their
    kernel servers with them, and the kernels with those (Linux parent-death signals); the
    next run sweeps the work folder and finishes the month."""
    out, spec, marker = tmp_path / "out", _spec(tmp_path), uuid.uuid4().hex
    batch = _generate(bali_db, out, spec, marker)
    with _reaped(batch):
        _wait_for_dps(batch, out, marker)
        batch.kill()
        batch.communicate(timeout=30)  # and close its pipes
    assert batch.returncode == -signal.SIGKILL
    assert _all_gone_within_10_s(marker)
    assert (out / "2017-07" / ".work").exists()  # nothing could clean up ...
    again = _generate(bali_db, out, spec, marker, LIGHT_REPORT_NO_HANG="1")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert leftovers(out) == []  # ... until the next run
    assert sorted(_ok_entries(out)) == [f"{c}/light_report" for c in SCOPE.split(",")]


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_a_demo_build_and_leaves_the_warehouse_as_it_was(
    tmp_path, signum, exit_code
):
    """``db init --demo`` stopped while it generates and inserts (the demo's writer thread
    busy): exit 143 / 130, one line, the warehouse already there unchanged, and no
    temporary file left beside it (before, SIGTERM left a half-built file of any size)."""
    db = tmp_path / "w.duckdb"
    build_demo(db, until=Period(2017, 12))
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    argv = ["--db", str(db), "db", "init", "--demo", "--scale", "national", "--until", "2018-12"]
    build = _start(argv)
    with _reaped(build):
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".w.duckdb.*.building*")):
            assert build.poll() is None, build.communicate()
            assert time.monotonic() < deadline, "the build never started"
            time.sleep(0.1)
        time.sleep(4)  # generating and inserting the first branches
        assert build.poll() is None, "the build ended before the signal"
        build.send_signal(signum)
        stdout, err = build.communicate(timeout=60)
    assert build.returncode == exit_code, err
    assert stdout == ""
    assert err.strip().splitlines() == [f"interrupted: {db} was not changed; run the command again"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
