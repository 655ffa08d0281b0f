"""Small hand-made warehouses for tests: rows written as tuples, defaults filled in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from bpu_reports.data import store
from bpu_reports.data.contract import LOAD_ORDER, TABLES
from bpu_reports.period import Period

D = dt.date.fromisoformat
PINNED_UNTIL = Period(2018, 12)
"""The demo history the tests build (``db init --demo --until 2018-12``): the suite must not
depend on today's date, and a short history keeps it quick."""


def member(
    pid: int,
    branch: str,
    registered: str,
    *,
    segment: str = "ojek_online",
    channel: str = "kantor",
    event: int | None = None,
    exited: str | None = None,
    income: int = 1_000_000,
    jht: bool = False,
) -> dict:
    return {
        "participant_id": pid,
        "branch_code": branch,
        "registered_on": D(registered),
        "segment": segment,
        "channel": channel,
        "declared_income": income,
        "has_jht": jht,
        "event_id": event,
        "exited_on": D(exited) if exited else None,
        "nik": f"51710{pid:011d}",
        "full_name": f"Test Member {pid}",
        "phone": f"0812{pid:08d}",
    }


def payment(pay_id: int, pid: int, paid_on: str, first_month: str, months: int) -> dict:
    """A payment at the Rp16.800 minimum (JKK 10.000 + JKM 6.800 per month, no JHT)."""
    return {
        "payment_id": pay_id,
        "participant_id": pid,
        "paid_on": D(paid_on),
        "first_month": D(first_month),
        "months": months,
        "amount_jkk": 10_000 * months,
        "amount_jkm": 6_800 * months,
        "amount_jht": 0,
    }


def event(eid: int, branch: str, held_on: str, potential: int, title: str = "Sosialisasi") -> dict:
    return {
        "event_id": eid,
        "branch_code": branch,
        "held_on": D(held_on),
        "title": title,
        "venue": "Balai Banjar",
        "segment": "ojek_online",
        "potential": potential,
    }


def _as_id(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(int(value)) if isinstance(value, float) else str(value)


def build_warehouse(path: Path, tables: dict[str, list[dict]], source: str = "test") -> Path:
    """Write ``tables`` (lists of row dicts; missing tables empty) into a warehouse at ``path``."""
    with store.build(path, source=source) as con:
        for name in LOAD_ORDER:
            rows = tables.get(name, [])
            if not rows:
                continue
            frame = pd.DataFrame(rows)
            for column in ("participant_id", "payment_id", "event_id"):  # ids are text
                if column in frame:
                    frame[column] = frame[column].map(_as_id)
            cols = [c for c in TABLES[name].columns if c in frame.columns]
            store.insert(con, name, frame[cols])
    return path
