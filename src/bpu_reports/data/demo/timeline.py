"""The demo's month axis: July 2015 (PP 44/2015 in force) to December 2018.

Months are handled as small integers ``t`` (0 = 2015-07, 41 = 2018-12) so the simulation can
index arrays with them; ``t + OFFSET`` is the month index of ``bpu_reports.period``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import holidays
import numpy as np

from bpu_reports.data import reference
from bpu_reports.period import Period

FIRST = Period(2015, 7)
LAST = Period(2018, 12)
T = LAST - FIRST + 1
"""Months of history."""
OFFSET = FIRST.index
FIRST_DAY = np.datetime64(FIRST.first_day.isoformat(), "D")
LAST_DAY = np.datetime64(LAST.cutoff.isoformat(), "D")
HORIZON = T + 12
"""Months a payment may cover: one made in the last month may prepay 12 more."""

LEBARAN = (Period(2015, 7), Period(2016, 7), Period(2017, 6), Period(2018, 6))
"""Months of Idul Fitri: the holiday and the travel home take money and time away from paying."""


def t_of(period: Period) -> int:
    return period.index - OFFSET


@dataclass(frozen=True)
class Timeline:
    month_start: np.ndarray  # datetime64[D], HORIZON months from 2015-07
    days: np.ndarray  # days in each of the T months
    due_day: np.ndarray  # day of month of the payment deadline (reference.due_date)
    lebaran: np.ndarray  # bool per month
    holidays: np.ndarray  # datetime64[D] public holidays, for working-day draws

    def working_day(self, t: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A working day of month ``t`` (vectorised), chosen by the uniform ``u``."""
        return self._nth_day(t, u, "1111100")

    def weekend_day(self, t: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A Saturday or Sunday of month ``t`` — when outreach events are held."""
        return self._nth_day(t, u, "0000011")

    def any_day(self, t: np.ndarray, u: np.ndarray) -> np.ndarray:
        return self.month_start[t] + (u * self.days[t]).astype("timedelta64[D]")

    def _nth_day(self, t: np.ndarray, u: np.ndarray, weekmask: str) -> np.ndarray:
        # Working days skip public holidays; events may fall on a holiday weekend.
        hol = self.holidays if weekmask == "1111100" else np.array([], dtype="datetime64[D]")
        start, end = self.month_start[t], self.month_start[t + 1]
        count = np.busday_count(start, end, weekmask=weekmask, holidays=hol)
        k = np.minimum((u * count).astype(np.int64), count - 1)
        return np.busday_offset(start, k, roll="forward", weekmask=weekmask, holidays=hol)


@cache
def timeline() -> Timeline:
    month_start = (np.datetime64(str(FIRST), "M") + np.arange(HORIZON + 1)).astype("datetime64[D]")
    days = (month_start[1 : T + 1] - month_start[:T]).astype(np.int64)
    due = np.array(
        [reference.due_date(FIRST.shift(t).year, FIRST.shift(t).month).day for t in range(T)]
    )
    lebaran = np.isin(np.arange(T), [t_of(p) for p in LEBARAN])
    off = holidays.country_holidays("ID", years=range(FIRST.year, LAST.year + 2))
    hol = np.array(sorted(off), dtype="datetime64[D]")
    return Timeline(month_start, days, due, lebaran, hol)
