"""The rates table around the report month, as the drivers read it: its rows for the month
before and the month (``rules``), a move of the due day between them (``due_rule_change``,
``due_on_day``) and the figures of a change of contribution rates (``rates_driver_figures``).

Pure functions over ``reference`` and the frame ``rules`` gives (``MetricSet.rules``, the same
for every branch); ``metrics.compute`` reads the due-day move to count the on-time members
under the previous month's rule, and ``metrics.drivers`` tells both changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from bpu_reports.data import reference
from bpu_reports.period import Period

MIN_INCOME = 1_000_000
"""The lowest declared-income bracket: a rates change is told by its minimum contribution."""
_RATE_COLUMNS = ("jkk_rate", "jkm_amount", "jht_rate")


def rules(period: Period) -> pd.DataFrame:
    """The rates-table rows in force in the month before ``period`` and in ``period``: one row
    per month and sector with ``period`` (YYYY-MM), ``sector``, ``jkk_rate``, ``jkm_amount``,
    ``jht_rate``, ``due_day``, ``basis`` and the month's ``due_date``. A month the table does
    not reach has no rows."""
    rows = []
    for month in (period.shift(-1), period):
        for sector, segment in (
            ("transport", reference.TRANSPORT_SEGMENTS[0]),
            ("other", "lainnya"),
        ):
            try:
                r = reference.rate_on(month.first_day, segment)
            except LookupError:
                continue
            rows.append(
                {
                    "period": str(month),
                    "sector": sector,
                    **{c: getattr(r, c) for c in (*_RATE_COLUMNS, "due_day", "basis")},
                    "due_date": reference.due_date(month.year, month.month),
                }
            )
    columns = ["period", "sector", *_RATE_COLUMNS, "due_day", "basis", "due_date"]
    return pd.DataFrame(rows, columns=columns)


def due_rule_change(table: pd.DataFrame, period: Period) -> tuple[dt.date, dt.date] | None:
    """(``period``'s due date, its due date under the previous month's due day) when the
    rates table ``table`` (as ``rules`` gives it) moves the due day in ``period``; else None."""
    now, before = sector_row(table, period, "other"), sector_row(table, period.shift(-1), "other")
    if now is None or before is None or int(now.due_day) == int(before.due_day):
        return None
    return now.due_date, due_on_day(period, int(before.due_day))


def due_on_day(period: Period, due_day: int) -> dt.date:
    """The due date of ``period`` had its due day been ``due_day``: that day (or the month's
    last), moved to the next working day, as ``reference.due_date`` does for the table's day."""
    day = dt.date(period.year, period.month, min(due_day, period.cutoff.day))
    off = reference._holidays(period.year, period.year + 1)
    while day.weekday() >= 5 or day in off:
        day += dt.timedelta(days=1)
    return day


def rates_driver_figures(table: pd.DataFrame, period: Period) -> dict[str, Any] | None:
    """The figures of a contribution-rates change in ``period``, or None when none."""
    changed = []
    for sector in ("transport", "other"):
        now, before = (
            sector_row(table, period, sector),
            sector_row(table, period.shift(-1), sector),
        )
        if now is None or before is None:
            continue
        if any(float(getattr(now, c)) != float(getattr(before, c)) for c in _RATE_COLUMNS):
            changed.append((sector, now, before))
    if not changed:
        return None
    _, now, before = changed[0]
    figures: dict[str, Any] = {
        "sectors": tuple(s for s, _, _ in changed),
        "basis": str(now.basis),
        "basis_previous": str(before.basis),
        "minimum": _minimum(now),
        "minimum_previous": _minimum(before),
    }
    for c in _RATE_COLUMNS:
        figures[c] = float(getattr(now, c))
        figures[f"{c}_previous"] = float(getattr(before, c))
    return figures


def _minimum(row: Any) -> int:
    return round(MIN_INCOME * float(row.jkk_rate)) + int(row.jkm_amount)


def sector_row(table: pd.DataFrame, period: Period, sector: str) -> Any | None:
    """``table``'s row of ``sector`` in ``period`` (a named tuple), or None when it has none."""
    rows = table[(table.period == str(period)) & (table.sector == sector)]
    return None if rows.empty else next(rows.itertuples(index=False))


def due_date(table: pd.DataFrame, period: Period) -> dt.date:
    """``period``'s due date as ``table`` gives it (``reference.due_date`` beyond the table)."""
    row = sector_row(table, period, "other")
    return row.due_date if row is not None else reference.due_date(period.year, period.month)
