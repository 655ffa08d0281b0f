"""The deliver room: each recipient e-mailed the PDF of their report once, a ledger of what
was sent, the dry-run outbox and the operator's summary; it may import ``data``, ``report``,
``run``, ``config``, ``errors``, ``outdir``, ``period`` and ``publish``, never ``cli`` or
``console_views``."""

from bpu_reports.deliver.operator import notify_operator
from bpu_reports.deliver.run import deliver
from bpu_reports.deliver.settings import MailSettingsError
from bpu_reports.deliver.summary import DeliverySummary, Outcome

__all__ = ["DeliverySummary", "MailSettingsError", "Outcome", "deliver", "notify_operator"]
