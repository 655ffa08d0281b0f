"""The member panel from the warehouse's derived state (``data.state``: yearly checkpoints,
prepayments, payments in day order) gives exactly the metrics of the full scan.

Hand-made warehouse, branch S (region R1), every payment at the Rp16.800 minimum; data from
August 2015 to 28 February 2018, so the checkpoints are December 2015, 2016 and 2017 (a
checkpoint serves the 12 report months after it). Report month February 2018: window
February 2017 … February 2018, its months up to December 2017 read from the December 2017
checkpoint, the later ones from it plus the payments made from January 2018. Due dates: the
15th (or the next working day).

  s1 reg 2016-06-01; 2016-06-01 pays Jun–Dec 16 (7); 2016-12-20 prepays Jan–Dec 17 (12)
     -> a prepayment made before the checkpoint covers the window: on time Feb–Dec 2017;
        February 2018: paid through Dec 17, 2 behind, in arrears
  s2 reg 2015-08-01; 2015-08-01 pays Aug 15 (1), nothing since, never exits
     -> inactive in every window month; February 2018: 30 behind, bucket '>12'
  s3 reg 2017-06-10, never pays -> paid through May 17: February 2018 9 behind, '7-12'
  s4 reg 2015-09-01; 2015-09-01 pays Sep–Dec 15 (4); exited 2016-03-31
     -> kept at the December 2015 and 2016 checkpoints (January 2017's window starts
        before the exit), left out of December 2017's
  s5 reg 2016-03-01; 2016-03-01 pays Mar 16–Feb 17 (12); 2017-03-10 pays Mar 17 (1);
     exited 2017-06-15 -> Feb, Mar 2017 active and on time (Feb by the prepayment);
     Apr 1 behind, May 2 behind; from June not registered
  s6 reg 2017-12-05; 2018-02-20 pays Dec 17–Feb 18 (3)
     -> Dec 17 1 behind, Jan 18 2 behind, Feb 18 active, late (paid after the 15th)
  s7 reg 2018-01-20 at event 1 (held 2018-01-20); 2018-01-20 pays Jan–Feb 18 (2) -> active
  s8 reg 2018-01-20 at event 1; one payment dated 2016-11-01 for Nov 16 (a date before the
     registration): counted as paid through the checkpoint's payment count

February 2018: registered s1 s2 s3 s6 s7 s8 = 6; active s6 s7 = 2; in arrears s1 = 1;
inactive s2 s3 s8 (paid through Nov 16: 15 behind) = 3; on time s7 = 1 (paid Jan 20,
before the 15 February due date).
February 2017: registered s1 s2 s5 = 3; active s1 s5 = 2 (both on time); inactive s2 = 1.
Outreach, event 1: registered 2, paid 2 (s8 by the payment before the checkpoint), active 1.
"""

from __future__ import annotations

import shutil
from dataclasses import fields
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from bpu_reports.data import fold, state, store
from bpu_reports.data.demo import build_demo
from bpu_reports.metrics import MetricSet, compute, panel, resolve
from bpu_reports.period import Period
from factories import build_warehouse, event, member, payment

FEB_18 = Period(2018, 2)


def idx(text: str) -> int:
    return Period.parse(text).index


def tables() -> dict[str, list[dict]]:
    members = [
        member(1, "S", "2016-06-01"),
        member(2, "S", "2015-08-01"),
        member(3, "S", "2017-06-10"),
        member(4, "S", "2015-09-01", exited="2016-03-31"),
        member(5, "S", "2016-03-01", exited="2017-06-15"),
        member(6, "S", "2017-12-05"),
        member(7, "S", "2018-01-20", channel="sosialisasi", event=1),
        member(8, "S", "2018-01-20", channel="sosialisasi", event=1),
    ]
    pays = [
        payment(11, 1, "2016-06-01", "2016-06-01", 7),
        payment(12, 1, "2016-12-20", "2017-01-01", 12),
        payment(21, 2, "2015-08-01", "2015-08-01", 1),
        payment(41, 4, "2015-09-01", "2015-09-01", 4),
        payment(51, 5, "2016-03-01", "2016-03-01", 12),
        payment(52, 5, "2017-03-10", "2017-03-01", 1),
        payment(61, 6, "2018-02-20", "2017-12-01", 3),
        payment(71, 7, "2018-01-20", "2018-01-01", 2),
        payment(81, 8, "2016-11-01", "2016-11-01", 1),
    ]
    return {
        "regions": [{"region_code": "R1", "region_name": "Region One"}],
        "branches": [
            {
                "branch_code": "S",
                "branch_name": "KC Sigma",
                "region_code": "R1",
                "office_type": "KC",
            }
        ],
        "outreach_events": [event(1, "S", "2018-01-20", 30, "Pasar malam")],
        "participants": members,
        "contributions": pays,
        "targets": [{"branch_code": "S", "year": 2018, "target_registered": 10}],
    }


