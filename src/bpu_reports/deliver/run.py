"""``bpu-reports deliver``: each recipient gets the PDF of their report, once.

Which report: the period's manifest entries of status ``ok`` with a PDF whose ``code`` is the
recipient's ``scope_code``; of a report in several languages the one in the recipient's
language, else the other (logged; the message is still in the recipient's language). One
message per (recipient, report). ``--scope``: ``all`` → every active recipient; a region code
→ that region's and its branches'; branch codes → those branches'.

The re-send rule:

- a (period, report, recipient) the ledger lists as ``sent`` is never sent again by a plain
  run, whatever changed since; when the PDF is no longer the one sent (another sha256), the
  run counts it "changed since sent" and its summary says ``--resend`` sends the corrected
  version;
- ``--resend`` sends every selected report again (the operator's explicit decision); one
  whose PDF changed since it was sent goes with its subject marked "Koreksi:" /
  "Correction:";
- a failed or never-sent one is sent by the next run.

A PDF over the size limit, or no longer the file the manifest recorded, fails that message
without an attempt; the others go on. The ledger row is written after each message. The
summary reads "N sent, M failed, K already sent" (+ ", C changed since sent (--resend sends
them)", ", R without a report" for recipients whose report failed or was not generated, and
", D written to the outbox (dry run)"); the command exits 1 when M or R is not zero. Logs
and the console show masked addresses only (``k***@example.invalid``), never names.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bpu_reports import outdir, publish
from bpu_reports.config import DELIVERY_FOLDER, Settings
from bpu_reports.deliver import message as messages
from bpu_reports.deliver.ledger import Ledger, Row, now, open_ledger
from bpu_reports.deliver.outbox import Outbox, open_outbox
from bpu_reports.deliver.plan import (
    Delivery,
    entries_of,
    pdf_format,
    plan,
    recipients_of,
    shown,
)
from bpu_reports.deliver.settings import MailConfig, mail_config
from bpu_reports.deliver.smtp import Mailer, SendFailed
from bpu_reports.deliver.summary import DeliverySummary, Outcome
from bpu_reports.errors import BpuReportsError
from bpu_reports.period import Period

log = logging.getLogger("bpu_reports.deliver")


def deliver(
    settings: Settings,
    periods: list[Period],
    *,
    scope: str = "all",
    smtp: str | None = None,
    dry_run: bool = False,
    resend: bool = False,
    say: Callable[[str], None] | None = None,
) -> DeliverySummary:
    """Send the reports of ``periods`` to their recipients (see the module's docstring);
    ``smtp`` overrides ``BPU_REPORTS_SMTP``; ``dry_run`` writes the messages to the outbox
    and sends nothing. Bad settings, an unknown scope or a period without reports raise a
    ``BpuReportsError`` before anything is sent."""
    tell = say or (lambda text: None)
    config = mail_config(settings, smtp, need_server=not dry_run)
    recipients = recipients_of(settings.db, scope)
    entries = {str(p): entries_of(settings.out, p) for p in periods}
    summary = DeliverySummary(dry=dry_run, periods=list(entries))
    if not recipients:
        tell(f"no active recipients for --scope {scope}: nothing to send")
    private = settings.out / DELIVERY_FOLDER
    with ExitStack() as stack:
        ledger = stack.enter_context(
            open_ledger(settings.ledger_path, None if settings.ledger else private)
        )
        mailer = None
        if config.server is not None and not dry_run:
            mailer = stack.enter_context(
                Mailer(config.server, retries=config.retries, backoff=config.backoff)
            )
        for period, found in entries.items():
            outbox = stack.enter_context(open_outbox(settings.out, period)) if dry_run else None
            run = _Period(settings.out, period, config, ledger, mailer, outbox, resend, tell)
            for item in plan(period, found, recipients):
                summary.add(run.one(item) if isinstance(item, Delivery) else run.say(item))
    tell(summary.line)
    return summary


@dataclass
class _Period:
    """One period's sending, sharing the run's ledger, connection and settings."""

    out: Path
    period: str
    config: MailConfig
    ledger: Ledger
    mailer: Mailer | None
    outbox: Outbox | None
    resend: bool
    tell: Callable[[str], None]
    number: int = 0
    pdfs: dict[str, bytes | str] = field(default_factory=dict, repr=False)

    def one(self, item: Delivery) -> Outcome:
        to, report = shown(item.recipient), item.report_id
        row = self.ledger.get(self.period, report, item.recipient.email)
        pdf = self._pdf(item.entry)
        fingerprint = hashlib.sha256(pdf).hexdigest() if isinstance(pdf, bytes) else ""
        if row is not None and row.status == "sent" and not self.resend:
            changed = bool(fingerprint) and fingerprint != row.fingerprint
            return self.say(Outcome(self.period, report, to, "changed" if changed else "already"))
        if isinstance(pdf, str):
            return self._failed(item, row, fingerprint, pdf, attempts=0)
        if len(pdf) > self.config.max_bytes:
            limit = self.config.max_bytes / 1e6
            why = f"PDF {len(pdf) / 1e6:.1f} MB is over the {limit:g} MB limit"
            return self._failed(item, row, fingerprint, why, attempts=0)
        if item.entry.get("lang") != item.recipient.lang:
            log.info(
                "%s %s has no %s edition: %s gets the %s one",
                self.period, report, item.recipient.lang, to, item.entry.get("lang"),
            )  # fmt: skip
        correction = row is not None and row.sends > 0 and row.fingerprint != fingerprint
        try:
            message = messages.build(
                messages.Report(self.period, item.entry, pdf),
                to=item.recipient.email,
                role=item.recipient.role,
                lang=item.recipient.lang,
                sender=self.config.sender,
                correction=correction,
            )
        except ValueError:  # an address the warehouse's rules would have refused
            why = "not an address a message can be sent to: fix it in the recipients"
            return self._failed(item, row, fingerprint, why, attempts=0)
        if self.outbox is not None:
            self.number += 1
            name = f"{self.number:02d}-{item.entry['code']}-{Path(report).name}.eml"
            self.outbox.write(name, message)
            if row is None or row.status == "dry-run":
                msgid = str(message["Message-ID"])
                self.ledger.record(self._row(item, fingerprint, "dry-run", message_id=msgid))
            return self.say(Outcome(self.period, report, to, "dry-run", name))
        assert self.mailer is not None
        try:
            sent = self.mailer.send(message, self.config.sender, item.recipient.email)
        except SendFailed as exc:
            if exc.down and exc.attempts:
                self.tell(f"warning: {self.mailer.down}; the rest is left for the next run")
            return self._failed(item, row, fingerprint, exc.reply, attempts=exc.attempts)
        before = row.attempts if row is not None and row.status != "sent" else 0
        stamp = now()
        self.ledger.record(
            self._row(
                item, fingerprint, "sent", attempts=before + sent.attempts, sent_at=stamp,
                message_id=str(message["Message-ID"]), queue_id=sent.queue_id,
                sends=(row.sends if row else 0) + 1,
            )
        )  # fmt: skip
        note = "correction" if correction else ""
        return self.say(Outcome(self.period, report, to, "sent", note))

    def _failed(
        self, item: Delivery, row: Row | None, fingerprint: str, why: str, *, attempts: int
    ) -> Outcome:
        """Record a message that was not sent (not in a dry run: it leaves the ledger's
        failures as they are). A row sent before keeps the fingerprint of what was sent."""
        if self.outbox is None:
            before = row.attempts if row is not None and row.status != "sent" else 0
            kept = row.fingerprint if row is not None and row.sends else fingerprint
            self.ledger.record(
                replace(
                    row or self._row(item, fingerprint, "failed"),
                    lang=str(item.entry.get("lang")),
                    fingerprint=kept,
                    status="failed",
                    attempts=before + attempts,
                    error=why,
                    updated_at=now(),
                )
            )
        to = shown(item.recipient)
        return self.say(Outcome(self.period, item.report_id, to, "failed", why))

    def _row(self, item: Delivery, fingerprint: str, status: str, **more: Any) -> Row:
        """A new ledger row of ``item`` (``more``: the other columns)."""
        return Row(
            self.period, item.report_id, item.recipient.email, str(item.entry.get("lang")),
            fingerprint, status, updated_at=now(), **more,
        )  # fmt: skip

    def _pdf(self, entry: dict[str, Any]) -> bytes | str:
        """The entry's PDF, read without following a link, or why it cannot be sent."""
        key = str(entry["key"])
        if key not in self.pdfs:
            self.pdfs[key] = _read_pdf(self.out, entry)
        return self.pdfs[key]

    def say(self, outcome: Outcome) -> Outcome:
        words = {
            "sent": "sent", "failed": "FAILED", "already": "already sent",
            "changed": "already sent (PDF changed since)", "dry-run": "written",
            "missing": "NO REPORT",
        }  # fmt: skip
        tail = f": {outcome.note}" if outcome.note else ""
        text = f"{words[outcome.status]} {outcome.period} {outcome.report} → {outcome.to}{tail}"
        (log.warning if outcome.status in ("failed", "missing") else log.info)("%s", text)
        self.tell(text)
        return outcome


def _read_pdf(out: Path, entry: dict[str, Any]) -> bytes | str:
    kind = pdf_format(entry) or "pdf"
    rel = str(entry["outputs"][kind])
    try:
        path = publish.inside(out, Path(rel))
        fd = outdir.open_file(path, os.O_RDONLY)
    except (BpuReportsError, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"cannot read {rel}: {reason}"
    with os.fdopen(fd, "rb") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != (entry.get("digests") or {}).get(kind):
        return (
            f"{rel} is not the PDF the manifest recorded (rewritten since): run "
            "`bpu-reports generate` for the period again"
        )
    return data
