"""Delivery against a real SMTP server on 127.0.0.1 (aiosmtpd, see conftest.py): each
recipient gets exactly one message with their PDF, a re-run sends nothing, failures are
retried or recorded, a server that is down fails the run quickly and the next run sends the
rest, a dry run sends nothing, and no address or name leaks."""

from __future__ import annotations

import email
import hashlib
import io
import json
import logging
import sqlite3
import stat
import time
from collections import Counter
from email import policy
from pathlib import Path

import pytest
from mail_support import (
    ACTIVE_WITH_REPORT,
    ADDRESSES,
    AUTH_WITHOUT_TLS,
    DOMAIN,
    NAMES,
    OPERATOR,
    PASSWORD,
    PERIOD,
    SENDER,
    SmtpServer,
    free_port,
    settings_for,
    write_pdf,
)
from pypdf import PdfReader

from bpu_reports.cli import main
from bpu_reports.deliver import deliver, notify_operator
from bpu_reports.period import Period

JULY = [Period(2017, 7)]


def parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def pdf_text(message) -> str:
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    return PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()


def ledger(out: Path) -> list[dict]:
    con = sqlite3.connect(out / ".delivery" / "ledger.sqlite")
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM deliveries ORDER BY recipient")]
    finally:
        con.close()


def by_address(out: Path) -> dict[str, dict]:
    return {row["recipient"]: row for row in ledger(out)}


def received(server) -> Counter:
    return Counter(to for m in server.messages for to in m.to)


@pytest.fixture
def mail_env(monkeypatch):
    """The environment the command reads: sender, quick retries."""
    for name in ("BPU_REPORTS_SMTP", "BPU_REPORTS_MAIL_OPERATOR", "BPU_REPORTS_LEDGER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BPU_REPORTS_MAIL_FROM", SENDER)
    monkeypatch.setenv("BPU_REPORTS_SMTP_RETRIES", "2")
    monkeypatch.setenv("BPU_REPORTS_SMTP_BACKOFF", "0.01")


def cli(db, out, *args):
    return main(["--db", str(db), "--out", str(out), "deliver", "--period", PERIOD, *args])


def test_every_recipient_gets_exactly_one_message_with_their_pdf(
    deliver_db, reports, smtp_server, pdfs
):
    summary = deliver(settings_for(reports, deliver_db, smtp_server.url), JULY)
    assert (summary.sent, summary.failed, summary.already, summary.missing) == (6, 0, 0, 1)
    assert summary.line == "6 sent, 0 failed, 0 already sent, 1 without a report"
    assert not summary.ok  # C's report failed: its reader got nothing
    assert received(smtp_server) == Counter(ACTIVE_WITH_REPORT)  # one each; none inactive
    editions = {}
    for got in smtp_server.messages:
        message = parsed(got.data)
        assert [message["To"]] == got.to and got.sender == SENDER
        text = pdf_text(message)
        editions[got.to[0]] = text.split("edition ")[1].strip()
        office = {"a": "KC Alpha", "b": "KCP Beta", "r": "Region One", "p": "Nasional"}
        assert office[got.to[0][0]] in text
    # the English reader of A gets A's English edition; of the nation, the only (Indonesian)
    assert editions["a.bidang@example.invalid"] == "en"
    assert editions["a.kepala@example.invalid"] == "id"
    assert editions["pusat.en@example.invalid"] == "id"
    rows = by_address(reports)
    assert set(rows) == set(ACTIVE_WITH_REPORT)
    for address, row in rows.items():
        assert (row["status"], row["attempts"], row["sends"], row["error"]) == ("sent", 1, 1, None)
        assert row["period"] == PERIOD and row["updated_at"].endswith("+00:00")
        assert row["queue_id"].startswith("Q")
        sent = next(m for m in smtp_server.messages if m.to == [address])
        assert parsed(sent.data)["Message-ID"] == row["message_id"]
    assert rows["a.bidang@example.invalid"]["report"] == "A/branch_monthly"
    assert rows["a.bidang@example.invalid"]["lang"] == "en"
    assert (
        rows["b.kepala@example.invalid"]["fingerprint"] == hashlib.sha256(pdfs["B.id"]).hexdigest()
    )


