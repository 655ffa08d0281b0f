"""Fixtures of the report tests: the hand-made warehouse's metrics for July 2017."""

from __future__ import annotations

import pytest

from bpu_reports.data import store
from bpu_reports.metrics import compute, resolve
from bpu_reports.period import Period


@pytest.fixture(scope="module")
def metrics(handmade_db):
    con = store.connect(handmade_db)
    try:
        return compute(con, Period(2017, 7), resolve(con))
    finally:
        con.close()
