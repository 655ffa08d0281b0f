"""Who the members are and how they pay: the demo's behavioural assumptions, in one place.

Every figure here is invented (informed by DOMAIN.md: most members pay the minimum, 20–30 % pay
irregularly, associations — *wadah* — remind their members to pay). Segments and channels are
indexed in the order of ``contract.SEGMENTS`` and ``contract.CHANNELS``.
"""

from __future__ import annotations

import numpy as np

from bpu_reports.data.contract import CHANNELS, SEGMENTS
from bpu_reports.data.demo.timeline import T_REF, Timeline, t_of
from bpu_reports.period import Period

SEG = {name: i for i, name in enumerate(SEGMENTS)}
CH = {name: i for i, name in enumerate(CHANNELS)}

# Segment mix of an office's members by the office's character (order of SEGMENTS:
# ojek_online, pedagang_pasar, petani, nelayan, seniman, pemandu_wisata, lainnya).
SEGMENT_MIX = {
    "city": (0.22, 0.24, 0.04, 0.03, 0.08, 0.09, 0.30),
    "tourism": (0.10, 0.18, 0.10, 0.05, 0.17, 0.18, 0.22),
    "rural": (0.04, 0.22, 0.36, 0.05, 0.08, 0.03, 0.22),
    "coastal": (0.05, 0.20, 0.22, 0.25, 0.04, 0.06, 0.18),
}
EVENT_APPEAL = (1.6, 1.6, 1.0, 1.2, 0.7, 0.8, 0.25)
"""How readily a segment is reached through an outreach event (organised groups are)."""

PREPAY_MONTHS = np.array([1, 3, 6, 12])
# Prepayment mix per segment (1, 3, 6, 12 months): drivers and farmers pay ahead more often.
PREPAY_MIX = np.array(
    [
        (0.70, 0.14, 0.12, 0.04),  # ojek_online
        (0.86, 0.09, 0.03, 0.02),  # pedagang_pasar
        (0.70, 0.18, 0.08, 0.04),  # petani (harvest income)
        (0.74, 0.16, 0.07, 0.03),  # nelayan
        (0.80, 0.12, 0.05, 0.03),  # seniman
        (0.79, 0.12, 0.06, 0.03),  # pemandu_wisata
        (0.82, 0.11, 0.05, 0.02),  # lainnya
    ]
)
SEGMENT_LAPSE = np.array([1.25, 0.9, 1.1, 1.25, 1.0, 1.0, 1.0])
SEGMENT_ON_TIME = np.array([0.9, 1.05, 0.95, 0.9, 1.0, 1.0, 1.0])

# Per channel (order of CHANNELS: kantor, sosialisasi, wadah, perisai, online):
FIRST_PAYMENT = np.array([0.94, 0.82, 0.97, 0.93, 0.90])
"""Share paying their first month when they register."""
FICKLE = np.array([0.6, 0.75, 0.35, 0.65, 0.6])
"""Share of members who soon stop paying (by channel: wadah coordinators keep members on)."""
PAY_WHEN_DUE = np.array([0.89, 0.86, 0.95, 0.88, 0.90])
"""While still engaged, the chance of paying in a month that is due."""
ON_TIME = np.array([0.34, 0.29, 0.60, 0.34, 0.44])

LAPSE = (0.07, 0.6)
"""Monthly chance that an engaged steady / fickle member stops paying (when a month is due)."""
RETURN = 0.012
"""Monthly chance that a lapsed member starts paying again."""
LEBARAN_PAY = {"bali": 0.95, "other": 0.82}
"""Payment propensity in the month of Idul Fitri (Bali is mostly Hindu: a milder dip)."""

PERISAI_FROM = t_of(Period(2018, 2))


GROWTH = {  # year-end registration pace relative to December 2018 (invented, see below)
    2018: 1.0,
    2019: 1.6,
    2020: 2.1,
    2021: 2.6,
    2022: 3.2,
    2023: 3.4,
    2024: 3.0,
    2025: 3.0,
    2026: 3.0,
}
"""Registrations grow after 2018 so that active members follow the published national trend
(≈ 1,8 M active BPU in 2017, 9,19 M at the end of 2023, 9,58 M in February 2025 — DOMAIN.md);
the multipliers were tuned on the demo itself (docs/demo-data.md)."""
CLOSE_FROM = t_of(Period(2019, 1))
CLOSE_AFTER = 3
CLOSE_HAZARD = 0.25
"""From 2019, a member more than ``CLOSE_AFTER`` months behind has this monthly chance of having
the membership closed (an administrative clean-up; the published counts hold ≈ 1 M non-active
BPU members beside 9,2 M active ones, so lapsed members do not stay on the books forever)."""


def growth(tl: Timeline) -> np.ndarray:
    """Per month: the registration pace's multiplier (1 up to December 2018)."""
    t = np.arange(tl.T)
    years = sorted(GROWTH)
    anchor_t = np.array([t_of(Period(y, 12)) for y in years], float)
    return np.interp(t, anchor_t, [GROWTH[y] for y in years], left=1.0, right=GROWTH[years[-1]])


def channel_mix(tl: Timeline) -> np.ndarray:
    """(T, channels) probabilities for members not registered at an event."""
    t = np.arange(tl.T)
    online = np.minimum(0.03 + 0.10 * t / T_REF, 0.40)  # the app grows
    perisai = np.where(t >= PERISAI_FROM, 0.20, 0.0)  # agents from Feb 2018
    wadah = np.full(tl.T, 0.27)
    kantor = 1.0 - online - perisai - wadah
    mix = np.zeros((tl.T, len(CHANNELS)))
    mix[:, CH["kantor"]], mix[:, CH["wadah"]] = kantor, wadah
    mix[:, CH["online"]], mix[:, CH["perisai"]] = online, perisai
    return mix


def choose(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of ``probs`` (rows sum to 1), vectorised."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1).astype(np.int8)


def income_brackets(rng: np.random.Generator, n: int) -> np.ndarray:
    """Declared income in millions: most at the Rp1.000.000 minimum, a tail above."""
    above = rng.random(n) < 0.17
    return np.where(above, 1 + np.minimum(rng.geometric(0.42, n), 9), 1).astype(np.int8)


def takes_jht(rng: np.random.Generator, bracket: np.ndarray) -> np.ndarray:
    return rng.random(len(bracket)) < np.where(bracket > 1, 0.42, 0.07)


def propensities(
    rng: np.random.Generator, segment: np.ndarray, channel: np.ndarray
) -> dict[str, np.ndarray]:
    """Per-member behaviour: first payment, lapse hazard, paying when due, paying on time."""
    n = len(segment)
    fickle = rng.random(n) < FICKLE[channel]
    lapse = np.where(fickle, LAPSE[1], LAPSE[0]) * SEGMENT_LAPSE[segment]
    lapse = lapse * rng.lognormal(-0.05, 0.3, n)
    pay = np.clip(PAY_WHEN_DUE[channel] + rng.normal(0, 0.05, n), 0.5, 0.995)
    on_time = np.clip(
        ON_TIME[channel] * SEGMENT_ON_TIME[segment] + rng.normal(0, 0.18, n), 0.03, 0.98
    )
    return {
        "p_first": FIRST_PAYMENT[channel].astype(np.float32),
        "lapse": np.minimum(lapse, 0.9).astype(np.float32),
        "p_pay": pay.astype(np.float32),
        "p_on": on_time.astype(np.float32),
    }