def test_a_rerun_sends_nothing(deliver_db, reports, smtp_server):
    settings = settings_for(reports, deliver_db, smtp_server.url)
    deliver(settings, JULY)
    again = deliver(settings, JULY)
    assert again.line == "0 sent, 0 failed, 6 already sent, 1 without a report"
    assert len(smtp_server.messages) == 6
    assert all(row["sends"] == 1 for row in ledger(reports))


def test_a_changed_report_is_counted_and_resent_only_on_request(
    deliver_db, reports, smtp_server, pdfs
):
    settings = settings_for(reports, deliver_db, smtp_server.url)
    deliver(settings, JULY)
    manifest_path = reports / PERIOD / "manifest.json"
    body = json.loads(manifest_path.read_text())
    b = next(e for e in body["reports"] if e["key"] == "B/branch_monthly")
    b["digests"]["pdf"] = write_pdf(reports, b["outputs"]["pdf"], pdfs["B.en"])  # regenerated
    manifest_path.write_text(json.dumps(body))

    plain = deliver(settings, JULY)
    assert plain.line == (
        "0 sent, 0 failed, 6 already sent, 1 changed since sent (--resend sends them), "
        "1 without a report"
    )
    assert len(smtp_server.messages) == 6

    lines: list[str] = []
    again = deliver(settings, JULY, resend=True, say=lines.append)
    assert (again.sent, again.already, again.changed) == (6, 0, 0)
    subjects = {m.to[0]: parsed(m.data)["Subject"] for m in smtp_server.messages[6:]}
    assert subjects["b.kepala@example.invalid"] == "Koreksi: Laporan BPU Juli 2017 — KCP Beta"
    assert subjects["a.kepala@example.invalid"] == "Laporan BPU Juli 2017 — KC Alpha"
    (to_b,) = [m for m in smtp_server.messages[6:] if m.to == ["b.kepala@example.invalid"]]
    assert "edition en" in pdf_text(parsed(to_b.data))  # the regenerated PDF
    assert by_address(reports)["b.kepala@example.invalid"]["sends"] == 2
    assert deliver(settings, JULY).line == "0 sent, 0 failed, 6 already sent, 1 without a report"


def test_a_temporary_failure_is_retried(deliver_db, reports, smtp_server):
    smtp_server.handler.data_replies = ["451 4.3.0 Try again later"]
    summary = deliver(settings_for(reports, deliver_db, smtp_server.url), JULY)
    assert (summary.sent, summary.failed) == (6, 0)
    assert smtp_server.handler.data_commands == 7
    assert received(smtp_server) == Counter(ACTIVE_WITH_REPORT)
    attempts = sorted(row["attempts"] for row in ledger(reports))
    assert attempts == [1, 1, 1, 1, 1, 2]  # the first message: 451, then accepted
    retried = next(r for r in ledger(reports) if r["attempts"] == 2)
    assert retried["status"] == "sent" and retried["error"] is None


def test_a_permanent_failure_is_recorded_and_exits_1(
    deliver_db, reports, smtp_server, mail_env, capsys
):
    smtp_server.handler.refuse["b.kepala@example.invalid"] = (
        "550 5.1.1 <b.kepala@example.invalid>: Recipient address rejected"
    )
    assert cli(deliver_db, reports, "--smtp", smtp_server.url) == 1
    out = capsys.readouterr().out
    assert "5 sent, 1 failed, 0 already sent, 1 without a report" in out
    row = by_address(reports)["b.kepala@example.invalid"]
    assert (row["status"], row["attempts"], row["sends"]) == ("failed", 1, 0)  # not retried
    assert row["error"] == "550 5.1.1 <b***@example.invalid>: Recipient address rejected"
    head = "Kepala Kantor Cabang <b***@example.invalid>"
    assert f"FAILED 2017-07 B/branch_monthly → {head}: 550 5.1.1" in out
    assert "b.kepala@" not in out

    smtp_server.handler.refuse.clear()  # fixed on the server's side: the next run sends it
    assert cli(deliver_db, reports, "--smtp", smtp_server.url) == 1  # C still has no report
    assert "1 sent, 0 failed, 5 already sent, 1 without a report" in capsys.readouterr().out
    assert received(smtp_server) == Counter(ACTIVE_WITH_REPORT)
    row = by_address(reports)["b.kepala@example.invalid"]
    assert (row["status"], row["attempts"], row["error"]) == ("sent", 2, None)


