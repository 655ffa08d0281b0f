"""bpu-reports: monthly BPU membership, compliance and outreach reports for BPJS
Ketenagakerjaan branches and regions."""

from bpu_reports._version import __version__
from bpu_reports.errors import BpuReportsError
from bpu_reports.period import Period

__all__ = ["BpuReportsError", "Period", "__version__"]
