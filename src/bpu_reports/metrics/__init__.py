"""The metrics room (SPEC §2): definitions as SQL run inside DuckDB, for all branches of a
scope in one pass, returned as tidy pandas frames; it may import ``config``, ``data``,
``errors``, ``outdir``, ``period`` and ``publish``, never ``report``, ``render``, ``run`` or
``deliver``.

The names below load their module on first use: a command that only plans (an unchanged
re-run, ``db status``) resolves a scope without loading pandas."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpu_reports.metrics.metric_set import MetricSet, compute
    from bpu_reports.metrics.privacy import SMALL, suppress_small_cells
    from bpu_reports.metrics.scope import Scope, resolve
    from bpu_reports.metrics.views import Unit, unit

_HOME = {
    "MetricSet": "metric_set",
    "compute": "metric_set",
    "SMALL": "privacy",
    "suppress_small_cells": "privacy",
    "Scope": "scope",
    "resolve": "scope",
    "Unit": "views",
    "unit": "views",
}

__all__ = [
    "SMALL",
    "MetricSet",
    "Scope",
    "Unit",
    "compute",
    "resolve",
    "suppress_small_cells",
    "unit",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"bpu_reports.metrics.{_HOME[name]}"), name)
