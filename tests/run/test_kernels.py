"""Batch kernels are forked from a warmed-up server, yet each report gets a clean kernel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bpu_reports.cli import main

pytestmark = pytest.mark.slow
PROBE = Path(__file__).resolve().parents[1] / "fixtures" / "kernels" / "probe.yaml"


def kernels(bali_db, out):
    code = main(
        [
            "--db",
            str(bali_db),
            "--out",
            str(out),
            "generate",
            "--period",
            "2017-07",
            "--spec",
            str(PROBE),
            "--scope",
            "DPS,KLK,JMB",
            "--workers",
            "1",
        ]
    )
    assert code == 0  # the probe asserts that no earlier report's variable is in its kernel
    entries = json.loads((out / "2017-07" / "manifest.json").read_text())["reports"]
    return [e["kpis"] for e in entries]


def test_reports_run_in_fresh_kernels_forked_from_the_server(bali_db, tmp_path):
    seen = kernels(bali_db, tmp_path)
    assert len({k["pid"] for k in seen}) == 3  # a new kernel process per report
    assert all("bpu_reports/run/forkserver.py" in k["parent"] for k in seen)


def test_fork_server_can_be_turned_off(bali_db, tmp_path, monkeypatch):
    monkeypatch.setenv("BPU_REPORTS_FORK_KERNELS", "0")
    seen = kernels(bali_db, tmp_path)
    assert len({k["pid"] for k in seen}) == 3
    assert not any("forkserver" in k["parent"] for k in seen)
