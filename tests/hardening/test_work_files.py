"""The batch's work files hold unsuppressed small counts (the metrics of one report, signed
for its kernel). They live only in ``OUT/PERIOD/.work`` (0700, files 0600: no other user, a
web server included, can list or read them), never in a published folder, and are gone after
every batch: removed when it ends (finished or failed), swept by the next run when it was
killed (``kill -9`` leaves no chance to clean up).
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hardening_support import LIGHT_NB, leftovers, manifest

pytestmark = pytest.mark.slow
PERIOD = "2017-07"


def spec(folder: Path, name: str, **parameters: str) -> Path:
    lines = "".join(f"      {k}: {v}\n" for k, v in parameters.items())
    text = f"reports:\n  - notebook: {LIGHT_NB}\n    per: branch\n    formats: [html]\n"
    path = folder / name
    path.write_text(text + ("    parameters:\n" + lines if lines else "") + "cell_timeout: 300\n")
    return path


def argv(db: Path, out: Path, spec_path: Path) -> list[str]:
    return [
        *["--db", str(db), "--out", str(out), "generate", "--period", PERIOD],
        *["--spec", str(spec_path), "--workers", "1"],
    ]


def no_work_files(out: Path) -> None:
    assert not (out / PERIOD / ".work").exists()
    assert [p for p in out.rglob("*") if p.suffix == ".pkl" or ".pkl." in p.name] == []
    assert leftovers(out) == []
    for notebook in out.rglob("*.ipynb"):  # the saved notebooks do not point at them
        assert ".work" not in notebook.read_text()


def test_gone_after_a_batch(cli, handmade_db, tmp_path):
    out = tmp_path / "out"
    code, _, err = cli(*argv(handmade_db, out, spec(tmp_path, "ok.yaml")))
    assert code == 0, err
    assert {e["status"] for e in manifest(out).values()} == {"ok"}
    no_work_files(out)


def test_gone_after_a_failed_batch(cli, handmade_db, tmp_path):
    out = tmp_path / "out"
    code, _, _ = cli(*argv(handmade_db, out, spec(tmp_path, "raise.yaml", raise_on="A")))
    assert code == 1
    assert manifest(out)["A/light_report"]["status"] == "failed"
    no_work_files(out)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (report kernels start sessions of their own, so killing
    the batch's process group does not reach them)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_9(process: subprocess.Popen[bytes]) -> None:
    """``kill -9`` the batch's process group, and the kernels it started."""
    below = descendants(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    for pid in below:
        with contextlib.suppress(ProcessLookupError):  # it ended with its parent
            os.kill(pid, signal.SIGKILL)
    process.wait()


def mid_run(process: subprocess.Popen[bytes], out: Path) -> bool:
    """Both reports' metrics files are written and report A's kernel runs (its cell sleeps)."""
    if process.poll() is not None:
        pytest.fail(f"the batch ended before it could be killed (exit {process.returncode})")
    work = out / PERIOD / ".work"
    scratch = list((out / PERIOD / "A").glob(".light_report.ipynb.*"))
    return work.is_dir() and len(list(work.glob("*.pkl"))) == 2 and bool(scratch)


@pytest.fixture
def killed(handmade_db, tmp_path):
    """A batch killed with SIGKILL while report A's cell sleeps; ``out`` as it left it."""
    out = tmp_path / "out"
    hanging = spec(tmp_path, "hang.yaml", hang_on="A")
    with (tmp_path / "killed.err").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "bpu_reports", *argv(handmade_db, out, hanging)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 600  # a bound on the wait, not on the batch
        while not mid_run(process, out):
            if time.monotonic() > deadline:
                pytest.fail("the batch never reached its reports")
            time.sleep(0.1)
    finally:
        kill_9(process)
    return out


def test_a_killed_batch_leaves_them_only_in_its_private_work_folder(killed):
    out = killed
    work = out / PERIOD / ".work"
    assert stat.S_IMODE(work.lstat().st_mode) == 0o700
    files = sorted(work.iterdir())
    assert [p.name for p in files] == ["branch-A.pkl", "branch-B.pkl"]
    for path in files:
        found = path.lstat()
        assert stat.S_ISREG(found.st_mode) and stat.S_IMODE(found.st_mode) == 0o600
        assert found.st_uid == os.geteuid()
    held = {p.read_bytes() for p in files}
    for path in out.rglob("*"):
        if work not in path.parents and path != work and path.is_file():
            assert path.suffix != ".pkl" and path.read_bytes() not in held, path


def test_the_next_run_sweeps_what_a_killed_batch_left(cli, handmade_db, killed, tmp_path):
    out = killed
    code, _, err = cli(*argv(handmade_db, out, spec(tmp_path, "ok.yaml")))
    assert code == 0, err
    assert {e["status"] for e in manifest(out).values()} == {"ok"}
    no_work_files(out)
    logs = "".join(p.read_text() for p in (out / PERIOD / "logs").glob("generate-*.log"))
    assert "leftover(s) of an interrupted run" in logs
