"""Year-end membership targets (*target kepesertaan*) of each branch, 2015–2018.

Targets are set ambitiously above what a branch ends up with (head office pushes growth); the
seed's KC Bali Denpasar target of 30.000 for 2017 is fixed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from bpu_reports.data.demo.members import Members
from bpu_reports.data.demo.organisation import Office
from bpu_reports.data.demo.timeline import FIRST, Timeline

AMBITION = {2015: 1.5, 2016: 1.3, 2017: 1.3, 2018: 1.25}
LATER_AMBITION = 1.2
FIXED = {("DPS", 2017): 30_000}


def targets(
    office: Office, m: Members, exit_date: np.ndarray, rng: np.random.Generator, tl: Timeline
) -> pa.Table:
    """One target per year of the demo, from the members registered at its end (``exit_date``
    includes closures); the last, incomplete year is judged by its last month."""
    rows = []
    for year in range(FIRST.year, tl.last.year + 1):
        end = min(np.datetime64(f"{year}-12-31"), tl.last_day)
        still = np.isnat(exit_date) | (exit_date > end)
        registered = int(((m.reg_date <= end) & still).sum())
        goal = registered * AMBITION.get(year, LATER_AMBITION) * rng.uniform(0.95, 1.2)
        step = 100 if goal >= 2_000 else 10
        value = FIXED.get((office.code, year), int(np.ceil(goal / step) * step))
        rows.append((office.code, year, max(value, step)))
    return pa.table(
        {
            "branch_code": [r[0] for r in rows],
            "year": pa.array([r[1] for r in rows], pa.int32()),
            "target_registered": pa.array([r[2] for r in rows], pa.int32()),
        }
    )
