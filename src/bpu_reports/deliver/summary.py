"""What a delivery run did: one ``Outcome`` per (period, report, recipient), counted in a
``DeliverySummary`` whose ``line`` the command prints ("N sent, M failed, K already sent")."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    """What happened to one (period, report, recipient): ``status`` is ``sent``, ``failed``,
    ``already`` (sent before), ``changed`` (sent before, PDF changed since), ``dry-run`` or
    ``missing`` (no report to send); ``to`` is the masked address."""

    period: str
    report: str
    to: str
    status: str
    note: str = ""


@dataclass
class DeliverySummary:
    """What a delivery run did, counted and listed (``outcomes``, masked addresses)."""

    sent: int = 0
    failed: int = 0
    already: int = 0
    changed: int = 0
    dry_run: int = 0
    missing: int = 0
    dry: bool = False
    periods: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def line(self) -> str:
        text = f"{self.sent} sent, {self.failed} failed, {self.already} already sent"
        if self.changed:
            text += f", {self.changed} changed since sent (--resend sends them)"
        if self.missing:
            text += f", {self.missing} without a report"
        if self.dry:
            text += f", {self.dry_run} written to the outbox (dry run)"
        return text

    @property
    def ok(self) -> bool:
        """Nothing failed and every recipient had a report (else the command exits 1)."""
        return not self.failed and not self.missing

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        name = {"dry-run": "dry_run", "changed": "already"}.get(outcome.status, outcome.status)
        setattr(self, name, getattr(self, name) + 1)
        if outcome.status == "changed":
            self.changed += 1