def test_a_server_that_is_down_fails_quickly_and_the_next_run_sends_the_rest(
    deliver_db, reports, mail_env, capsys
):
    port = free_port()  # nothing listens there
    url = f"smtp://127.0.0.1:{port}"
    started = time.monotonic()
    assert cli(deliver_db, reports, "--smtp", url) == 1
    assert time.monotonic() - started < 10
    out = capsys.readouterr().out
    assert "0 sent, 6 failed, 0 already sent, 1 without a report" in out
    # one warning when the server is found down; each message not attempted says why
    assert out.count("could not be used") == 1 + 5
    assert out.count("not attempted") == 5
    rows = ledger(reports)
    assert all(r["status"] == "failed" for r in rows) and len(rows) == 6
    # the first message tried 1 + 2 retries; the others were not attempted
    assert sorted(r["attempts"] for r in rows) == [0, 0, 0, 0, 0, 3]
    assert all("cannot connect to smtp://127.0.0.1" in r["error"] for r in rows)

    server = SmtpServer(port).start()
    try:
        assert cli(deliver_db, reports, "--smtp", url) == 1  # C still has no report
        assert "6 sent, 0 failed, 0 already sent" in capsys.readouterr().out
        assert received(server) == Counter(ACTIVE_WITH_REPORT)
        assert cli(deliver_db, reports, "--smtp", url) == 1
        assert received(server) == Counter(ACTIVE_WITH_REPORT)  # nothing twice
    finally:
        server.stop()
    assert sorted(r["attempts"] for r in ledger(reports)) == [1, 1, 1, 1, 1, 4]


def test_a_dry_run_writes_the_messages_and_sends_nothing(deliver_db, reports, smtp_server):
    settings = settings_for(reports, deliver_db, smtp_server.url)
    dry = deliver(settings, JULY, dry_run=True)
    assert dry.line == (
        "0 sent, 0 failed, 0 already sent, 1 without a report, 6 written to the outbox (dry run)"
    )
    assert smtp_server.messages == [] and smtp_server.handler.data_commands == 0
    outbox = reports / ".delivery" / "outbox" / PERIOD
    names = sorted(p.name for p in outbox.iterdir())
    assert names == [
        "01-NATIONAL-national_monthly.eml",
        "02-NATIONAL-national_monthly.eml",
        "03-R1-region_monthly.eml",
        "04-A-branch_monthly.eml",
        "05-A-branch_monthly.eml",
        "06-B-branch_monthly.eml",
    ]
    tos = []
    for path in outbox.iterdir():
        message = parsed(path.read_bytes())
        tos.append(message["To"])
        assert message["From"] == SENDER and message["Subject"].startswith(
            ("Laporan BPU", "BPU report")
        )
        assert pdf_text(message)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(tos) == sorted(ACTIVE_WITH_REPORT)
    assert {r["status"] for r in ledger(reports)} == {"dry-run"}
    # then the real run sends every one of them, once
    assert deliver(settings, JULY).sent == 6
    assert received(smtp_server) == Counter(ACTIVE_WITH_REPORT)
    assert deliver(settings, JULY, dry_run=True).dry_run == 0  # all sent: nothing to write


def test_a_dry_run_needs_no_server(deliver_db, reports):
    summary = deliver(settings_for(reports, deliver_db, None), JULY, dry_run=True)
    assert summary.dry_run == 6


