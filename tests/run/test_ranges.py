"""``generate --period A..B``: the months of a range, in order, each a month's batch of its
own (manifest, log, skip-if-unchanged), every month checked before any runs, one line of
totals, a stop that runs no later month, and ``--deliver`` mailing every month of the range.

The hand-made warehouse (tests/handmade.py) holds data from May 2016 to August 2017, complete
through July 2017; the Bali demo (``bali_db``) from July 2015 to December 2018."""

from __future__ import annotations

import datetime as dt
import email
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest
from rich.console import Console

from bpu_reports.cli import main
from bpu_reports.config import Settings
from bpu_reports.data.store import WarehouseInfo
from bpu_reports.errors import Interrupted, PeriodError
from bpu_reports.period import Period
from bpu_reports.run.batch import RangeInterrupted, Summary, generate, total
from bpu_reports.run.progress import run_months
from bpu_reports.run.selection import MAX_MONTHS, resolve_periods
from cli_outcome import refused

ROOT = Path(__file__).resolve().parents[2]
BRANCH_NB = ROOT / "notebooks" / "branch_monthly.ipynb"
LIGHT_NB = ROOT / "tests" / "fixtures" / "hardening" / "light_report.ipynb"
MONTHLY = ROOT / "parameters" / "monthly.yaml"
INFO = WarehouseInfo(
    source="test",
    is_demo=False,
    data_version="v",
    first_period=Period(2016, 5),
    last_period=Period(2017, 8),
    data_cutoff=dt.date(2017, 8, 2),
    built_at="2026-11-26T00:00:00+00:00",
    complete_through=Period(2017, 7),
)


def months(*texts: str) -> list[Period]:
    return [Period.parse(t) for t in texts]


def cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- resolve_periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-07", months("2017-07")),
        ("2017-05..2017-07", months("2017-05", "2017-06", "2017-07")),
        ("2016-11..2017-02", months("2016-11", "2016-12", "2017-01", "2017-02")),
        ("2017-03..2017-03", months("2017-03")),
        (" 2017-05 .. 2017-06 ", months("2017-05", "2017-06")),
        ("2017-05..latest", months("2017-05", "2017-06", "2017-07")),  # complete through July
        ("latest..2017-08", months("2017-07", "2017-08")),
        ("2017-09..previous", months("2017-09", "2017-10")),  # today is in November 2017
        ("latest", months("2017-07")),
    ],
)
def test_the_months_of_a_period_in_order(text, expected):
    assert resolve_periods(text, today=dt.date(2017, 11, 20), info=INFO) == expected


def test_a_range_of_at_most_240_months():
    twenty_years = resolve_periods("2000-01..2019-12")
    assert len(twenty_years) == MAX_MONTHS == 240
    assert (twenty_years[0], twenty_years[-1]) == (Period(2000, 1), Period(2019, 12))
    with pytest.raises(PeriodError) as caught:
        resolve_periods("2000-01..2020-01")
    assert str(caught.value) == "period range '2000-01..2020-01' spans 241 months; at most 240"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2017-07..2017-05",
            "period range '2017-07..2017-05' runs backwards: give the earlier month first "
            "(2017-05..2017-07)",
        ),
        ("latest..2017-05", "runs backwards: give the earlier month first (2017-05..2017-07)"),
        ("2017-01..", "period range '2017-01..' needs a first and a last month: YYYY-MM..YYYY-MM"),
        ("..2017-02", "period range '..2017-02' needs a first and a last month"),
        ("2017-01..2017-02..2017-03", "needs a first and a last month"),
        (
            "2017-1..2017-02",
            "period range '2017-1..2017-02': period '2017-1' is not a month in the form YYYY-MM",
        ),
        ("2017-01..2017-13", "period '2017-13' is not a month in the form YYYY-MM"),
        ("2017-01...2017-02", "period '.2017-02' is not a month in the form YYYY-MM"),
    ],
)
def test_a_bad_range_is_one_line_saying_why(text, message):
    with pytest.raises(PeriodError) as caught:
        resolve_periods(text, today=dt.date(2017, 11, 20), info=INFO)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


# -- totals and the stop's line -----------------------------------------------------------------


