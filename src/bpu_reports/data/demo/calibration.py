"""The seed's figures for KC Bali Denpasar in July 2017, made to hold exactly for any seed.

Three things are fixed by construction rather than hoped for:

* **registered** — the branch gets exactly ``registered + exits_before`` registrations up to the
  cut-off, and exactly ``exits_before`` of those leave before it (``members.py``);
* **active** and **on time** — when the simulation reaches the calibrated month, members already
  paid through it (prepaid earlier, hence on time) are counted; the month's payers are then
  *chosen* — by weighted sampling that favours steady members — so that exactly ``active``
  members are paid up, ``on_time`` of them by the due date (``select``).

History before the month is simulated freely; history after it continues from the chosen state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpu_reports.data.demo.timeline import t_of
from bpu_reports.period import Period


@dataclass(frozen=True)
class Calibration:
    branch: str
    period: Period
    registered: int
    active: int
    on_time_rate: float
    exits_before: int
    """Members registered by the cut-off who left (death, claim, closure) before it."""

    @property
    def t(self) -> int:
        return t_of(self.period)

    @property
    def cutoff(self) -> np.datetime64:
        return np.datetime64(self.period.cutoff.isoformat(), "D")

    @property
    def on_time(self) -> int:
        return round(self.active * self.on_time_rate)

    @property
    def gross(self) -> int:
        """Registrations up to the cut-off."""
        return self.registered + self.exits_before


CALIBRATIONS = {
    "DPS": Calibration("DPS", Period(2017, 7), 16_800, 6_800, 0.60, exits_before=340),
}


class CalibrationError(RuntimeError):
    """The free history left no way to meet the calibration (a bug in the parameters)."""


def top_k(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of ``k`` items drawn without replacement with probability ∝ ``weights``.

    Efraimidis–Spirakis: the ``k`` largest keys ``log(u) / w``; zero weights are never drawn.
    """
    if k < 0 or k > np.count_nonzero(weights > 0):
        raise CalibrationError(f"cannot draw {k} of {np.count_nonzero(weights > 0)} candidates")
    u = rng.random(len(weights))
    with np.errstate(divide="ignore"):
        keys = np.where(weights > 0, np.log(u) / np.where(weights > 0, weights, 1.0), -np.inf)
    return np.argsort(-keys, kind="stable")[:k]


def select(
    rng: np.random.Generator,
    calib: Calibration,
    *,
    registered: int,
    covered: int,
    forced: np.ndarray,
    can_be_on_time: np.ndarray,
    w_pay: np.ndarray,
    p_on: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Who pays in the calibrated month, and who of them by the due date.

    Arguments describe the members with the month still to pay: ``forced`` pay regardless
    (late: the event's members register after the due date); ``covered`` members were already
    paid through the month before it started. Returns boolean ``pay`` and ``on_time`` masks.
    """
    if registered != calib.registered:
        raise CalibrationError(f"{calib.branch}: {registered} registered, not {calib.registered}")
    n_on = calib.on_time - covered
    n_pay = calib.active - covered - int(forced.sum())
    if not 0 <= n_on <= n_pay:
        raise CalibrationError(
            f"{calib.branch}: {covered} prepaid and {int(forced.sum())} forced payers leave "
            f"{n_pay} payers for {n_on} on time"
        )
    pool = ~forced
    on_idx = top_k(rng, np.where(pool & can_be_on_time, w_pay * p_on, 0.0), n_on)
    late_w = np.where(pool, w_pay * (1.0 - p_on) + 1e-6, 0.0)
    late_w[on_idx] = 0.0
    late_idx = top_k(rng, late_w, n_pay - n_on)
    pay = forced.copy()
    pay[on_idx] = True
    pay[late_idx] = True
    on_time = np.zeros_like(pay)
    on_time[on_idx] = True
    return pay, on_time
