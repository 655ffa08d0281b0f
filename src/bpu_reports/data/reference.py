"""Reference data shipped with the package: contribution rates and payment due dates.

Rates live in ``resources/rates.csv`` with effective dates (PP 44/2015, the PP 49/2020 relief,
the PP 50/2025 halving), never in code. Due dates come from the rates' ``due_day`` and
Indonesia's public holidays (the ``holidays`` package): the due day, moved to the next working
day when it is a Saturday, Sunday or public holiday.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import duckdb
import holidays

if TYPE_CHECKING:  # loaded where a frame is made: planning a batch never needs pandas
    import pandas as pd

TRANSPORT_SEGMENTS = ("ojek_online",)
DEFAULT_DUE_DAY = 15
"""The standing rule (the 15th) for months the rates table does not reach."""
"""Segments that count as transport workers for sector-specific rates."""


@cache
def rates() -> pd.DataFrame:
    """The contribution-rate table, one row per (period of validity, sector)."""
    import pandas as pd

    with files("bpu_reports.data.resources").joinpath("rates.csv").open("r") as fh:
        frame = pd.read_csv(fh, dtype={"sector": str, "basis": str, "note": str})
    for col in ("valid_from", "valid_to"):
        frame[col] = pd.to_datetime(frame[col].str.replace("9999-12-31", "2262-04-11")).dt.date
    return frame


@cache
def _rate_rows() -> tuple[Any, ...]:
    return tuple(rates().itertuples(index=False))


def rate_on(day: dt.date, segment: str = "lainnya") -> Any:
    """The rate row in force on ``day`` for a member of ``segment`` (fields as in the CSV)."""
    sector = "transport" if segment in TRANSPORT_SEGMENTS else "other"
    rows = [r for r in _rate_rows() if r.sector == sector and r.valid_from <= day <= r.valid_to]
    if len(rows) != 1:
        raise LookupError(f"rates table has {len(rows)} rows for {sector} on {day}")
    return rows[0]


def monthly_contribution(day: dt.date, declared_income: int, has_jht: bool, segment: str) -> int:
    """Rupiah due for one month of membership (JKK + JKM, plus JHT when taken)."""
    rate = rate_on(day, segment)
    total = round(declared_income * rate.jkk_rate) + int(rate.jkm_amount)
    if has_jht:
        total += round(declared_income * rate.jht_rate)
    return int(total)


@cache
def _holidays(first_year: int, last_year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("ID", years=range(first_year, last_year + 1)))


def due_date(year: int, month: int) -> dt.date:
    """Deadline for paying month ``year-month``: the due day or the next working day."""
    try:
        due_day = int(rate_on(dt.date(year, month, 1)).due_day)
    except LookupError:
        due_day = DEFAULT_DUE_DAY
    day = dt.date(year, month, min(due_day, calendar.monthrange(year, month)[1]))
    off = _holidays(year, year + 1)
    while day.weekday() >= 5 or day in off:
        day += dt.timedelta(days=1)
    return day


@cache
def due_dates(first_year: int = 2015, last_year: int = 2030) -> pd.DataFrame:
    """``month_idx`` (year*12+month-1), ``month_start``, ``due_date`` for every month in range."""
    import pandas as pd

    rows = [
        (y * 12 + m - 1, dt.date(y, m, 1), due_date(y, m))
        for y in range(first_year, last_year + 1)
        for m in range(1, 13)
    ]
    return pd.DataFrame(rows, columns=["month_idx", "month_start", "due_date"])


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Make ``ref_rates`` and ``ref_due_dates`` visible to SQL on ``con`` (works read-only)."""
    con.register("ref_rates", rates())
    con.register("ref_due_dates", due_dates())