def test_the_total_of_a_range_sums_its_months():
    failure = {"key": "B/branch_monthly", "error": {"message": "boom"}}
    done = [
        Summary("2017-01", ok=8, failed=0, skipped=2, seconds=30.5),
        Summary("2017-02", ok=7, failed=1, skipped=2, seconds=20.25, failures=[failure]),
        Summary("2017-03", ok=0, failed=0, skipped=10, seconds=1.0),
    ]
    overall = total(done)
    assert overall.period == "2017-01..2017-03"
    assert (overall.ok, overall.failed, overall.skipped) == (15, 1, 14)
    assert overall.seconds == pytest.approx(51.75)
    assert overall.failures == [failure]
    assert overall.line == "15 ok, 1 failed, 14 skipped"
    assert total(done[:1]) is done[0]  # one month: its own summary


def test_a_stop_in_a_month_of_a_range_names_the_months_not_run():
    in_march = Interrupted(signal.SIGTERM, done=3, not_run=5)
    stopped = RangeInterrupted(in_march, Period(2017, 3), months("2017-04", "2017-05"))
    assert str(stopped) == (
        "interrupted in 2017-03: 3 done, 5 not run; 2 months not run (2017-04..2017-05); "
        "run again to finish"
    )
    assert stopped.exit_code == 143 and isinstance(stopped, Interrupted)
    early = RangeInterrupted(Interrupted(signal.SIGINT), Period(2017, 11), months("2017-12"))
    assert str(early) == (
        "interrupted in 2017-11 before any report ran; 1 month not run (2017-12..2017-12); "
        "run again to finish"
    )
    assert early.exit_code == 130
    last = RangeInterrupted(Interrupted(signal.SIGTERM, 1, 0), Period(2017, 12), [])
    assert str(last) == "interrupted in 2017-12: 1 done, 0 not run; run again to finish"


# -- refused before anything runs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (
            "2017-06..2017-10",
            "--period 2017-06..2017-10: period 2017-09 is outside the warehouse's data "
            "(2016-05 … 2017-08): choose a month in that range; nothing was run",
        ),
        ("2016-03..2016-06", "--period 2016-03..2016-06: period 2016-03 is outside"),
        ("2017-08..2017-06", "runs backwards: give the earlier month first (2017-06..2017-08)"),
        ("2017-06..", "period range '2017-06..' needs a first and a last month"),
    ],
)
def test_a_bad_range_refuses_the_whole_run(capsys, handmade_db, tmp_path, period, message):
    """Exit 2 with one line, and nothing written: not a month's folder, not the portal."""
    out = tmp_path / "out"
    argv = ["--db", handmade_db, "--out", out, "generate", "--period", period]
    refused(*cli(capsys, *argv, "--spec", MONTHLY, "--scope", "A"), message)
    assert not out.exists()


@pytest.mark.parametrize(
    ("smtp", "sender", "message"),
    [
        (None, None, "no mail server: give --smtp smtp://HOST:PORT or set BPU_REPORTS_SMTP"),
        ("smtp://127.0.0.1:25", None, "BPU_REPORTS_MAIL_FROM is not set"),
        ("http://127.0.0.1:25", "laporan@example.invalid", "has scheme 'http': use smtp://"),
    ],
)
def test_deliver_with_bad_mail_settings_refuses_before_any_report(
    capsys, handmade_db, tmp_path, monkeypatch, smtp, sender, message
):
    for name in ("BPU_REPORTS_SMTP", "BPU_REPORTS_MAIL_FROM", "BPU_REPORTS_MAIL_OPERATOR"):
        monkeypatch.delenv(name, raising=False)
    if sender:
        monkeypatch.setenv("BPU_REPORTS_MAIL_FROM", sender)
    out = tmp_path / "out"
    argv = ["--db", handmade_db, "--out", out, "generate", "--period", "2017-06..2017-07"]
    argv += ["--spec", MONTHLY, "--scope", "A", "--deliver", *(["--smtp", smtp] if smtp else [])]
    refused(*cli(capsys, *argv), message)
    assert not out.exists()


# -- a range over the Bali demo -----------------------------------------------------------------


def _branch_spec(folder: Path) -> Path:
    """The branch report alone: the cheapest real report of the monthly run."""
    spec = folder / "branch.yaml"
    spec.write_text(
        f"reports:\n  - notebook: {BRANCH_NB}\n    per: branch\n    formats: [html, pdf]\n",
        encoding="utf-8",
    )
    return spec


