"""One branch's members: when they registered, through which channel, what they declared,
when (if ever) they left, and how they tend to pay. Arrays, in registration order.

Registrations follow a growing monthly intensity with Lebaran and year-end dips; the branch's
total up to an *anchor* month is fixed (its size up to December 2017, or for a calibrated
branch the exact number the calibration needs up to its cut-off) and later months continue at
the same pace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpu_reports.data.demo import behaviour
from bpu_reports.data.demo.behaviour import CH
from bpu_reports.data.demo.calibration import Calibration, top_k
from bpu_reports.data.demo.events import Events
from bpu_reports.data.demo.organisation import Office
from bpu_reports.data.demo.timeline import T_REF, Timeline, t_of
from bpu_reports.period import Period

ANCHOR = Period(2017, 12)
EXIT_HAZARD = 0.0016
"""Monthly chance of leaving membership for good (death, claim, closure)."""
NO_EXIT = np.iinfo(np.int16).max


@dataclass
class Members:
    reg_date: np.ndarray  # datetime64[D]
    reg_t: np.ndarray  # int16 month number
    reg_day: np.ndarray  # int8 day of month
    segment: np.ndarray  # int8
    channel: np.ndarray  # int8
    income: np.ndarray  # int8, declared income in millions of rupiah
    has_jht: np.ndarray  # bool
    event: np.ndarray  # int32 index into the branch's events, -1 when none
    exit_date: np.ndarray  # datetime64[D], NaT when still a member at the end
    exit_t: np.ndarray  # int16 month number of the exit, NO_EXIT when none
    first_months: np.ndarray  # int8: > 0 forces the first payment's length (the Renon event)
    p_first: np.ndarray
    lapse: np.ndarray
    p_pay: np.ndarray
    p_on: np.ndarray

    def __len__(self) -> int:
        return len(self.reg_date)


def intensity(office: Office, rng: np.random.Generator, tl: Timeline) -> np.ndarray:
    """Relative registrations per month: the programme grows (``behaviour.growth`` after
    2018); Lebaran and December dip."""
    t = np.arange(tl.T)
    months = (t + 6) % 12 + 1
    season = np.where(tl.lebaran, 0.92 if office.bali else 0.7, 1.0)
    season = season * np.where(months == 12, 0.85, 1.0) * np.where(months == 1, 1.1, 1.0)
    pace = (0.55 + 0.9 * np.minimum(t, T_REF) / T_REF) * behaviour.growth(tl)
    return pace * season * rng.lognormal(0.0, 0.12, tl.T)


def generate(
    office: Office,
    events: Events,
    rng: np.random.Generator,
    calib: Calibration | None,
    tl: Timeline,
) -> Members:
    T = tl.T
    w = intensity(office, rng, tl)
    anchor_t, gross = (calib.t, calib.gross) if calib else (t_of(ANCHOR), office.size)
    ev_t = events.t(tl)
    base = gross - int(events.registrants[ev_t <= anchor_t].sum())
    if base < 0:
        raise ValueError(f"{office.code}: events recruit more than the branch registers")
    before = w[: anchor_t + 1].sum()
    per_month = np.concatenate(
        [
            rng.multinomial(base, w[: anchor_t + 1] / before),
            rng.poisson(base * w[anchor_t + 1 :] / before),
        ]
    )

    # Walk-in members: channel by month, then a day (offices and agents work on working days).
    t_base = np.repeat(np.arange(T), per_month)
    channel = behaviour.choose(rng, behaviour.channel_mix(tl)[t_base])
    u = rng.random(len(t_base))
    office_day = (channel == CH["kantor"]) | (channel == CH["perisai"])
    reg_base = np.where(office_day, tl.working_day(t_base, u), tl.any_day(t_base, u))
    mix = np.array(behaviour.SEGMENT_MIX[office.profile])
    seg_base = behaviour.choose(rng, np.tile(mix, (len(t_base), 1)))

    # Members registered at an event, on its day.
    ev = np.repeat(np.arange(len(events)), events.registrants).astype(np.int32)
    reg_date = np.concatenate([reg_base, events.held_on[ev]])
    channel = np.concatenate([channel, np.full(len(ev), CH["sosialisasi"], np.int8)])
    segment = np.concatenate([seg_base, events.segment[ev]])
    event = np.concatenate([np.full(len(t_base), -1, np.int32), ev])
    first_months = np.concatenate([np.zeros(len(t_base), np.int8), events.first_months[ev]])
    lapse_mult = np.concatenate([np.ones(len(t_base)), events.lapse[ev]])

    order = np.argsort(reg_date, kind="stable")
    reg_date, channel, segment = reg_date[order], channel[order], segment[order]
    event, first_months, lapse_mult = event[order], first_months[order], lapse_mult[order]
    n = len(reg_date)

    income = behaviour.income_brackets(rng, n)
    has_jht = behaviour.takes_jht(rng, income)
    exit_date = _exits(reg_date, rng, calib, tl.last_day)
    props = behaviour.propensities(rng, segment, channel)
    lapse = props["lapse"] * lapse_mult * office.lapse_factor
    props["lapse"] = np.minimum(lapse, 0.9).astype(np.float32)
    reg_t = tl.month_t(reg_date).astype(np.int16)
    exit_t = np.where(np.isnat(exit_date), NO_EXIT, tl.month_t(exit_date)).astype(np.int16)
    return Members(
        reg_date=reg_date,
        reg_t=reg_t,
        reg_day=(reg_date - tl.month_start[reg_t] + 1).astype(np.int8),
        segment=segment,
        channel=channel,
        income=income,
        has_jht=has_jht,
        event=event,
        exit_date=exit_date,
        exit_t=exit_t,
        first_months=first_months,
        **props,
    )


def _exits(
    reg_date: np.ndarray,
    rng: np.random.Generator,
    calib: Calibration | None,
    last_day: np.datetime64,
) -> np.ndarray:
    """Exit dates (NaT for members still in at the end of the demo).

    For a calibrated branch exactly ``exits_before`` members registered by the cut-off leave by
    it (the longer they have been members, the likelier); everyone else can only leave later.
    """
    n = len(reg_date)
    wait = (1 + rng.exponential(30.4 / EXIT_HAZARD, n)).astype(np.int64).astype("timedelta64[D]")
    if calib is None:
        exit_date = reg_date + wait
    else:
        tenure = (calib.cutoff - reg_date).astype(np.int64)
        # Only members registered before the calibrated month leave before its cut-off.
        month_start = np.datetime64(calib.period.first_day.isoformat(), "D")
        weight = np.where(reg_date < month_start, tenure, 0).astype(float)
        chosen = np.zeros(n, bool)
        chosen[top_k(rng, weight, calib.exits_before)] = True
        early = reg_date + np.ceil(rng.random(n) * np.maximum(tenure, 1)).astype("timedelta64[D]")
        later = np.where(reg_date <= calib.cutoff, calib.cutoff, reg_date) + wait
        exit_date = np.where(chosen, early, later)
    return np.where(exit_date <= last_day, exit_date, np.datetime64("NaT"))
