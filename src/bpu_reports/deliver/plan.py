"""Which messages a delivery run sends: the recipients of the scope, the reports of the
period's manifest, and for each recipient the edition of their report in their language."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bpu_reports.data import store
from bpu_reports.data.recipients import Recipient, load, mask
from bpu_reports.deliver.summary import Outcome
from bpu_reports.errors import BpuReportsError
from bpu_reports.period import Period
from bpu_reports.run import manifest
from bpu_reports.run.selection import resolve_scope


@dataclass(frozen=True)
class Delivery:
    """One message to send: ``report`` (its manifest entry) to ``recipient``; ``report_id``
    is the ledger's name for it, the same in every language (``DPS/branch_monthly``)."""

    period: str
    recipient: Recipient
    entry: dict[str, Any]

    @property
    def report_id(self) -> str:
        return f"{self.entry['code']}/{Path(str(self.entry['notebook'])).stem}"


PDF_FORMATS = ("pdf", "pdfa")
"""The formats a message may attach, in order of preference (the archival PDF/A when a
report has no other PDF)."""


def pdf_format(entry: dict[str, Any]) -> str | None:
    """The format of ``entry``'s outputs to attach, or ``None`` when it has no PDF."""
    outputs = entry.get("outputs") or {}
    return next((f for f in PDF_FORMATS if outputs.get(f)), None)


def recipients_of(db: Path, scope: str) -> list[Recipient]:
    """The active recipients of ``scope`` (as ``generate --scope`` reads it)."""
    con = store.connect(db)
    try:
        chosen, with_regions = resolve_scope(con, scope)
        if chosen.kind == "all":
            return load(con)
        codes = set(chosen.branch_codes)
        if with_regions:
            codes |= chosen.region_codes
        return load(con, codes)
    finally:
        con.close()


def entries_of(out: Path, period: Period) -> list[dict[str, Any]]:
    folder = out / str(period)
    found = list(manifest.load(folder).values())
    if not found:
        raise BpuReportsError(
            f"no reports for {period} in {out} (no {folder / manifest.NAME}): run "
            f"`bpu-reports generate --period {period}` first, or check --out"
        )
    return sorted(found, key=lambda e: (manifest.kind_order(str(e.get("kind"))), e["key"]))


def plan(
    period: str, entries: list[dict[str, Any]], recipients: list[Recipient]
) -> Iterator[Delivery | Outcome]:
    """The messages of ``period``: for each report (in manifest order) each of its
    recipients, with the edition in their language when there is one; a recipient whose
    office has no finished report with a PDF is a ``missing`` outcome."""
    by_report: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        if entry.get("status") == "ok" and pdf_format(entry):
            by_report[(str(entry["code"]), Path(str(entry["notebook"])).stem)].append(entry)
    readers: dict[str, list[Recipient]] = defaultdict(list)
    for recipient in recipients:
        readers[recipient.scope_code].append(recipient)
    for (code, _), editions in by_report.items():
        for recipient in readers.get(code, []):
            chosen = next((e for e in editions if e.get("lang") == recipient.lang), editions[0])
            yield Delivery(period, recipient, chosen)
    codes = {code for code, _ in by_report}
    for recipient in recipients:
        if recipient.scope_code not in codes:
            failed = any(e.get("code") == recipient.scope_code for e in entries)
            note = "its report failed" if failed else "no report was generated for it"
            yield Outcome(period, recipient.scope_code, shown(recipient), "missing", note)


def shown(recipient: Recipient) -> str:
    """How a recipient appears on the console, in logs and in the operator's summary: their
    role and masked address (``Kepala Kantor Cabang <k***@example.invalid>``), never the name
    or the whole address; the role tells two readers of one office apart."""
    role = "".join(c if c.isprintable() else "?" for c in " ".join(recipient.role.split()))
    return f"{role[:60]} <{mask(recipient.email)}>"