@AUTH_WITHOUT_TLS
def test_nothing_personal_leaks_and_the_password_never_shows(
    deliver_db, reports, mail_env, monkeypatch, capsys, caplog
):
    server = SmtpServer(free_port(), password=PASSWORD).start()
    monkeypatch.setenv("BPU_REPORTS_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("BPU_REPORTS_MAIL_OPERATOR", OPERATOR)
    caplog.set_level(logging.DEBUG)
    try:
        server.handler.refuse["r1.deputi@example.invalid"] = (
            "550 no such user r1.deputi@example.invalid"
        )
        assert cli(deliver_db, reports, "--smtp", server.url, "--verbose") == 1
        assert cli(deliver_db, reports, "--smtp", server.url, "--dry-run", "--resend") == 1
    finally:
        server.stop()
    assert len(server.messages) == 5 + 1  # logged in; the operator's summary is the sixth
    captured = capsys.readouterr()
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("bpu_reports")]
    assert logged  # (the test server's own log, which shows addresses, is not ours)
    shown = captured.out + captured.err + "\n".join(logged)
    assert "a***@example.invalid" in shown and "r***@example.invalid" in shown
    for secret in [*ADDRESSES, *NAMES, PASSWORD, OPERATOR]:
        assert secret not in shown
    published = [
        p
        for p in reports.rglob("*")
        if p.is_file() and ".delivery" not in p.relative_to(reports).parts
    ]
    assert published  # the manifest and the PDFs
    for path in published:
        data = path.read_bytes()
        for secret in [*ADDRESSES, *NAMES]:
            assert secret.encode() not in data, path
    private = reports / ".delivery"
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    for path in private.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
        assert not any(a in path.name for a in ADDRESSES)
    # the ledger does hold the addresses (it is what the checks above keep private); no name
    ledger_bytes = (private / "ledger.sqlite").read_bytes()
    assert b"a.kepala@example.invalid" in ledger_bytes
    assert not any(name.encode() in ledger_bytes for name in NAMES)
    assert not any(name.encode() in m.data for m in server.messages for name in NAMES)


def test_a_pdf_over_the_limit_fails_alone(deliver_db, reports, smtp_server, pdfs):
    body = json.loads((reports / PERIOD / "manifest.json").read_text())
    r1 = next(e for e in body["reports"] if e["code"] == "R1")
    big = pdfs["R1.id"] + b"%" + b"0" * 1_300_000 + b"\n"  # a comment after %%EOF: still a PDF
    r1["digests"]["pdf"] = write_pdf(reports, r1["outputs"]["pdf"], big)
    (reports / PERIOD / "manifest.json").write_text(json.dumps(body))
    summary = deliver(settings_for(reports, deliver_db, smtp_server.url, mail_max_mb=1.0), JULY)
    assert (summary.sent, summary.failed) == (5, 1)
    row = by_address(reports)["r1.deputi@example.invalid"]
    assert row["status"] == "failed" and row["attempts"] == 0
    assert row["error"] == f"PDF {len(big) / 1e6:.1f} MB is over the 1 MB limit"
    assert "r1.deputi@example.invalid" not in received(smtp_server)


def test_a_pdf_rewritten_since_the_manifest_or_a_link_is_not_sent(
    deliver_db, reports, smtp_server, pdfs, tmp_path
):
    (reports / PERIOD / "A" / "branch_monthly.pdf").write_bytes(pdfs["C.id"])  # by hand
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(pdfs["B.id"])  # the right bytes, reached through a planted link
    (reports / PERIOD / "B" / "branch_monthly.pdf").unlink()
    (reports / PERIOD / "B" / "branch_monthly.pdf").symlink_to(outside)
    summary = deliver(settings_for(reports, deliver_db, smtp_server.url), JULY)
    assert (summary.sent, summary.failed) == (4, 2)
    rows = by_address(reports)
    assert "is not the PDF the manifest recorded" in rows["a.kepala@example.invalid"]["error"]
    assert "symbolic link" in rows["b.kepala@example.invalid"]["error"]
    assert rows["a.bidang@example.invalid"]["status"] == "sent"  # the English edition is fine


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("R1", ["r1.deputi", "a.kepala", "a.bidang", "b.kepala"]),  # the region and its branches
        ("A,B", ["a.kepala", "a.bidang", "b.kepala"]),
        ("NATIONAL", None),  # not a branch or region code
    ],
)
def test_the_scope_chooses_the_recipients(deliver_db, reports, smtp_server, scope, expected):
    from bpu_reports.errors import ScopeError

    settings = settings_for(reports, deliver_db, smtp_server.url)
    if expected is None:
        with pytest.raises(ScopeError):
            deliver(settings, JULY, scope=scope)
        return
    summary = deliver(settings, JULY, scope=scope)
    assert received(smtp_server) == Counter(f"{a}@example.invalid" for a in expected)
    assert summary.ok