@pytest.fixture(scope="module")
def state_db(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("state") / "state.duckdb", tables())


@pytest.fixture(scope="module")
def con(state_db):
    connection = store.connect(state_db)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def full(state_db):
    connection = store.connect(without_state(state_db))
    yield connection
    connection.close()


def without_state(path: Path) -> Path:
    """A copy of the warehouse at ``path`` as an older version built it: no derived state, so
    its metric pass is the full scan."""
    old = path.with_name(f"{path.stem}-full-scan.duckdb")
    shutil.copyfile(path, old)
    with duckdb.connect(str(old)) as rw:
        for name in state.TABLES:
            rw.execute(f"DROP TABLE {name}")
    return old


def both(
    con: duckdb.DuckDBPyConnection, full: duckdb.DuckDBPyConnection, period: Period
) -> tuple[MetricSet, MetricSet]:
    """The metric set of ``period`` from the full scan (``full``) and the state (``con``)."""
    assert state.available(con) and not state.available(full)
    scope = resolve(con)
    return compute(full, period, scope), compute(con, period, scope)


def assert_same(full: MetricSet, derived: MetricSet) -> None:
    compared = 0
    for f in fields(full):
        expected = getattr(full, f.name)
        if isinstance(expected, pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(derived, f.name), expected, check_exact=True)
            compared += 1
    assert compared == 11  # every frame of the metric set


