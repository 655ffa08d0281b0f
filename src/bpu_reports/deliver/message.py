"""One report e-mail: an ``email.message.EmailMessage`` with the report's PDF attached.

- ``From`` the sender, ``To`` the one recipient (address only: greetings are by role, so no
  name is written anywhere), ``Date`` in UTC, ``Message-ID`` on the sender's domain;
- ``Subject`` "Laporan BPU Juli 2017 — KC Bali Denpasar" / "BPU report July 2017 — KC Bali
  Denpasar", prefixed "Koreksi:" / "Correction:" when a changed report is sent again;
- a plain-text body in the recipient's language: greeting by role, the month's headline
  figures from the manifest (active members, on-time rate, new members), the attachment's
  name and size, a line saying the message is sent automatically;
- the PDF as ``application/pdf``, named ``BPU-DPS-2017-07.pdf``.

The words come from the ``mail`` section of ``report/resources/words.yaml``; the figures'
labels are the reports' own words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from bpu_reports.report import formats
from bpu_reports.report.words import Lang, check_lang, word

HEADLINE = (
    ("active_members", "active", formats.number),
    ("on_time_rate", "on_time_rate", formats.percent),
    ("new_registrations", "new_registrations", formats.number),
)
"""The figures a message shows: (label's word, manifest KPI, format)."""


@cache
def _mail_words() -> dict[str, dict[str, str]]:
    text = files("bpu_reports.report.resources").joinpath("words.yaml").read_text("utf-8")
    section = yaml.safe_load(text)["mail"]
    return {str(k): {str(lang): str(t) for lang, t in v.items()} for k, v in section.items()}


def mail_word(key: str, lang: str, **fields: Any) -> str:
    """The text of ``key`` of the ``mail`` words in ``lang``, placeholders filled."""
    text = _mail_words()[key][check_lang(lang)]
    return text.format(**fields) if fields else text


@dataclass(frozen=True)
class Report:
    """What a message says about its report: a manifest entry of status ``ok`` and its PDF."""

    period: str
    entry: Mapping[str, Any]
    pdf: bytes

    @property
    def code(self) -> str:
        return str(self.entry["code"])

    @property
    def lang(self) -> str:
        return str(self.entry.get("lang", "id"))

    def office(self, lang: Lang) -> str:
        """The office's name as the report shows it (the nation in the reader's language)."""
        if self.entry.get("kind") == "national":
            return word("nation", lang)
        return str(self.entry.get("name") or self.code)

    @property
    def filename(self) -> str:
        """``BPU-DPS-2017-07.pdf``; a report other than its kind's monthly one adds its
        notebook's name (``BPU-DPS-2017-07-outreach.pdf``)."""
        stem = Path(str(self.entry.get("notebook", ""))).stem
        extra = "" if stem in ("", f"{self.entry.get('kind')}_monthly") else f"-{stem}"
        return f"BPU-{self.code}-{self.period}{extra}.pdf"


def build(
    report: Report,
    *,
    to: str,
    role: str,
    lang: str,
    sender: str,
    correction: bool = False,
    now: dt.datetime | None = None,
) -> EmailMessage:
    """The message for one recipient (address ``to``, ``role``, language ``lang``) of
    ``report``; ``correction`` marks a changed report sent again. ``ValueError`` when ``to``
    or ``sender`` is not a plain address."""
    reader = check_lang(lang)
    month = formats.month(report.period, reader)
    office = report.office(reader)
    subject = mail_word("subject", reader, month=month, office=office)
    if report.entry.get("title"):
        subject += f" ({report.entry['title']})"
    if correction:
        subject = f"{mail_word('correction', reader)}: {subject}"

    message = EmailMessage()
    message["From"] = Address(addr_spec=sender)
    message["To"] = Address(addr_spec=to)
    message["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Subject"] = subject
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    message.set_content(
        body(report, role=role, lang=reader, correction=correction),
        cte="quoted-printable",
    )
    message.add_attachment(
        report.pdf, maintype="application", subtype="pdf", filename=report.filename
    )
    return message


def body(report: Report, *, role: str, lang: Lang, correction: bool = False) -> str:
    """The plain-text body (see the module's docstring)."""
    month = formats.month(report.period, lang)
    kpis = report.entry.get("kpis") or {}
    lines = [
        mail_word("greeting", lang, role=role.strip() or mail_word("reader", lang)),
        "",
        mail_word("intro_national", lang, month=month)
        if report.entry.get("kind") == "national"
        else mail_word("intro", lang, office=report.office(lang), month=month),
    ]
    if correction:
        lines.append(mail_word("replaces", lang))
    if report.lang != lang:
        lines.append(mail_word("other_language", lang))
    lines += ["", mail_word("headline", lang, month=month)]
    for label, key, shown in HEADLINE:
        lines.append(f"- {word(label, lang)}: {shown(kpis.get(key), lang)}")
    size = _size(len(report.pdf), lang)
    lines += [
        "",
        mail_word("attachment", lang, file=report.filename, size=size),
        "",
        "-- ",
        mail_word("automatic", lang),
    ]
    return "\n".join(lines) + "\n"


def _size(n: int, lang: Lang) -> str:
    """``850 KB`` under a megabyte (at least 1 KB), else ``1,2 MB`` / ``1.2 MB``."""
    if n < 1_000_000:
        return f"{formats.number(max(1, round(n / 1000)), lang)} KB"
    return f"{formats.number(n / 1e6, lang, 1)} MB"