def test_a_period_without_reports_is_exit_2(deliver_db, tmp_path, mail_env, capsys):
    assert cli(deliver_db, tmp_path, "--dry-run") == 2
    err = capsys.readouterr().err
    assert "no reports for 2017-07" in err and "bpu-reports generate --period 2017-07" in err


def test_the_operator_gets_a_summary_and_its_failure_is_only_a_warning(
    deliver_db, reports, smtp_server
):
    settings = settings_for(reports, deliver_db, smtp_server.url, mail_operator=OPERATOR)
    smtp_server.handler.refuse["b.kepala@example.invalid"] = "550 5.1.1 unknown user"
    summary = deliver(settings, JULY)
    notify_operator(settings, delivered=summary)
    (mail,) = [m for m in smtp_server.messages if m.to == [OPERATOR]]
    message = parsed(mail.data)
    assert message["Subject"] == (
        "FAILURES — bpu-reports 2017-07: 5 sent, 1 failed, 0 already sent, 1 without a report"
    )
    text = message.get_body(("plain",)).get_content()
    head = "Kepala Kantor Cabang <b***@example.invalid>"
    assert f"    2017-07 B/branch_monthly → {head}: 550 5.1.1 unknown user" in text
    assert "    2017-07 C → Kepala Kantor Cabang <c***@example.invalid>: its report failed" in text
    assert "  sent (5):" in text
    assert not any(a.encode() in mail.data for a in ADDRESSES)

    warnings: list[str] = []
    down = f"smtp://127.0.0.1:{free_port()}"
    notify_operator(settings, smtp=down, delivered=summary, say=warnings.append)  # no raise
    (warning,) = warnings
    assert warning.startswith("warning: the operator summary to o***@example.invalid was not sent")
    assert OPERATOR not in warning


@pytest.mark.parametrize(
    ("scheme", "says"),
    [
        ("smtp+starttls", "does not offer what the URL asks for"),  # no STARTTLS offered
        ("smtps", "TLS with smtps://127.0.0.1"),  # a plain server answers the TLS handshake
    ],
)
def test_a_server_without_the_tls_asked_for_is_not_retried(
    deliver_db, reports, smtp_server, scheme, says
):
    url = f"{scheme}://127.0.0.1:{smtp_server.port}"
    summary = deliver(settings_for(reports, deliver_db, url), JULY)
    assert (summary.sent, summary.failed) == (0, 6)
    rows = ledger(reports)
    assert sorted(r["attempts"] for r in rows) == [0, 0, 0, 0, 0, 1]  # permanent: one attempt
    assert all(says in r["error"] for r in rows)
    assert smtp_server.messages == []


@AUTH_WITHOUT_TLS
def test_a_refused_login_ends_the_run_without_showing_the_password(
    deliver_db, reports, mail_env, monkeypatch, capsys
):
    server = SmtpServer(free_port(), password=PASSWORD).start()
    monkeypatch.setenv("BPU_REPORTS_SMTP_PASSWORD", "not-" + PASSWORD)
    try:
        assert cli(deliver_db, reports, "--smtp", server.url, "--verbose") == 1
    finally:
        server.stop()
    captured = capsys.readouterr()
    assert "0 sent, 6 failed, 0 already sent" in captured.out
    rows = ledger(reports)
    assert sorted(r["attempts"] for r in rows) == [0, 0, 0, 0, 0, 1]
    first = next(r for r in rows if r["attempts"] == 1)
    assert first["error"].startswith("535 5.7.8 Authentication credentials invalid")
    assert PASSWORD not in captured.out + captured.err


