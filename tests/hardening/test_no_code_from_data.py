"""Nothing executes from data: a metrics file a user points at is never unpickled.

The monthly batch hands each report kernel its metrics in a file signed with a per-batch
secret (HMAC-SHA256, in the environment of the batch's workers only); a kernel checks the
signature before reading anything, so a crafted file is refused, never run.
"""

from __future__ import annotations

import os
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


@pytest.mark.slow
def test_run_with_a_crafted_metrics_file_runs_no_code(crafted, handmade_db, tmp_path) -> None:
    """``bpu-reports run … -p metrics_file=evil.pkl``: the report fails; the payload never ran."""
    from bpu_reports.cli import main

    path, marker = crafted
    env = os.environ.pop(KEY_ENV, None)
    try:
        code = main(
            [
                "--db", str(handmade_db), "--out", str(tmp_path / "out"),
                "run", str(Path(__file__).parents[2] / "notebooks" / "branch_monthly.ipynb"),
                "--branch", "A", "--period", "2017-07", "--format", "html",
                "-p", f"metrics_file={path}",
            ]
        )  # fmt: skip
    finally:
        if env is not None:
            os.environ[KEY_ENV] = env
    assert code != 0
    assert not marker.exists()


def test_work_files_are_private(handmade_db: Path, tmp_path: Path) -> None:
    """Metrics files hold unsuppressed small counts: only the batch's user may read them."""
    with store.connect(handmade_db) as con:
        metrics = compute(con, Period(2017, 7), resolve(con))
    path = tmp_path / "out" / "2017-07" / ".work" / "branch-A.pkl"
    save_unit(unit(metrics, "branch", "A"), path, new_batch_key())
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
