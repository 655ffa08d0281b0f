"""``--workers`` beyond what the machine holds is capped, and the batch says so."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from hardening_support import LIGHT_NB, Cli, manifest

from bpu_reports.run import executors

CORES = len(os.sched_getaffinity(0))


def test_cap_follows_cores_and_memory() -> None:
    assert executors.cap_workers(1) == (1, None)
    capped, note = executors.cap_workers(CORES + 62)
    assert 1 <= capped <= CORES + executors.EXTRA_WORKERS
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


def test_a_batch_left_to_choose_takes_one_more_worker_when_it_is_large(monkeypatch) -> None:
    """Without ``--workers``: one per core, and one more from 8 reports to run per core (a
    worker leaves its core idle while its kernel starts), if memory holds it."""
    monkeypatch.setattr(executors, "default_workers", lambda: 2)
    plenty = SimpleNamespace(available=64 * 2**30)
    monkeypatch.setattr(executors.psutil, "virtual_memory", lambda: plenty)
    assert executors.default_for(jobs=15, workers=2) == 2
    assert executors.default_for(jobs=16, workers=2) == 3
    assert executors.default_for(jobs=318, workers=2) == 3
    two_only = SimpleNamespace(available=2 * executors.WORKER_MEMORY + 1)
    monkeypatch.setattr(executors.psutil, "virtual_memory", lambda: two_only)
    assert executors.default_for(jobs=318, workers=2) == 2