@pytest.fixture(scope="module")
def three_months(bali_db, tmp_path_factory):
    """DPS's branch report for May, June and July 2017, one run; what it printed."""
    folder = tmp_path_factory.mktemp("range")
    out, spec = folder / "out", _branch_spec(folder)
    argv = ["--db", bali_db, "--out", out, "generate", "--period", "2017-05..2017-07"]
    argv += ["--spec", spec, "--scope", "DPS", "--workers", "1"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_DATA_DIR", str(folder / "jupyter"))  # as tests/run/conftest.py
        code = main([str(a) for a in argv])
    return out, argv, code


@pytest.mark.slow
def test_a_range_makes_each_month_as_a_single_month_run_does(three_months, capsys):
    out, _, code = three_months
    assert code == 0
    assert sorted(p.parent.name for p in out.glob("*/manifest.json")) == [
        "2017-05",
        "2017-06",
        "2017-07",
    ]
    for period in ("2017-05", "2017-06", "2017-07"):
        data = json.loads((out / period / "manifest.json").read_text(encoding="utf-8"))
        assert data["period"] == period
        assert [(e["key"], e["status"]) for e in data["reports"]] == [("DPS/branch_monthly", "ok")]
        assert data["reports"][0]["params"]["period"] == period
        assert (out / period / "DPS" / "branch_monthly.html").stat().st_size > 1000
        assert len(list((out / period / "logs").glob("generate-*.log"))) == 1
    # one registered-members figure per month, each the month's own (the Bali demo grows)
    registered = [
        json.loads((out / p / "manifest.json").read_text())["reports"][0]["kpis"]["registered"]
        for p in ("2017-05", "2017-06", "2017-07")
    ]
    assert registered == sorted(registered) and len(set(registered)) == 3


@pytest.mark.slow
def test_the_portal_links_every_month_of_the_range(three_months):
    out, _, _ = three_months
    html = (out / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert sorted(hrefs) == [
        f"{p}/{file}"
        for p in ("2017-05", "2017-06", "2017-07")
        for file in ("DPS/branch_monthly.html", "DPS/branch_monthly.pdf", "kpis.xlsx")
    ]
    assert all((out / h).is_file() for h in hrefs)
    assert "Juli 2017" in html and "Juni 2017" in html and "Mei 2017" in html


@pytest.mark.slow
def test_a_second_run_of_the_range_skips_everything(three_months, capsys):
    out, argv, _ = three_months
    before = {p: p.stat().st_mtime_ns for p in out.glob("*/DPS/*.html")}
    code, printed, err = cli(capsys, *argv)
    assert code == 0 and printed == ""
    lines = [line for line in err.splitlines() if re.match(r"^2017-0[5-7]\S*: ", line)]
    assert [line.split(" in ")[0] for line in lines] == [
        "2017-05: 0 ok, 0 failed, 1 skipped",
        "2017-06: 0 ok, 0 failed, 1 skipped",
        "2017-07: 0 ok, 0 failed, 1 skipped",
        "2017-05..2017-07: 0 ok, 0 failed, 3 skipped",
    ]
    assert len(before) == 3
    assert before == {p: p.stat().st_mtime_ns for p in out.glob("*/DPS/*.html")}
    for period in ("2017-05", "2017-06", "2017-07"):  # each month logged its own run
        assert len(list((out / period / "logs").glob("generate-*.log"))) >= 1


@pytest.mark.slow
def test_one_bar_for_the_range_on_a_terminal(three_months, bali_db):
    """On a terminal: one bar whose description names the month being run, each month's
    summary line, then the range's total."""
    out, _, _ = three_months
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=200, color_system=None)
    summaries = run_months(
        Settings(db=bali_db, out=out),
        console=console,
        period="2017-06..2017-07",
        scope="DPS",
        spec_path=out.parent / "branch.yaml",
        workers=1,
    )
    assert [(s.period, s.skipped) for s in summaries] == [("2017-06", 1), ("2017-07", 1)]
    shown = buffer.getvalue()
    assert "2017-06 (1/2)" in shown and "2017-07 (2/2)" in shown
    assert re.findall(r"2017-0\S*: \d+ ok, \d+ failed, \d+ skipped", shown) == [
        "2017-06: 0 ok, 0 failed, 1 skipped",
        "2017-07: 0 ok, 0 failed, 1 skipped",
        "2017-06..2017-07: 0 ok, 0 failed, 2 skipped",
    ]


def test_generate_runs_one_month_only(handmade_db, tmp_path):
    with pytest.raises(PeriodError, match="is a range: run it with generate_range"):
        generate(Settings(db=handmade_db, out=tmp_path), period="2017-05..2017-06")
    assert list(tmp_path.iterdir()) == []


class Inbox:
    """An aiosmtpd handler keeping every message it accepts: (recipients, raw bytes)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.mark.slow
def test_generate_deliver_mails_every_month_of_the_range(three_months, capsys, monkeypatch):
    """``--deliver`` after a range (its reports unchanged, so skipped): DPS's two active demo
    readers get one message per month, its former head none; a second run sends nothing."""
    from aiosmtpd.controller import Controller

    out, argv, _ = three_months
    monkeypatch.setenv("BPU_REPORTS_MAIL_FROM", "laporan-bpu@example.invalid")
    monkeypatch.delenv("BPU_REPORTS_MAIL_OPERATOR", raising=False)
    inbox = Inbox()
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    server = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10)
    server.start()
    try:
        deliver = [*argv, "--deliver", "--smtp", f"smtp://127.0.0.1:{port}"]
        code, printed, err = cli(capsys, *deliver)
        assert code == 0, err
        assert "6 sent, 0 failed, 0 already sent" in printed
        assert "2017-05..2017-07: 0 ok, 0 failed, 3 skipped" in err
        code, printed, _ = cli(capsys, *deliver)
        assert code == 0 and "0 sent, 0 failed, 6 already sent" in printed
    finally:
        server.stop()
    got = []
    for to, data in inbox.messages:
        message = email.message_from_bytes(data, policy=policy.default)
        (attachment,) = list(message.iter_attachments())
        got.append((to, attachment.get_filename()))
    readers = ["kepala.dps@example.invalid", "kepesertaan.dps@example.invalid"]
    assert sorted(got) == sorted(
        ([reader], f"BPU-DPS-{period}.pdf")
        for reader in readers
        for period in ("2017-05", "2017-06", "2017-07")
    )
    published = [p for p in out.rglob("*") if p.is_file() and ".delivery" not in p.parts]
    assert all(b"@example.invalid" not in p.read_bytes() for p in published)


# -- a stop in the second month -----------------------------------------------------------------


def _light_spec(folder: Path) -> Path:
    spec = folder / "light.yaml"
    spec.write_text(
        f"reports:\n  - notebook: {LIGHT_NB}\n    per: branch\n    formats: [html]\n"
        "    parameters:\n      hang_on: JMB\n",
        encoding="utf-8",
    )
    return spec


def _ok_keys(out: Path, period: str) -> list[str]:
    try:
        data = json.loads((out / period / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [e["key"] for e in data["reports"] if e["status"] == "ok"]


@pytest.mark.slow
def test_a_stop_in_a_month_runs_no_later_month(bali_db, tmp_path, capsys, monkeypatch):
    """June is done beforehand, so the range skips it; in July DPS finishes and JMB sleeps in
    a cell when SIGTERM comes: exit 143, one line naming July and the month not run
    (August), no August folder; the portal shows what finished."""
    out, spec = tmp_path / "out", _light_spec(tmp_path)
    common = ["--db", bali_db, "--out", out, "--quiet", "generate", "--spec", spec]
    common += ["--scope", "DPS,JMB", "--workers", "1"]
    monkeypatch.setenv("LIGHT_REPORT_NO_HANG", "1")
    assert cli(capsys, *common, "--period", "2017-06")[0] == 0
    monkeypatch.delenv("LIGHT_REPORT_NO_HANG")
    assert _ok_keys(out, "2017-06") == ["DPS/light_report", "JMB/light_report"]

    batch = subprocess.Popen(
        [sys.executable, "-m", "bpu_reports", *map(str, common), "--period", "2017-06..2017-08"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while "DPS/light_report" not in _ok_keys(out, "2017-07"):
            assert batch.poll() is None, batch.communicate()
            assert time.monotonic() < deadline, "DPS never finished in July"
            time.sleep(0.2)
        time.sleep(2)  # JMB is asleep in its cell
        batch.send_signal(signal.SIGTERM)
        stdout, err = batch.communicate(timeout=60)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
            batch.communicate()
    assert batch.returncode == 143, err
    assert stdout == ""
    assert err.strip().splitlines() == [
        "interrupted in 2017-07: 1 done, 1 not run; 1 month not run (2017-08..2017-08); "
        "run again to finish"
    ]
    assert not (out / "2017-08").exists()
    assert _ok_keys(out, "2017-07") == ["DPS/light_report"]
    portal = (out / "index.html").read_text(encoding="utf-8")
    assert "2017-07/DPS/light_report.html" in portal and "2017-06/JMB/light_report.html" in portal
