"""Nothing executes from data: a metrics file a user points at is never unpickled.

The monthly batch hands each report kernel its metrics in a file signed with a per-batch
secret (HMAC-SHA256, in the environment of the batch's workers only); a kernel checks the
signature before reading anything, so a crafted file is refused, never run.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from bpu_reports.data import store
from bpu_reports.errors import ScopeError
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.metrics.views import KEY_ENV, load_unit, new_batch_key, save_unit
from bpu_reports.period import Period


class Payload:
    """Unpickling this writes a marker file: the proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pwned"))


@pytest.fixture
def crafted(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "marker"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(Payload(marker)))
    return path, marker


def test_without_the_batch_key_nothing_is_read(crafted, monkeypatch) -> None:
    path, marker = crafted
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(ScopeError, match="set by the monthly batch only"):
        load_unit(path)
    assert not marker.exists()


def test_a_file_not_signed_by_this_batch_is_refused(crafted, monkeypatch) -> None:
    path, marker = crafted
    monkeypatch.setenv(KEY_ENV, new_batch_key())
    with pytest.raises(ScopeError, match="not a metrics file of this batch"):
        load_unit(path)
    # the same bytes with a tag made under another key: refused too
    other = new_batch_key()
    forged = path.with_name("forged.pkl")
    import hashlib
    import hmac

    body = path.read_bytes()
    forged.write_bytes(hmac.new(bytes.fromhex(other), body, hashlib.sha256).digest() + body)
    with pytest.raises(ScopeError, match="not a metrics file of this batch"):
        load_unit(forged)
    assert not marker.exists()


def test_the_batch_round_trip(handmade_db: Path, tmp_path: Path) -> None:
    with store.connect(handmade_db) as con:
        metrics = compute(con, Period(2017, 7), resolve(con))
    key = new_batch_key()
    path = tmp_path / "work" / "branch-A.pkl"
    save_unit(unit(metrics, "branch", "A"), path, key)
    loaded = load_unit(path, key)
    assert (loaded.kind, loaded.code, loaded.summary["registered"]) == ("branch", "A", 13)
    with pytest.raises(ScopeError):
        load_unit(path, new_batch_key())  # another batch's key


def test_run_refuses_a_metrics_file_before_any_kernel(crafted, handmade_db, tmp_path, capsys):
    """``bpu-reports run … -p metrics_file=evil.pkl``: one line, exit 2, nothing written; the
    payload never ran (no kernel started)."""
    from hardening_support import BRANCH_NB, Cli

    path, marker = crafted
    out = tmp_path / "out"
    Cli(capsys).refused(
        "--db", handmade_db, "--out", out,
        "run", BRANCH_NB, "--branch", "A", "--period", "2017-07", "-p", f"metrics_file={path}",
        message="-p metrics_file=… is set by the monthly batch only",
    )  # fmt: skip
    assert not marker.exists() and not out.exists()


def test_run_refuses_another_warehouse_as_a_parameter(handmade_db, tmp_path, capsys):
    """``-p db=OTHER`` would have the report read a warehouse the branch and period were not
    checked against: refused, use ``--db``."""
    from hardening_support import BRANCH_NB, Cli

    out = tmp_path / "out"
    Cli(capsys).refused(
        "--db", handmade_db, "--out", out,
        "run", BRANCH_NB, "--branch", "A", "--period", "2017-07", "-p", "db=/tmp/other.duckdb",
        message="give the warehouse with --db",
    )  # fmt: skip
    assert not out.exists()


def test_a_spec_cannot_point_reports_at_another_warehouse(handmade_db, tmp_path, capsys):
    from hardening_support import BRANCH_NB, Cli

    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"reports:\n  - notebook: {BRANCH_NB}\n    per: branch\n"
        "    parameters:\n      db: /tmp/other.duckdb\n"
    )
    out = tmp_path / "out"
    Cli(capsys).refused(
        "--db", handmade_db, "--out", out, "generate", "--period", "2017-07", "--spec", spec,
        message="reports.0.parameters.db: set by the batch",
    )  # fmt: skip
    assert not out.exists()
