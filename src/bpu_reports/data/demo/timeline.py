"""The demo's month axis: July 2015 (PP 44/2015 in force) to the last month of the demo
(``until``, by default the last complete month before today).

Months are handled as small integers ``t`` (0 = 2015-07) so the simulation can index arrays with
them; ``t + OFFSET`` is the month index of ``bpu_reports.period``. Shapes that grow over time
(registrations, events, the app's share) are drawn against the fixed ``REFERENCE`` month, so the
first years of the demo look the same whatever its last month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays
import numpy as np

from bpu_reports.data import reference
from bpu_reports.errors import BpuReportsError
from bpu_reports.period import Period

FIRST = Period(2015, 7)
REFERENCE = Period(2018, 12)
"""The first demo's last month: growth curves up to it are kept as they were calibrated."""
EARLIEST_UNTIL = Period(2017, 12)
"""The demo must reach the seed's story (July 2017) and its year-end target."""
OFFSET = FIRST.index
FIRST_DAY = np.datetime64(FIRST.first_day.isoformat(), "D")
T_REF = REFERENCE - FIRST
"""``t`` of the reference month (41)."""


def default_until(today: dt.date | None = None) -> Period:
    """The last complete month before ``today``: what ``db init --demo`` builds up to."""
    return Period.previous_to(today or dt.date.today())


def check_until(until: Period, today: dt.date | None = None) -> Period:
    latest = default_until(today)
    if not EARLIEST_UNTIL <= until <= latest:
        raise BpuReportsError(
            f"--until {until}: the demo runs from {FIRST} and must end between "
            f"{EARLIEST_UNTIL} and the last complete month, {latest}"
        )
    return until


def t_of(period: Period) -> int:
    return period.index - OFFSET


@dataclass(frozen=True)
class Timeline:
    last: Period
    month_start: np.ndarray  # datetime64[D], horizon + 1 months from 2015-07
    days: np.ndarray  # days in each of the T months
    due_day: np.ndarray  # day of month of the payment deadline (reference.due_date)
    lebaran: np.ndarray  # bool per month: the month of Idul Fitri
    holidays: np.ndarray  # datetime64[D] public holidays, for working-day draws

    @property
    def T(self) -> int:
        """Months of history."""
        return self.last - FIRST + 1

    @property
    def horizon(self) -> int:
        """Months a payment may cover: one made in the last month may prepay 12 more."""
        return self.T + 12

    @property
    def last_day(self) -> np.datetime64:
        return np.datetime64(self.last.cutoff.isoformat(), "D")

    def working_day(self, t: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A working day of month ``t`` (vectorised), chosen by the uniform ``u``."""
        return self._nth_day(t, u, "1111100")

    def weekend_day(self, t: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A Saturday or Sunday of month ``t`` — when outreach events are held."""
        return self._nth_day(t, u, "0000011")

    def any_day(self, t: np.ndarray, u: np.ndarray) -> np.ndarray:
        return self.month_start[t] + (u * self.days[t]).astype("timedelta64[D]")

    def month_t(self, days: np.ndarray) -> np.ndarray:
        """``t`` of each date in ``days``."""
        return (days.astype("datetime64[M]") - FIRST_DAY.astype("datetime64[M]")).astype(np.int64)

    def _nth_day(self, t: np.ndarray, u: np.ndarray, weekmask: str) -> np.ndarray:
        # Working days skip public holidays; events may fall on a holiday weekend.
        hol = self.holidays if weekmask == "1111100" else np.array([], dtype="datetime64[D]")
        start, end = self.month_start[t], self.month_start[t + 1]
        count = np.busday_count(start, end, weekmask=weekmask, holidays=hol)
        k = np.minimum((u * count).astype(np.int64), count - 1)
        return np.busday_offset(start, k, roll="forward", weekmask=weekmask, holidays=hol)


@cache
def timeline(last: Period = REFERENCE) -> Timeline:
    """The month axis from 2015-07 to ``last``: days, due days (the rates table's due day, moved
    to the next working day), Idul Fitri months and public holidays (``holidays`` package)."""
    n = last - FIRST + 1
    horizon = n + 12
    month_start = (np.datetime64(str(FIRST), "M") + np.arange(horizon + 1)).astype("datetime64[D]")
    days = (month_start[1 : n + 1] - month_start[:n]).astype(np.int64)
    months = [FIRST.shift(t) for t in range(n)]
    due = np.array([reference.due_date(p.year, p.month).day for p in months])
    off = holidays.country_holidays("ID", years=range(FIRST.year, last.year + 2))
    fitri = {
        Period.of(d)
        for d, name in off.items()
        if "Eid al-Fitr" in name and "Second Day" not in name
    }
    lebaran = np.array([p in fitri for p in months])
    hol = np.array(sorted(off), dtype="datetime64[D]")
    return Timeline(last, month_start, days, due, lebaran, hol)