def member_keys(con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    rows = con.execute("SELECT member_key, participant_id FROM participants").fetchall()
    return {key: int(pid) for key, pid in rows}


def test_checkpoints_are_the_decembers_before_the_last_month(con):
    assert state.available(con)
    months = [
        r[0] for r in con.execute("SELECT c_idx FROM state_checkpoint_months ORDER BY 1").fetchall()
    ]
    assert months == [idx("2015-12"), idx("2016-12"), idx("2017-12")]
    # the latest checkpoint before the report month, at most 12 months before it
    assert state.checkpoint_before(con, FEB_18) == idx("2017-12")
    assert state.checkpoint_before(con, Period(2016, 12)) == idx("2015-12")
    assert state.checkpoint_before(con, Period(2016, 1)) == idx("2015-12")
    assert state.checkpoint_before(con, Period(2015, 12)) is None


def none(months: int) -> list[int]:
    """``months`` window months with no payment made yet."""
    return [fold.NONE] * months


def test_checkpoint_holds_the_window_ending_with_it_for_members_who_can_still_matter(con):
    """Each checkpoint row is the fold of report month ``c_idx`` (window ``c_idx - 12`` …
    ``c_idx``): months behind per window month (``NONE`` before the first payment, at most
    ``FAR``), the window months paid on time, and the payments made by its end."""
    who = member_keys(con)
    rows = con.execute("SELECT * FROM state_checkpoints ORDER BY 1, 2").fetchall()
    got = {
        (str(Period.from_index(c)), who[k]): (
            [(behind >> (4 * i)) & 15 for i in range(fold.WINDOW)],
            [i for i in range(fold.WINDOW) if ot >> i & 1],
            n,
        )
        for c, k, n, behind, ot in rows
    }
    assert got == {
        # window Dec 2014 … Dec 2015: s2 paid Aug 15 on 1 August; s4 Sep–Dec on 1 September
        ("2015-12", 2): ([*none(8), 0, 1, 2, 3, 4], [8], 1),
        ("2015-12", 4): ([*none(9), 0, 0, 0, 0], [9, 10, 11, 12], 1),
        # window Dec 2015 … Dec 2016
        ("2016-12", 1): (none(6) + [0] * 7, [6, 7, 8, 9, 10, 11, 12], 2),
        ("2016-12", 2): ([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 13, 13], [], 1),
        # s4 exits in March 2016: registered in January 2017's window, so still kept
        ("2016-12", 4): (list(range(13)), [0], 1),
        ("2016-12", 5): (none(3) + [0] * 10, list(range(3, 13)), 1),
        ("2016-12", 8): ([*none(11), 0, 1], [11], 1),  # paid Nov 16 before registering
        # window Dec 2016 … Dec 2017: s1 on time all year by its December 2016 prepayment
        ("2017-12", 1): ([0] * 13, list(range(13)), 2),
        ("2017-12", 2): ([13] * 13, [], 1),
        ("2017-12", 5): ([0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2, 3], 2),
        ("2017-12", 8): (list(range(1, 14)), [], 1),
        # s4 is in no window December 2017 serves; s3, s6, s7 never paid by then
    }


def test_state_payments_hold_every_payment_once_in_day_order(con):
    def rows(table: str) -> list[tuple]:
        return con.execute(
            f"SELECT member_key, paid_on, first_month, months, amount_jkk, amount_jkm, "
            f"amount_jht FROM {table} ORDER BY ALL"
        ).fetchall()

    assert rows("state_payments") == rows("contributions")
    days = [d for (d,) in con.execute("SELECT paid_on FROM state_payments").fetchall()]
    assert len(days) == 9 and days == sorted(days)


def test_prepayments_are_carried_with_their_checkpoint(con):
    who = member_keys(con)
    rows = con.execute(
        "SELECT c_idx, member_key, paid_on, months FROM state_prepaid ORDER BY 1, 2"
    ).fetchall()
    assert [(c, who[k], str(d), m) for c, k, d, m in rows] == [
        (idx("2016-12"), 1, "2016-12-20", 12),
        (idx("2016-12"), 5, "2016-03-01", 12),
    ]


def test_february_2018_worked_by_hand(con, full):
    scanned, derived = both(con, full, FEB_18)
    assert_same(scanned, derived)
    trend = derived.trend.set_index("period")
    feb18, feb17, dec17 = trend.loc["2018-02"], trend.loc["2017-02"], trend.loc["2017-12"]
    assert (feb18.registered, feb18.active, feb18.in_arrears, feb18.inactive) == (6, 2, 1, 3)
    assert feb18.on_time == 1
    assert (feb17.registered, feb17.active, feb17.inactive, feb17.on_time) == (3, 2, 1, 2)
    assert (dec17.registered, dec17.active, dec17.in_arrears, dec17.inactive) == (4, 1, 1, 2)
    assert dec17.on_time == 1  # s1, by the prepayment made before the checkpoint
    assert trend.loc["2017-03"].collected_amount == 16_800
    assert trend.loc["2018-02"].collected_amount == 3 * 16_800
    assert trend.loc["2017-04"].in_arrears == 1  # s5, one month behind before exiting
    ageing = dict(zip(derived.ageing.bucket.astype(str), derived.ageing.members, strict=True))
    assert ageing == {"1": 0, "2": 1, "3": 0, "4-6": 0, "7-12": 1, ">12": 2}
    (ev,) = derived.outreach.to_dict("records")
    assert (ev["registered"], ev["paid"], ev["active_now"]) == (2, 2, 1)


@pytest.mark.parametrize(
    "month",
    # before any checkpoint; a checkpoint's own month (served by none); months the December
    # 2015 checkpoint serves, 6 and 12 months after it; the first and last months of the
    # next one; the first two months of the last one
    ["2015-08", "2015-12", "2016-06", "2016-12", "2017-01", "2017-12", "2018-01", "2018-02"],
)
def test_every_month_matches_the_full_scan(con, full, month):
    assert_same(*both(con, full, Period.parse(month)))


def test_warehouse_without_state_keeps_working_and_its_data_version(con, full):
    assert store.info(full).data_version == store.info(con).data_version
    assert_same(*both(con, full, FEB_18))


def test_checkpoints_of_an_earlier_version_are_not_read(state_db, full):
    """A warehouse whose checkpoints hold only the paid-through month (as an earlier version
    derived them) is read by the full scan: the same figures, no error."""
    old = state_db.with_name("earlier-checkpoints.duckdb")
    shutil.copyfile(state_db, old)
    with duckdb.connect(str(old)) as rw:
        rw.execute("DROP TABLE state_checkpoints")
        rw.execute(
            "CREATE TABLE state_checkpoints (c_idx INTEGER, member_key INTEGER, pt INTEGER, "
            "n_payments BIGINT)"
        )
    connection = store.connect(old)
    try:
        assert not state.available(connection)
        scope = resolve(connection)
        assert_same(compute(full, FEB_18, scope), compute(connection, FEB_18, scope))
    finally:
        connection.close()


@pytest.fixture(scope="module")
def bali_2020(tmp_path_factory):
    """The Bali demo up to 2020-12: the due day moves in August 2020 (the on-time count
    under the previous rule is then computed)."""
    path = tmp_path_factory.mktemp("bali2020") / "bali.duckdb"
    build_demo(path, scale="bali", until=Period(2020, 12))
    connections = store.connect(path), store.connect(without_state(path))
    yield connections
    for connection in connections:
        connection.close()


@pytest.mark.parametrize(
    "month",
    ["2015-07", "2016-12", "2017-01", "2017-12", "2018-01", "2019-06", "2020-08", "2020-12"],
)
def test_bali_demo_matches_the_full_scan(bali_2020, month):
    scanned, derived = both(*bali_2020, Period.parse(month))
    assert_same(scanned, derived)
    if month == "2020-08":
        assert len(derived.on_time_previous_rule) > 0
    assert derived.summary.registered.sum() > 0


def test_the_last_month_s_panel_is_kept_and_read(con, full):
    """The data's last day is 20 February 2018 (s6's payment): January 2018 is its last
    complete month, February its last month. The build keeps both months' panels (every
    branch) and their passes read them; December 2017 is folded from the December 2016
    checkpoint; a warehouse without state scans every payment. All three agree."""
    months = con.execute("SELECT m_idx FROM state_panel_months ORDER BY 1").fetchall()
    assert months == [(idx("2018-01"),), (idx("2018-02"),)]
    who = member_keys(con)
    kept = con.execute(
        "SELECT member_key, n_payments, behind, ot_bits FROM state_panels "
        f"WHERE m_idx = {idx('2018-02')} ORDER BY member_key"
    ).fetchall()
    # s4 exited in March 2016, before the window (February 2017 …): left out
    assert sorted(who[k] for k, *_ in kept) == [1, 2, 3, 5, 6, 7, 8]
    by_member = {who[k]: (n, [(b >> (4 * i)) & 15 for i in range(13)], ot) for k, n, b, ot in kept}
    # s6: no payment by Jan 18, then Dec 17 - Feb 18 paid on 20 February (late)
    assert by_member[6] == (1, [*none(12), 0], 0)
    # s7: paid Jan - Feb 18 on 20 January: late for January (due the 15th), on time for
    # February
    assert by_member[7] == (1, [*none(11), 0, 0], 1 << 12)
    assert panel.build(con, FEB_18, ["S"]) == "kept"
    assert panel.build(con, Period(2018, 1), ["S"]) == "kept"
    assert panel.build(con, Period(2017, 12), ["S"]) == "folded"
    assert panel.build(full, FEB_18, ["S"]) == "scanned"
    for month in (Period(2018, 1), FEB_18):
        assert_same(*both(con, full, month))


def test_a_warehouse_without_kept_panels_folds_the_month(state_db, full):
    """A warehouse derived before panels were kept (checkpoints only) folds every month: the
    same figures."""
    old = state_db.with_name("no-kept-panels.duckdb")
    shutil.copyfile(state_db, old)
    with duckdb.connect(str(old)) as rw:
        for name in state.PANEL_TABLES:
            rw.execute(f"DROP TABLE {name}")
    connection = store.connect(old)
    try:
        assert state.available(connection) and not state.has_panel(connection, FEB_18)
        assert panel.build(connection, FEB_18, ["S"]) == "folded"
        scope = resolve(connection)
        assert_same(compute(full, FEB_18, scope), compute(connection, FEB_18, scope))
    finally:
        connection.close()
