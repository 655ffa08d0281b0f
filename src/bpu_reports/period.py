"""Report periods (calendar months) and month arithmetic.

A month is also handled as an integer *month index* ``year * 12 + month - 1`` so that SQL and
Python agree on ``M - paid_through`` arithmetic across year boundaries.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from bpu_reports.errors import PeriodError

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Period:
    """One calendar month, the unit of every report."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY-MM`` strictly (``2017-07``; not ``2017-7``, ``17-07`` or ``2017-13``)."""
        match = _PERIOD.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise PeriodError(
                f"period {text!r} is not a month in the form YYYY-MM (for example 2017-07)"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def from_index(cls, index: int) -> Period:
        return cls(index // 12, index % 12 + 1)

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    @classmethod
    def previous_to(cls, today: dt.date) -> Period:
        """The month before ``today``'s month (what a scheduled run reports on)."""
        return cls.of(today).shift(-1)

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def cutoff(self) -> dt.date:
        """The last day of the month: only data up to this day exists for the report."""
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def shift(self, months: int) -> Period:
        return Period.from_index(self.index + months)

    def __sub__(self, other: Period) -> int:
        return self.index - other.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
