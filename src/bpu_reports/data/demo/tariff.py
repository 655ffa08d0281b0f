"""Contribution amounts of demo payments, from the reference rates table.

Each covered month is charged at the rates in force in that month for the member's sector
(``reference.rates()``): JKK = jkk_rate × declared income, JKM = the flat amount, JHT =
jht_rate × income when taken; whole rupiah per month, summed over the months paid for.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np

from bpu_reports.data import reference
from bpu_reports.data.demo.timeline import timeline
from bpu_reports.period import Period

MAX_BRACKET = 10
"""Declared incomes run from Rp1.000.000 to Rp10.000.000 in Rp1.000.000 steps."""
SECTORS = ("other", "transport")


@cache
def _cumulative(last: Period) -> dict[str, np.ndarray]:
    """Per program: (sector, bracket, month) running totals of the monthly amounts, so the
    amount of a payment is one subtraction: ``cum[s, b, start + months] - cum[s, b, start]``."""
    tl = timeline(last)
    HORIZON = tl.horizon
    starts = tl.month_start[:HORIZON]
    segment_of = {"other": "lainnya", "transport": reference.TRANSPORT_SEGMENTS[0]}
    income = np.arange(MAX_BRACKET + 1) * 1_000_000
    shape = (len(SECTORS), MAX_BRACKET + 1, HORIZON + 1)
    out = {p: np.zeros(shape, np.int64) for p in ("jkk", "jkm", "jht")}
    for s, sector in enumerate(SECTORS):
        rows = [reference.rate_on(d.astype(dt.date), segment_of[sector]) for d in starts]
        jkk = np.array([r.jkk_rate for r in rows])
        jkm = np.array([r.jkm_amount for r in rows])
        jht = np.array([r.jht_rate for r in rows])
        monthly = {
            "jkk": np.rint(income[:, None] * jkk[None, :]),
            "jkm": np.broadcast_to(jkm[None, :], (MAX_BRACKET + 1, HORIZON)),
            "jht": np.rint(income[:, None] * jht[None, :]),
        }
        for program, amounts in monthly.items():
            out[program][s, :, 1:] = np.cumsum(amounts.astype(np.int64), axis=1)
    return out


def amounts(
    last: Period,
    transport: np.ndarray,
    bracket: np.ndarray,
    has_jht: np.ndarray,
    start: np.ndarray,
    months: np.ndarray,
) -> dict[str, np.ndarray]:
    """``amount_jkk``, ``amount_jkm``, ``amount_jht`` of payments (all arrays aligned)."""
    cum = _cumulative(last)
    s = transport.astype(np.intp)
    b = bracket.astype(np.intp)
    lo = start.astype(np.intp)
    hi = lo + months.astype(np.intp)
    out = {f"amount_{p}": cum[p][s, b, hi] - cum[p][s, b, lo] for p in ("jkk", "jkm", "jht")}
    out["amount_jht"] = np.where(has_jht, out["amount_jht"], 0)
    return out
