"""bpu-reports: monthly BPU membership, compliance and outreach reports for BPJS
Ketenagakerjaan branches and regions.

The rooms, lowest first: ``data`` → ``metrics`` → ``report`` → ``render`` → ``run`` →
``deliver`` → ``cli`` (with ``console_views``); each may import the rooms before it and the
shared modules (``errors``, ``period``, ``config``, ``outdir``, ``publish``, which import no
room), never one after it. Each room's ``__init__`` says which of them it imports.
"""

import sys

# nbformat validates notebooks with jsonschema, which imports rfc3987-syntax when it is
# installed; that module builds its grammar's parsers at import, 2–3 s of every process that
# opens a notebook (jsonschema issue #1428), for IRI format checks no notebook schema uses.
# Blocked before jsonschema loads it, jsonschema leaves those two formats unchecked.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from bpu_reports._version import __version__
from bpu_reports.errors import BpuReportsError
from bpu_reports.period import Period

__all__ = ["BpuReportsError", "Period", "__version__"]
