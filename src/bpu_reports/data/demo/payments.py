"""Month-by-month payment history of one branch's members (vectorised over members).

Each month, every member with that month still unpaid (and not yet exited) decides:

* a member registering this month pays the first month(s) on the day of registration, or not
  at all (then counts as lapsed: registered, never paid);
* an *engaged* member may lapse (stop paying); a lapsed one may come back;
* an engaged member pays with its monthly propensity (lower around Lebaran), on time (by the
  due date) or late (later in the month); arrears of up to 3 months are paid back with it —
  a member further behind restarts from the current month;
* a payment covers 1, 3, 6 or 12 months ahead (by segment), plus any arrears paid back.

In a calibrated branch's calibrated month, who pays and who pays on time is chosen instead of
drawn (``calibration.select``), so the seed's figures hold exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpu_reports.data.demo import behaviour, calibration
from bpu_reports.data.demo.calibration import Calibration
from bpu_reports.data.demo.members import NO_EXIT, Members
from bpu_reports.data.demo.timeline import Timeline

MAX_ARREARS = 3


@dataclass(frozen=True)
class Payments:
    member: np.ndarray  # int32 index into the branch's members
    t: np.ndarray  # int16 month paid in
    day: np.ndarray  # int8 day of month paid on
    start: np.ndarray  # int16 first month covered
    months: np.ndarray  # int8 months covered
    closed_t: np.ndarray  # int16 per member: month its membership was closed, NO_EXIT if never

    def __len__(self) -> int:
        return len(self.member)


def simulate(
    m: Members,
    rng: np.random.Generator,
    tl: Timeline,
    *,
    bali: bool,
    calib: Calibration | None,
) -> Payments:
    season = np.where(tl.lebaran, behaviour.LEBARAN_PAY["bali" if bali else "other"], 1.0)
    prepay_cum = np.cumsum(behaviour.PREPAY_MIX, axis=1)
    registered_by = np.searchsorted(m.reg_t, np.arange(tl.T), side="right")
    paid_through = (m.reg_t - 1).astype(np.int16)
    engaged = np.ones(len(m), bool)
    exit_t = m.exit_t.copy()
    closed_t = np.full(len(m), NO_EXIT, np.int16)
    parts: list[tuple[np.ndarray, ...]] = []
    for t in range(tl.T):
        n = registered_by[t]
        if t >= behaviour.CLOSE_FROM:
            _close(t, n, paid_through, exit_t, closed_t, rng)
        alive = exit_t[:n] > t
        idx = np.flatnonzero((paid_through[:n] < t) & alive).astype(np.int32)
        if idx.size == 0:
            continue
        u = rng.random((5, idx.size), dtype=np.float32)
        new = m.reg_t[idx] == t
        eng = engaged[idx]
        lapsing = ~new & eng & (u[0] < m.lapse[idx])
        returning = ~new & ~eng & (u[0] < behaviour.RETURN)
        eng = (eng | returning) & ~lapsing
        forced = new & (m.first_months[idx] > 0)
        pay = forced | np.where(new, u[1] < m.p_first[idx], eng & (u[1] < m.p_pay[idx] * season[t]))
        due = int(tl.due_day[t])
        reg_day = m.reg_day[idx]
        on_time = np.where(new, reg_day <= due, u[2] < m.p_on[idx])
        if calib is not None and t == calib.t:
            pay, on_time = calibration.select(
                rng,
                calib,
                registered=int(alive.sum()),
                covered=int(((paid_through[:n] >= t) & alive).sum()),
                forced=forced,
                can_be_on_time=~new | (reg_day <= due),
                w_pay=np.where(new, m.p_first[idx], np.where(eng, m.p_pay[idx], 0.03)),
                p_on=np.where(new, 0.9, m.p_on[idx]),
            )
        engaged[idx] = np.where(new, pay, eng | pay)

        late_day = due + 1 + (u[3] * (tl.days[t] - due)).astype(np.int64)
        day = np.where(
            new,
            np.where(on_time | (reg_day > due), reg_day, late_day),
            np.where(on_time, 1 + (u[3] * due).astype(np.int64), late_day),
        )
        behind = t - paid_through[idx]
        start = np.where(new | (behind > MAX_ARREARS + 1), t, paid_through[idx] + 1)
        choice = (u[4][:, None] > prepay_cum[m.segment[idx]]).sum(axis=1)
        ahead = behaviour.PREPAY_MONTHS[np.minimum(choice, len(behaviour.PREPAY_MONTHS) - 1)]
        ahead = np.where(forced, m.first_months[idx], ahead)
        months = np.minimum(t - start + ahead, 12)

        who = idx[pay]
        parts.append((who, np.full(who.size, t), day[pay], start[pay], months[pay]))
        paid_through[who] = start[pay] + months[pay] - 1
    cols = [np.concatenate(c) for c in zip(*parts, strict=True)] if parts else [np.zeros(0)] * 5
    return Payments(
        member=cols[0].astype(np.int32),
        t=cols[1].astype(np.int16),
        day=cols[2].astype(np.int8),
        start=cols[3].astype(np.int16),
        months=cols[4].astype(np.int8),
        closed_t=closed_t,
    )


def _close(
    t: int,
    n: int,
    paid_through: np.ndarray,
    exit_t: np.ndarray,
    closed_t: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Close (on the last day of month ``t``) some memberships long in arrears."""
    idx = np.flatnonzero((exit_t[:n] > t) & (t - paid_through[:n] > behaviour.CLOSE_AFTER + 1))
    chosen = idx[rng.random(idx.size) < behaviour.CLOSE_HAZARD]
    exit_t[chosen] = t
    closed_t[chosen] = t
