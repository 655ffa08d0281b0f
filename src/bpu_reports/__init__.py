"""bpu-reports: monthly BPU membership, compliance and outreach reports for BPJS
Ketenagakerjaan branches and regions.

The rooms, lowest first: ``data`` → ``metrics`` → ``report`` → ``render`` → ``run`` →
``deliver`` → ``cli`` (with ``console_views``); each may import the rooms before it and the
shared modules (``errors``, ``period``, ``config``, ``outdir``, ``publish``, which import no
room), never one after it. Each room's ``__init__`` says which of them it imports.
"""

from bpu_reports._version import __version__
from bpu_reports.errors import BpuReportsError
from bpu_reports.period import Period

__all__ = ["BpuReportsError", "Period", "__version__"]
