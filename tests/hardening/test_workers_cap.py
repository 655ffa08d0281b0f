"""``--workers`` beyond what the machine holds is capped, and the batch says so."""

from __future__ import annotations

import os

import pytest
from hardening_support import LIGHT_NB, Cli, manifest

from bpu_reports.run import executors

CORES = len(os.sched_getaffinity(0))


def test_cap_follows_cores_and_memory() -> None:
    assert executors.cap_workers(1) == (1, None)
    capped, note = executors.cap_workers(CORES + 62)
    assert 1 <= capped <= CORES
    assert note == (
        f"--workers {CORES + 62}: using {capped} ({CORES} core(s), "
        f"{note.split(', ')[1].split(' GiB')[0]} GiB of memory available, "
        "about 0.5 GiB per worker)"
    )


@pytest.mark.slow
def test_too_many_workers_are_capped_with_a_note(handmade_db, tmp_path, capsys) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"reports:\n  - notebook: {LIGHT_NB}\n    per: branch\n    formats: [html]\n")
    out = tmp_path / "out"
    capped, _ = executors.cap_workers(64)
    code, _, err = Cli(capsys)(
        "--db", handmade_db, "--out", out, "generate", "--period", "2017-07",
        "--scope", "A,B", "--spec", spec, "--workers", 64,
    )  # fmt: skip
    assert code == 0, err
    assert f"--workers 64: using {capped} ({CORES} core(s), " in err
    log = next((out / "2017-07" / "logs").glob("generate-*.log")).read_text()
    assert f"2 to run, 0 unchanged; local executor, {capped} worker(s)" in log
    assert {e["status"] for e in manifest(out).values()} == {"ok"}


@pytest.mark.slow
def test_a_batch_left_to_choose_takes_one_worker_per_core(handmade_db, tmp_path, capsys) -> None:
    """Without ``--workers``: one per core, however many reports (a worker keeps its core
    busy, so one more only contends), as memory holds them; no note on stderr."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"reports:\n  - notebook: {LIGHT_NB}\n    per: branch\n    formats: [html]\n")
    out = tmp_path / "out"
    code, _, err = Cli(capsys)(
        "--db", handmade_db, "--out", out, "generate", "--period", "2017-07",
        "--scope", "A,B", "--spec", spec,
    )  # fmt: skip
    assert code == 0, err
    assert "--workers" not in err
    log = next((out / "2017-07" / "logs").glob("generate-*.log")).read_text()
    expected, _ = executors.cap_workers(CORES)
    assert f"2 to run, 0 unchanged; local executor, {expected} worker(s)" in log
