"""The metrics room (SPEC §2): definitions as SQL run inside DuckDB, for all branches of a
scope in one pass, returned as tidy pandas frames; it may import ``config``, ``data``,
``errors``, ``outdir``, ``period`` and ``publish``, never ``report``, ``render``, ``run`` or
``deliver``."""

from bpu_reports.metrics.compute import MetricSet, check_period, compute
from bpu_reports.metrics.privacy import SMALL, suppress_small_cells
from bpu_reports.metrics.scope import Scope, resolve
from bpu_reports.metrics.views import Unit, unit

__all__ = [
    "SMALL",
    "MetricSet",
    "Scope",
    "Unit",
    "check_period",
    "compute",
    "resolve",
    "suppress_small_cells",
    "unit",
]