def test_a_message_refused_until_the_retries_run_out_fails_alone(deliver_db, reports, smtp_server):
    smtp_server.handler.data_replies = ["451 4.3.0 Mailbox busy"] * 3  # 1 attempt + 2 retries
    summary = deliver(settings_for(reports, deliver_db, smtp_server.url), JULY)
    assert (summary.sent, summary.failed) == (5, 1)  # the server is up: the others go on
    (failed,) = [r for r in ledger(reports) if r["status"] == "failed"]
    assert (failed["attempts"], failed["error"]) == (3, "451 4.3.0 Mailbox busy")


def test_an_address_that_is_not_one_fails_without_showing_it(
    tmp_path, reports, smtp_server, capsys
):
    from factories import build_warehouse
    from handmade import handmade_tables

    tables = handmade_tables()
    tables["recipients"] = [
        {"scope_code": "A", "email": f"a.kepala@{DOMAIN}", "name": "Ni Made Contohsari",
         "role": "Kepala", "lang": "id", "active": True},
        {"scope_code": "A", "email": "Ni Made Contohsari, Kantor Alpha", "name": "x",
         "role": "Kepala", "lang": "id", "active": True},
    ]  # fmt: skip
    db = build_warehouse(tmp_path / "odd.duckdb", tables)
    lines: list[str] = []
    summary = deliver(settings_for(reports, db, smtp_server.url), JULY, scope="A", say=lines.append)
    assert (summary.sent, summary.failed) == (1, 1)
    assert "FAILED 2017-07 A/branch_monthly → Kepala <***>: not an address" in "\n".join(lines)
    assert "Contohsari" not in "\n".join(lines)


def test_a_report_with_only_the_archival_pdf_sends_that(deliver_db, reports, smtp_server):
    body = json.loads((reports / PERIOD / "manifest.json").read_text())
    b = next(e for e in body["reports"] if e["key"] == "B/branch_monthly")
    b["outputs"] = {"pdfa": b["outputs"]["pdf"]}  # spec formats [html, pdfa]
    b["digests"] = {"pdfa": b["digests"]["pdf"]}
    (reports / PERIOD / "manifest.json").write_text(json.dumps(body))
    summary = deliver(settings_for(reports, deliver_db, smtp_server.url), JULY, scope="B")
    assert (summary.sent, summary.failed) == (1, 0)
    (got,) = smtp_server.messages
    assert "KCP Beta" in pdf_text(parsed(got.data))


def test_the_operator_summary_after_generate_and_after_a_dry_run(deliver_db, reports, smtp_server):
    from bpu_reports.run.batch import Summary

    settings = settings_for(reports, deliver_db, smtp_server.url, mail_operator=OPERATOR)
    failure = {"key": "C/branch_monthly", "error": {"type": "CellTimeoutError",
               "message": "cell 7 ran\nlonger than 600 s"}}  # fmt: skip
    generated = [
        Summary("2017-06", ok=5, skipped=5),
        Summary("2017-07", ok=5, failed=1, failures=[failure]),
    ]
    notify_operator(settings, generated=generated)
    (mail,) = smtp_server.messages
    message = parsed(mail.data)
    assert mail.to == [OPERATOR]
    assert (
        message["Subject"] == "FAILURES — bpu-reports 2017-06..2017-07: 10 ok, 1 failed, 5 skipped"
    )
    lines = message.get_body(("plain",)).get_content().splitlines()
    assert lines[2:6] == [
        "Reports",
        "  2017-06: 5 ok, 0 failed, 5 skipped",
        "  2017-07: 5 ok, 1 failed, 0 skipped",
        "    failed C/branch_monthly: cell 7 ran longer than 600 s",  # one line
    ]

    dry = deliver(settings, JULY, dry_run=True)
    notify_operator(settings, delivered=dry)
    assert len(smtp_server.messages) == 1  # a dry run sends nothing, not even this
    written = parsed((reports / ".delivery" / "outbox" / "operator.eml").read_bytes())
    assert written["To"] == OPERATOR
    assert "written to the outbox (dry run) (6):" in written.get_body(("plain",)).get_content()


def test_no_operator_address_no_summary(deliver_db, reports, smtp_server):
    notify_operator(settings_for(reports, deliver_db, smtp_server.url), delivered=None)
    assert smtp_server.messages == []
