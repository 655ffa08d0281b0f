"""The delivery ledger: private (0700 folder, 0600 file), never through a link, one run at a
time, one row per (period, report, recipient), committed as soon as it is written."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from bpu_reports.deliver.ledger import LedgerError, Row, open_ledger
from bpu_reports.deliver.outbox import open_outbox
from bpu_reports.errors import BpuReportsError


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_rows_are_kept_and_private(tmp_path):
    private = tmp_path / "out" / ".delivery"
    path = private / "ledger.sqlite"
    row = Row("2017-07", "DPS/branch_monthly", "k@example.invalid", "id", "ab" * 32, "sent", 2)
    with open_ledger(path, private) as ledger:
        ledger.record(row)
        # another connection sees it at once: the row is committed before record returns
        seen = sqlite3.connect(path).execute("SELECT status, attempts FROM deliveries").fetchall()
        assert seen == [("sent", 2)]
        ledger.record(Row(*[*list(row.__dict__.values())[:5], "failed", 3]))
        assert ledger.get("2017-07", "DPS/branch_monthly", "k@example.invalid").status == "failed"
        assert ledger.get("2017-07", "DPS/branch_monthly", "other@example.invalid") is None
    assert (mode(private), mode(path)) == (0o700, 0o600)
    with open_ledger(path, private) as ledger:
        assert len(ledger.rows("2017-07")) == 1 and ledger.rows("2017-08") == []
    assert "k@example.invalid" not in repr(row)


def test_one_run_at_a_time(tmp_path):
    private = tmp_path / ".delivery"
    with (
        open_ledger(private / "ledger.sqlite", private),
        pytest.raises(LedgerError, match="another deliver is using the ledger"),
        open_ledger(private / "ledger.sqlite", private),
    ):
        pass


def test_links_are_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / ".delivery").symlink_to(elsewhere)
    with (
        pytest.raises(BpuReportsError, match=r"refusing to use .*\.delivery: it is a symbolic"),
        open_ledger(out / ".delivery" / "ledger.sqlite", out / ".delivery"),
    ):
        pass
    with pytest.raises(BpuReportsError, match="symbolic link"), open_outbox(out, "2017-07"):
        pass
    assert list(elsewhere.iterdir()) == []

    private = tmp_path / "own" / ".delivery"
    private.mkdir(parents=True)
    target = tmp_path / "target.sqlite"
    target.write_bytes(b"")
    (private / "ledger.sqlite").symlink_to(target)
    with (
        pytest.raises(LedgerError, match=r"ledger\.sqlite: it is a symbolic link"),
        open_ledger(private / "ledger.sqlite", private),
    ):
        pass
    assert target.read_bytes() == b""


def test_a_file_that_is_not_a_ledger_is_refused(tmp_path):
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(b"this is not a database, it is text " * 100)
    with pytest.raises(LedgerError, match="is not a delivery ledger"), open_ledger(path):
        pass


def test_the_outbox_of_a_period_is_replaced_by_the_next_dry_run(tmp_path):
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"] = "x"
    message.set_content("x")
    with open_outbox(tmp_path, "2017-07") as outbox:
        first = outbox.write("01-A-branch_monthly.eml", message)
    assert mode(first) == 0o600 and mode(first.parent) == 0o700
    assert mode(tmp_path / ".delivery") == 0o700
    with open_outbox(tmp_path, "2017-07") as outbox:
        outbox.write("01-B-branch_monthly.eml", message)
    assert sorted(p.name for p in first.parent.iterdir()) == ["01-B-branch_monthly.eml"]
