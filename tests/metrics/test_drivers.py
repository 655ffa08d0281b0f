"""What drove a month's changes (metrics/drivers.py), on a small hand-made warehouse whose
figures are worked out by hand here, and on the Bali demo.

Report month July 2017 (due date Monday 17 July; June's is Thursday 15 June). Every base member
registered on 2017-01-10 through the office (``kantor``), segment ``lainnya`` unless said.
"Prepaid" = one payment on 2017-01-10 for Jan–Dec (on time every month); "late payer" = Jan–May
paid on 2017-01-10, then June paid on 06-20 and July on 07-20 (active, never on time).

Branch E (an outreach event after the due date):
  40 prepaid, 20 late payers;
  5 kantor joiners on 2017-06-20 paying June on 06-20 (late), July on 07-05 (on time);
  5 kantor joiners on 2017-07-25 paying July on 07-25 (late);
  20 joiners at event 7 ("Lapangan Uji", Sunday 30 July, ojek_online), 6 months paid on 07-30.
  June: active 65, on time 40 (40/65). July: active 90, on time 45 (1/2). Change −0,1154.
  Without the event's 20 late joiners (none in June): July 45/70 = 9/14, June still 40/65,
  so the event's late joiners explain 1/2 − 9/14 = −1/7 of the change (more than all of it).
  Active +25 and new registrations 5 → 25 stay under 50 members: not large.

Branch K (a channel whose members join late every month; the fall is elsewhere):
  35 prepaid; 5 petani paying June on 06-10 (on time) and July on 07-20 (late); 20 late payers;
  20 kantor joiners on 2017-06-20 paying June on 06-20 and July on 07-20 (late both months);
  20 kantor joiners on 2017-07-20 paying July on 07-20 (late).
  June: active 80, on time 40 (1/2). July: active 100, on time 35. Change −0,15.
  Kantor's late joiners, left out of both months: July 35/80, June 40/60, so they explain
  −0,15 − (35/80 − 40/60) = +0,079: nothing of the fall. (Left out of July only they would
  seem to explain −0,0875, more than half.) The shift-share split gives petani −0,0572 and
  lainnya −0,0928: lainnya is the main driver.

Branch S (a segment that lost its members):
  60 petani (30 kantor, 30 wadah) paid Jan–Jun on 2017-01-02: active in June, 1 behind in July;
  40 nelayan prepaid (2017-01-02); 10 lainnya joining 2017-07-03, July paid 07-03 (on time).
  Active 100 → 50 (−50 %): petani −60, nelayan 0, lainnya +10; kantor −20, wadah −30.
  On-time rate 100 % both months; new registrations 0 → 10: not large.

Branch Q (a small change): 40 prepaid, 20 late payers of whom one pays July on 07-12.
  On time 40/60 → 41/60 (+1,7 points), active 60 → 60: no driver.

Branch R (August 2020, PP 49/2020: JKK and JKM cut by 99 %, due day the 15th → the 30th):
  registered 2020-01-06; 40 paid Jan–Dec 2020 on 2020-01-06; 20 paid Jan–Jun on 2020-01-06,
  July on 2020-07-25, August on 2020-08-25.
  July (due 15 July): on time 40/60. August (due Mon 31 Aug; under July's rule the 15th, a
  Saturday → Mon 17 Aug, Independence Day → Tue 18 Aug): on time 60/60; under the old rule 40.
  The due date explains (60 − 40)/60 = 1/3, all of the change; contributions fell from
  Rp16.800 to Rp168 (1.000.000 × 0,01 % + Rp68).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import pickle

import pandas as pd
import pytest

from bpu_reports.data import reference, store
from bpu_reports.metrics import compute, resolve
from bpu_reports.metrics.drivers import explain, explain_metrics
from bpu_reports.metrics.explanation import Driver
from bpu_reports.metrics.rule_changes import due_on_day
from bpu_reports.period import Period
from factories import build_warehouse, event, member, payment

JULY = Period(2017, 7)
AUGUST_2020 = Period(2020, 8)
VENUE = "Lapangan Uji"


def _tables() -> dict[str, list[dict]]:
    members: list[dict] = []
    pays: list[dict] = []
    pid = itertools.count(1)
    pay_id = itertools.count(1)

    def join(branch: str, n: int, registered: str, payments: list[tuple], **kw) -> None:
        for _ in range(n):
            p = next(pid)
            members.append(member(p, branch, registered, **kw))
            for paid_on, first_month, months in payments:
                pays.append(payment(next(pay_id), p, paid_on, first_month, months))

    prepaid = [("2017-01-10", "2017-01-01", 12)]
    to_may = ("2017-01-10", "2017-01-01", 5)
    late = [to_may, ("2017-06-20", "2017-06-01", 1), ("2017-07-20", "2017-07-01", 1)]
    lain = {"segment": "lainnya"}

    join("E", 40, "2017-01-10", prepaid, **lain)
    join("E", 20, "2017-01-10", late, **lain)
    june_then_on_time = [("2017-06-20", "2017-06-01", 1), ("2017-07-05", "2017-07-01", 1)]
    join("E", 5, "2017-06-20", june_then_on_time, **lain)
    join("E", 5, "2017-07-25", [("2017-07-25", "2017-07-01", 1)], **lain)
    join(
        "E",
        20,
        "2017-07-30",
        [("2017-07-30", "2017-07-01", 6)],
        segment="ojek_online",
        channel="sosialisasi",
        event=7,
    )

    join("K", 35, "2017-01-10", prepaid, **lain)
    on_time_then_late = [to_may, ("2017-06-10", "2017-06-01", 1), ("2017-07-20", "2017-07-01", 1)]
    join("K", 5, "2017-01-10", on_time_then_late, segment="petani")
    join("K", 20, "2017-01-10", late, **lain)
    join("K", 20, "2017-06-20", late[1:], **lain)
    join("K", 20, "2017-07-20", late[2:], **lain)

    join("S", 30, "2017-01-02", [("2017-01-02", "2017-01-01", 6)], segment="petani")
    join(
        "S", 30, "2017-01-02", [("2017-01-02", "2017-01-01", 6)], segment="petani", channel="wadah"
    )
    join("S", 40, "2017-01-02", [("2017-01-02", "2017-01-01", 12)], segment="nelayan")
    join("S", 10, "2017-07-03", [("2017-07-03", "2017-07-01", 1)], **lain)

    join("Q", 40, "2017-01-10", prepaid, **lain)
    join("Q", 19, "2017-01-10", late, **lain)
    join("Q", 1, "2017-01-10", [*late[:2], ("2017-07-12", "2017-07-01", 1)], **lain)

    join("R", 40, "2020-01-06", [("2020-01-06", "2020-01-01", 12)], **lain)
    relief = [
        ("2020-01-06", "2020-01-01", 6),
        ("2020-07-25", "2020-07-01", 1),
        ("2020-08-25", "2020-08-01", 1),
    ]
    join("R", 20, "2020-01-06", relief, **lain)

    branches = [
        {"branch_code": c, "branch_name": f"KC {c}", "region_code": "R1", "office_type": "KC"}
        for c in "EKSQR"
    ]
    return {
        "regions": [{"region_code": "R1", "region_name": "Region One"}],
        "branches": branches,
        "outreach_events": [{**event(7, "E", "2017-07-30", 60), "venue": VENUE}],
        "participants": members,
        "contributions": pays,
    }


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("drivers") / "drivers.duckdb", _tables())


@pytest.fixture(scope="module")
def july(db):
    con = store.connect(db)
    try:
        yield compute(con, JULY, resolve(con))
    finally:
        con.close()


def test_joiners_count_new_members_per_event_and_channel(july):
    e = july.joiners[july.joiners.branch_code == "E"]
    rows = {
        (r.period, r.source, r.channel if r.source == "channel" else r.venue): (
            r.new_registrations,
            r.active,
            r.late_active,
            r.late_on_time,
        )
        for r in e.itertuples()
    }
    assert rows == {
        ("2017-06", "channel", "kantor"): (5, 5, 5, 0),
        ("2017-07", "channel", "kantor"): (5, 5, 5, 0),
        ("2017-07", "event", VENUE): (20, 20, 20, 0),
    }
    event_row = e[e.source == "event"].iloc[0]
    assert event_row.event_id == "7" and event_row.held_on == dt.date(2017, 7, 30)


def test_previous_month_breakdowns_add_up_to_the_previous_month(july):
    june = july.breakdowns_prev
    e = june[(june.branch_code == "E") & (june.dimension == "segment")]
    assert (e.active.sum(), e.on_time.sum(), e.new_registrations.sum()) == (65, 40, 5)
    assert "ojek_online" not in set(e.value)  # the event's members joined in July


def test_late_joiners_of_an_event_drive_the_fall_of_the_on_time_rate(july):
    [d] = explain_metrics(july, ["E"])
    assert (d.metric, d.kind, d.subject) == ("on_time_rate", "late_joiners", VENUE)
    assert d.change == pytest.approx(1 / 2 - 40 / 65)
    assert d.effect == pytest.approx(-1 / 7)
    assert d.figures["members"] == 20
    assert d.figures["members_previous"] == 0
    assert d.figures["late_joiners_all"] == 25  # with the 5 kantor joiners of 25 July
    assert d.figures["due_date"] == dt.date(2017, 7, 17)
    assert d.figures["held_on"] == dt.date(2017, 7, 30)
    assert d.figures["rate_without"] == pytest.approx(9 / 14)
    assert d.figures["rate_without_previous"] == pytest.approx(40 / 65)
    assert d.share > 1  # without them the rate would have risen


def test_a_channel_joining_late_every_month_explains_nothing(july):
    [d] = explain_metrics(july, ["K"])
    assert d.change == pytest.approx(35 / 100 - 40 / 80)
    assert (d.metric, d.kind, d.subject) == ("on_time_rate", "segment", "lainnya")
    # shift-share: lainnya 35/75 of 75/80 active in June, 35/95 of 95/100 in July
    w0, w1, r0, r1 = 75 / 80, 95 / 100, 35 / 75, 35 / 95
    average = (35 / 100 + 40 / 80) / 2
    assert d.effect == pytest.approx(
        (w0 + w1) / 2 * (r1 - r0) + ((r0 + r1) / 2 - average) * (w1 - w0)
    )
    assert d.figures["active"] == 95 and d.figures["active_previous"] == 75


def test_a_segment_that_lost_its_members_drives_the_fall_of_active(july):
    [d] = explain_metrics(july, ["S"])
    assert (d.metric, d.kind, d.subject) == ("active", "segment", "petani")
    assert (d.change, d.effect) == (-50, -60)
    assert (d.figures["members"], d.figures["members_previous"]) == (0, 60)


def test_a_small_change_has_no_driver(july):
    q = july.summary.set_index("branch_code").loc["Q"]
    assert q.on_time_rate - q.on_time_rate_prev == pytest.approx(1 / 60)
    assert explain_metrics(july, ["Q"]) == []


def test_a_large_change_spread_thin_has_no_main_driver():
    def seg(values: dict[str, int], dimension: str) -> list[dict]:
        return [
            {"dimension": dimension, "value": v, "registered": n, "new_registrations": 0}
            | {"active": n, "on_time": n}
            for v, n in values.items()
        ]

    summary = {
        "active": 160,
        "active_prev": 100,
        "on_time": 160,
        "on_time_rate": 1.0,
        "on_time_rate_prev": 1.0,
        "new_registrations": 0,
        "new_registrations_prev": 0,
    }
    now = seg({"a": 60, "b": 55, "c": 45}, "segment") + seg({"x": 60, "y": 60, "z": 40}, "channel")
    before = seg({"a": 40, "b": 35, "c": 25}, "segment") + seg(
        {"x": 35, "y": 40, "z": 25}, "channel"
    )
    # +60 active (60 %): largest parts are x +25 and segments +20: none reaches 30
    drivers = explain(
        summary,
        JULY,
        breakdowns=pd.DataFrame(now),
        breakdowns_prev=pd.DataFrame(before),
        joiners=pd.DataFrame(),
        rules=pd.DataFrame(columns=["period", "sector"]),
        on_time_previous_rule=pd.DataFrame(),
    )
    assert drivers == []


def test_a_region_is_explained_from_its_summed_figures(july):
    [d] = explain_metrics(july, ["E", "Q"])
    # June: 65 + 60 active, 40 + 40 on time; July: 90 + 60 active, 45 + 41 on time
    assert d.change == pytest.approx(86 / 150 - 80 / 125)
    assert (d.kind, d.subject, d.figures["members"]) == ("late_joiners", VENUE, 20)
    assert d.effect == pytest.approx(86 / 150 - 86 / 130)
    only = july.only(["E"])
    assert set(only.joiners.branch_code) == {"E"}
    assert set(only.breakdowns_prev.branch_code) == {"E"}


def test_a_due_date_and_rates_change_month_is_reported(db):
    con = store.connect(db)
    try:
        august = compute(con, AUGUST_2020, resolve(con, branch="R"))
    finally:
        con.close()
    assert august.on_time_previous_rule.to_dict("records") == [{"branch_code": "R", "on_time": 40}]
    due, rates = explain_metrics(august)
    assert (due.metric, due.kind, due.subject) == ("on_time_rate", "due_date", "PP 49/2020")
    assert due.change == pytest.approx(1 / 3)
    assert due.effect == pytest.approx(1 / 3)
    assert due.figures["due_date"] == dt.date(2020, 8, 31)
    assert due.figures["due_date_previous_rule"] == dt.date(2020, 8, 18)
    assert (due.figures["due_day"], due.figures["due_day_previous"]) == (30, 15)
    assert due.figures["rate_previous_rule"] == pytest.approx(40 / 60)

    assert (rates.metric, rates.kind, rates.subject) == ("on_time_rate", "rates", "PP 49/2020")
    assert math.isnan(rates.effect)
    assert rates.figures["sectors"] == ("transport", "other")
    assert (rates.figures["minimum"], rates.figures["minimum_previous"]) == (168, 16_800)
    assert rates.figures["basis_previous"] == "PP 44/2015"


def test_the_due_date_rule_is_the_reference_one():
    month = Period(2015, 7)
    while month <= Period(2030, 12):
        day = int(reference.rate_on(month.first_day).due_day)
        assert due_on_day(month, day) == reference.due_date(month.year, month.month), month
        month = month.shift(1)


def test_the_metric_set_still_pickles(july):
    again = pickle.loads(pickle.dumps(july))
    assert explain_metrics(again, ["E"]) == explain_metrics(july, ["E"])
    assert isinstance(explain_metrics(again, ["E"])[0], Driver)


@pytest.mark.slow
def test_the_renon_event_drives_the_denpasar_fall_in_july_2017(bali_db):
    con = store.connect(bali_db)
    try:
        metrics = compute(con, JULY, resolve(con, branch="DPS"))
    finally:
        con.close()
    drivers = explain_metrics(metrics)
    for d in drivers:
        print(d.metric, d.kind, d.subject, round(d.change, 4), round(d.effect, 4), d.figures)
    on_time = next(d for d in drivers if d.metric == "on_time_rate")
    assert (on_time.kind, on_time.subject) == ("late_joiners", "Lapangan Puputan Renon")
    assert on_time.figures["members"] == 450
    assert on_time.figures["held_on"] == dt.date(2017, 7, 30)
    assert on_time.change == pytest.approx(-0.078, abs=0.001)
    assert on_time.share >= 0.5
    active = next(d for d in drivers if d.metric == "active")
    assert (active.kind, active.subject, active.effect) == ("event", "Lapangan Puputan Renon", 450)


@pytest.mark.parametrize("late", [3, 5])
def test_a_driver_resting_on_fewer_than_5_members_is_not_told(late):
    # 50 active (40 on time) in June; in July 3 (or 5) late joiners of an event come on top:
    # 40/53, a fall of 4,5 points (40/55: 7,3), all of it theirs and of the channel they came by
    summary = {
        "active": 50 + late,
        "active_prev": 50,
        "on_time": 40,
        "on_time_rate": 40 / (50 + late),
        "on_time_rate_prev": 40 / 50,
        "new_registrations": late,
        "new_registrations_prev": 0,
    }

    def rows(kantor: int, event: int) -> list[dict]:
        counts = [("segment", "lainnya", kantor + event, 40)]
        counts += [("channel", "kantor", kantor, 40), ("channel", "sosialisasi", event, 0)]
        return [
            {"dimension": d, "value": v, "registered": n, "new_registrations": 0}
            | {"active": n, "on_time": o}
            for d, v, n, o in counts
            if n
        ]

    joiners = pd.DataFrame(
        [
            {"period": "2017-07", "source": "event", "event_id": "9", "venue": "Balai Kecil"}
            | {"held_on": dt.date(2017, 7, 30), "title": "Sosialisasi", "channel": None}
            | {"new_registrations": late, "active": late, "late_active": late, "late_on_time": 0}
        ]
    )
    drivers = explain(
        summary,
        JULY,
        breakdowns=pd.DataFrame(rows(50, late)),
        breakdowns_prev=pd.DataFrame(rows(50, 0)),
        joiners=joiners,
        rules=pd.DataFrame(columns=["period", "sector"]),
        on_time_previous_rule=pd.DataFrame(),
    )
    if late < 5:
        assert drivers == []
    else:
        [d] = drivers
        assert (d.kind, d.subject, d.figures["members"]) == ("late_joiners", "Balai Kecil", 5)
        assert d.effect == pytest.approx(40 / 55 - 40 / 50)


def test_the_first_month_of_the_data_has_nothing_to_explain(db):
    con = store.connect(db)
    try:
        january = compute(con, Period(2017, 1), resolve(con))
    finally:
        con.close()
    e = january.summary.set_index("branch_code").loc["E"]
    assert (e.active, e.active_prev) == (60, 0)  # 60 active from none: a start, not a change
    assert explain_metrics(january, ["E"]) == []
