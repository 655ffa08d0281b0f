"""Which months and which offices a ``generate`` covers: ``--period`` (a month, ``previous``,
``latest`` or a range of months) and ``--scope`` (``all``, a region or branch codes) resolved
against the warehouse, each refused with one line when it names nothing that can run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bpu_reports.data import store
from bpu_reports.errors import PeriodError
from bpu_reports.metrics import resolve
from bpu_reports.metrics.scope import Scope
from bpu_reports.period import Period


def resolve_period(
    text: str, today: dt.date | None = None, info: store.WarehouseInfo | None = None
) -> Period:
    """``YYYY-MM``; ``previous`` (the month before today, for cron); ``latest`` (the
    warehouse's last complete month — needs ``info``)."""
    if text == "previous":
        return Period.previous_to(today or dt.date.today())
    if text == "latest" and info is not None:
        return info.complete_through
    return Period.parse(text)


MAX_MONTHS = 240
"""The longest range ``--period A..B`` runs (20 years): a typo such as ``2017-01..2071-01``
is refused before anything starts."""


def resolve_periods(
    text: str, today: dt.date | None = None, info: store.WarehouseInfo | None = None
) -> list[Period]:
    """The months ``--period`` names, in order: one (``YYYY-MM``, ``previous``, ``latest``)
    or a range ``YYYY-MM..YYYY-MM`` (both ends included; either end may be ``latest`` or
    ``previous``). A range without one of its ends, one that runs backwards, or one that
    spans more than ``MAX_MONTHS`` is refused with one line saying so."""
    if ".." not in text:
        return [resolve_period(text, today, info)]
    ends = [end.strip() for end in text.split("..")]
    if len(ends) != 2 or not all(ends):
        raise PeriodError(
            f"period range {text!r} needs a first and a last month: YYYY-MM..YYYY-MM "
            "(either end may be latest or previous), for example 2017-01..2017-12"
        )
    try:
        first, last = (resolve_period(end, today, info) for end in ends)
    except PeriodError as exc:
        raise PeriodError(f"period range {text!r}: {exc}") from None
    if last < first:
        raise PeriodError(
            f"period range {text!r} runs backwards: give the earlier month first ({last}..{first})"
        )
    if last - first + 1 > MAX_MONTHS:
        raise PeriodError(
            f"period range {text!r} spans {last - first + 1} months; at most {MAX_MONTHS}"
        )
    return [first.shift(i) for i in range(last - first + 1)]


def resolve_scope(con: Any, text: str) -> tuple[Scope, bool]:
    """``all``, a region code, or comma-separated branch codes; the flag says whether region
    reports belong to the batch (not for a hand-picked list of branches). The national
    report belongs to a batch whose scope is ``all`` only (the returned scope's kind)."""
    from bpu_reports.errors import ScopeError

    text = text.strip(" ")  # spaces around codes are fine; any other character is refused
    codes = [c.strip(" ") for c in text.split(",") if c.strip(" ")]
    if not codes:  # neither "0 reports" nor "everything"
        raise ScopeError("--scope is empty: give all, a region code, or branch codes A,B")
    if text == "all":
        return resolve(con), True
    if "," not in text:
        regions = resolve(con).region_codes
        if text in regions:
            return resolve(con, region=text), True
    return resolve(con, codes=codes), False


__all__ = ["MAX_MONTHS", "resolve_period", "resolve_periods", "resolve_scope"]
