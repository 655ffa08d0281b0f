from __future__ import annotations

import pytest

from factories import PINNED_UNTIL, build_warehouse
from handmade import handmade_tables


@pytest.fixture(scope="session")
def handmade_db(tmp_path_factory):
    """The hand-made warehouse of tests/handmade.py (values worked out by hand there)."""
    return build_warehouse(tmp_path_factory.mktemp("wh") / "handmade.duckdb", handmade_tables())


@pytest.fixture(scope="session")
def bali_db(tmp_path_factory):
    """The Bali demo warehouse (default seed, history pinned to 2015-07 … 2018-12 so the suite
    does not depend on today's date), built once per test session."""
    from bpu_reports.data.demo import build_demo

    path = tmp_path_factory.mktemp("bali") / "bali.duckdb"
    build_demo(path, scale="bali", until=PINNED_UNTIL)
    return path


@pytest.fixture(scope="module")
def metrics(handmade_db):
    """The hand-made warehouse's metrics for July 2017 (every branch)."""
    from bpu_reports.data import store
    from bpu_reports.metrics import compute, resolve
    from bpu_reports.period import Period

    con = store.connect(handmade_db)
    try:
        return compute(con, Period(2017, 7), resolve(con))
    finally:
        con.close()
