"""A report unit's metrics as plain JSON-ready data (``bpu-reports metrics --json``, manifests).

Breakdowns below branch level are small-cell suppressed here, so nothing under 5 members
leaves as an exact count.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from bpu_reports.metrics.privacy import suppress_small_cells
from bpu_reports.metrics.views import Unit

SPEC_KEYS = (
    "registered",
    "new_registrations",
    "active",
    "in_arrears",
    "inactive",
    "on_time",
    "on_time_rate",
    "collected_amount",
)
BREAKDOWN_COUNTS = (
    "registered",
    "new_registrations",
    "active",
    "in_arrears",
    "inactive",
    "on_time",
)
BREAKDOWN_RATES = {
    "on_time_rate": ("active", "on_time"),
    "active_share": ("registered", "active"),
}


def plain(value: Any) -> Any:
    """numpy / pandas scalars to JSON-safe Python values (NaN → None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date | pd.Timestamp):
        return value.isoformat()[:10]
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def safe_breakdowns(frame: pd.DataFrame) -> pd.DataFrame:
    return suppress_small_cells(frame, BREAKDOWN_COUNTS, BREAKDOWN_RATES)


def safe_outreach(frame: pd.DataFrame) -> pd.DataFrame:
    counts = ["registered", "paid", "active_now", "active_3m", "active_6m"]
    return suppress_small_cells(frame, counts, {"conversion": ["registered"]})


def safe_cohorts(frame: pd.DataFrame) -> pd.DataFrame:
    return suppress_small_cells(frame, ["cohort_size", "active"], {"share": ["cohort_size"]})


def unit_to_dict(unit: Unit) -> dict[str, Any]:
    s = unit.summary
    out: dict[str, Any] = {key: plain(s[key]) for key in SPEC_KEYS}
    out.update(
        period=str(unit.period),
        scope={
            "kind": unit.kind,
            "code": unit.code,
            "name": unit.name,
            "region_code": unit.region_code,
            "region_name": unit.region_name,
            "office_type": unit.office_type,
        },
        active_share=plain(s["active_share"]),
        net_change=plain(s["net_change"]),
        collections={
            "total": plain(s["collected_amount"]),
            "jkk": plain(s["collected_jkk"]),
            "jkm": plain(s["collected_jkm"]),
            "jht": plain(s["collected_jht"]),
            "payments": plain(s["payments"]),
            "mix_by_months": {
                label: plain(s[f"mix_{label}"]) for label in ("1", "3", "6", "12", "other")
            },
        },
        previous_month={k: plain(s[f"{k}_prev"]) for k in ("registered", "active", "on_time_rate")},
        year_ago={k: plain(s[f"{k}_year_ago"]) for k in ("registered", "active", "on_time_rate")},
        target={
            k: plain(s[k])
            for k in (
                "target",
                "target_progress",
                "avg_net_change_3m",
                "months_left",
                "projection_december",
                "required_monthly",
                "on_track",
            )
        },
        arrears_ageing=records(unit.ageing.astype({"bucket": str})),
        breakdowns=records(safe_breakdowns(unit.breakdowns)),
        outreach=records(safe_outreach(unit.outreach)),
        cohorts=records(safe_cohorts(unit.cohorts)),
        warehouse={
            "source": unit.warehouse.source,
            "demo": unit.warehouse.is_demo,
            "data_version": unit.warehouse.data_version,
            "data_cutoff": unit.warehouse.data_cutoff.isoformat(),
        },
    )
    if unit.kind == "region":
        out["branches"] = records(unit.branches)
    return out
