"""The operator's summary: one plain-text mail after each ``generate`` and ``deliver``.

Sent to ``BPU_REPORTS_MAIL_OPERATOR`` (none when it is unset) through the same server and
retries as the reports: each month's reports ok / failed / skipped with the failures' errors,
then each delivery (sent, failed with the server's reply, already sent, changed since sent,
without a report) with masked addresses. After a dry run it is written to the outbox
(``OUT/.delivery/outbox/operator.eml``) instead. A summary that cannot be sent is a warning:
it never changes the command's exit code.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from bpu_reports.config import Settings
from bpu_reports.data.recipients import mask
from bpu_reports.deliver.outbox import open_outbox
from bpu_reports.deliver.settings import mail_config
from bpu_reports.deliver.smtp import Mailer, SendFailed
from bpu_reports.deliver.summary import DeliverySummary
from bpu_reports.errors import BpuReportsError

log = logging.getLogger("bpu_reports.deliver")
ORDER = ("failed", "missing", "changed", "sent", "dry-run", "already")
HEADINGS = {
    "failed": "failed",
    "missing": "without a report",
    "changed": "already sent, PDF changed since (--resend sends them)",
    "sent": "sent",
    "dry-run": "written to the outbox (dry run)",
    "already": "already sent",
}


def notify_operator(
    settings: Settings,
    *,
    smtp: str | None = None,
    generated: Sequence[Any] | None = None,
    delivered: DeliverySummary | None = None,
    say: Callable[[str], None] | None = None,
) -> None:
    """Mail the operator what ``generate`` (``generated``: its ``Summary`` per month) and
    ``deliver`` (``delivered``) did; nothing when no operator address is set. Never raises
    for a mail failure: it is logged (and passed to ``say``) as a warning."""
    if not settings.mail_operator:
        return
    dry = delivered is not None and delivered.dry
    try:
        config = mail_config(settings, smtp, need_server=not dry)
        message = EmailMessage()
        message["From"] = Address(addr_spec=config.sender)
        message["To"] = Address(addr_spec=settings.mail_operator)
        message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2])
        message["Subject"] = subject(generated, delivered)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text(generated, delivered), cte="quoted-printable")
        if dry or config.server is None:
            with open_outbox(settings.out, fresh=False) as outbox:
                outbox.write("operator.eml", message)
            return
        with Mailer(config.server, retries=config.retries, backoff=config.backoff) as mailer:
            mailer.send(message, config.sender, settings.mail_operator)
    except (BpuReportsError, SendFailed, OSError, ValueError) as exc:
        reason = exc.reply if isinstance(exc, SendFailed) else str(exc)
        warning = (
            f"warning: the operator summary to {mask(settings.mail_operator)} was not sent: "
            f"{reason}"
        )
        log.warning("%s", warning)
        if say is not None:
            say(warning)


def subject(generated: Sequence[Any] | None, delivered: DeliverySummary | None) -> str:
    """``bpu-reports 2017-07: 10 ok, 0 failed, 0 skipped; 12 sent, 0 failed, …``."""
    periods = [str(s.period) for s in generated or []] or (delivered.periods if delivered else [])
    span = periods[0] if len(periods) == 1 else f"{periods[0]}..{periods[-1]}" if periods else ""
    parts = []
    if generated:
        ok, failed = sum(s.ok for s in generated), sum(s.failed for s in generated)
        skipped = sum(s.skipped for s in generated)
        parts.append(f"{ok} ok, {failed} failed, {skipped} skipped")
    if delivered is not None:
        parts.append(delivered.line)
    problem = any(s.failed for s in generated or []) or (delivered and not delivered.ok)
    mark = "FAILURES — " if problem else ""
    return f"{mark}bpu-reports {span}: {'; '.join(parts)}".strip()


def text(generated: Sequence[Any] | None, delivered: DeliverySummary | None) -> str:
    """The body: the reports of each month, then every delivery, grouped by what happened."""
    lines = [f"bpu-reports, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", ""]
    if generated:
        lines.append("Reports")
        for summary in generated:
            lines.append(f"  {summary.period}: {summary.line}")
            for entry in summary.failures:
                error = entry.get("error") or {}
                message = " ".join(str(error.get("message") or error.get("type")).split())
                lines.append(f"    failed {entry.get('key')}: {message[:300]}")
        lines.append("")
    if delivered is not None:
        lines.append(f"Deliveries ({', '.join(delivered.periods)}): {delivered.line}")
        for status in ORDER:
            chosen = [o for o in delivered.outcomes if o.status == status]
            if not chosen:
                continue
            lines.append(f"  {HEADINGS[status]} ({len(chosen)}):")
            for o in chosen:
                note = f": {o.note}" if o.note and status in ("failed", "missing") else ""
                lines.append(f"    {o.period} {o.report} → {o.to}{note}")
        lines.append("")
    if not generated and delivered is None:
        lines += ["Nothing was generated or delivered.", ""]
    lines += ["-- ", "Sent automatically by bpu-reports."]
    return "\n".join(lines) + "\n"
