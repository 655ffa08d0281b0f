"""Every metric on the hand-made warehouse (the ``handmade_db`` fixture of tests/conftest.py,
built from tests/handmade.py); expected values were worked out by hand from the member list
in tests/handmade.py."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from bpu_reports.data import store
from bpu_reports.data.reference import due_date
from bpu_reports.errors import PeriodError, ScopeError
from bpu_reports.metrics import compute, resolve, suppress_small_cells, unit
from bpu_reports.period import Period

JULY = Period(2017, 7)


@pytest.fixture(scope="module")
def july(handmade_db):
    con = store.connect(handmade_db)
    try:
        yield compute(con, JULY, resolve(con))
    finally:
        con.close()


def row(frame, **keys):
    sel = frame
    for k, v in keys.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, f"expected one row for {keys}, got {len(sel)}"
    return sel.iloc[0]


def test_due_dates_move_past_weekends_and_holidays():
    assert due_date(2017, 7) == dt.date(2017, 7, 17)  # 15th is a Saturday
    assert due_date(2017, 6) == dt.date(2017, 6, 15)  # an ordinary Thursday
    assert due_date(2017, 2) == dt.date(2017, 2, 16)  # 15th: election-day holiday
    assert due_date(2020, 9) == dt.date(2020, 9, 30)  # PP 49/2020 relief: the 30th


def test_statuses_of_branch_a_in_july(july):
    a = row(july.summary, branch_code="A")
    assert a.registered == 13  # p1–p9, p11, p12, p14, p15
    assert a.new_registrations == 3  # p7, p14, p15
    assert a.active == 8  # p1, p2, p3, p5, p6, p11, p12, p14
    assert a.in_arrears == 4  # p4, p7, p8, p15
    assert a.inactive == 1  # p9
    assert a.registered == a.active + a.in_arrears + a.inactive


def test_on_time_counts_due_date_itself_but_not_a_day_later(july):
    a = row(july.summary, branch_code="A")
    assert a.on_time == 5  # p1, p2 (on the 17th), p5, p11, p12; not p3 (18th), p6, p14
    assert a.on_time_rate == pytest.approx(5 / 8)


def test_weekend_due_date_counts_sunday_payment_on_time(july):
    b = row(july.summary, branch_code="B")
    assert (b.registered, b.active, b.in_arrears, b.inactive, b.on_time) == (5, 2, 1, 2, 2)


def test_holiday_due_date_in_february(handmade_db):
    con = store.connect(handmade_db)
    feb = compute(con, Period(2017, 2), resolve(con, branch="B"))
    con.close()
    b = row(feb.summary, branch_code="B")
    assert (b.registered, b.active, b.on_time) == (3, 3, 2)  # q5 paid on the 17th: late


def test_collections_by_program_and_prepayment_mix(july):
    a = row(july.trend, branch_code="A", period="2017-07")
    # July payments by the cut-off: p1, p2, p3 (1 month), p6 (5 months), p14 (6 months)
    assert a.payments == 5
    assert a.collected_amount == 16_800 * 14
    assert a.collected_jkk == 10_000 * 14
    assert a.collected_jkm == 6_800 * 14
    assert a.collected_jht == 0
    assert (a.mix_1, a.mix_3, a.mix_6, a.mix_12, a.mix_other) == (3, 0, 1, 0, 1)


def test_previous_month_from_the_same_pass(july):
    june = row(july.trend, branch_code="A", period="2017-06")
    assert (june.registered, june.active, june.in_arrears, june.inactive) == (11, 8, 2, 1)
    assert june.on_time == 8
    a = row(july.summary, branch_code="A")
    assert a.registered_prev == 11 and a.net_change == 2


def test_arrears_ageing_and_value(july):
    ageing = july.ageing[july.ageing.branch_code == "A"].set_index("bucket")
    assert ageing.members.to_dict() == {"1": 3, "2": 0, "3": 1, "4-6": 1, "7-12": 0, ">12": 0}
    assert ageing.loc["1", "arrears_value"] == 3 * 16_800
    assert ageing.loc["3", "arrears_value"] == 3 * 16_800
    assert ageing.loc["2", "arrears_value"] == 0
    assert math.isnan(ageing.loc["4-6", "arrears_value"])


def test_target_progress_and_projection(july):
    a = row(july.summary, branch_code="A")
    assert a.target == 20
    assert a.target_progress == pytest.approx(13 / 20)
    assert a.avg_net_change_3m == pytest.approx((13 - 11) / 3)  # April had 11
    assert a.months_left == 5
    assert a.projection_december == pytest.approx(13 + 5 * 2 / 3)
    assert a.required_monthly == pytest.approx((20 - 13) / 5)
    assert not a.on_track


def test_outreach_funnel_year_to_date(july):
    ev = july.outreach.set_index("event_id")
    assert list(ev.index) == ["1", "2"]  # event 3 was in 2016; identifiers are text
    assert ev.loc["2", ["potential", "registered", "paid", "active_now"]].tolist() == [100, 2, 1, 1]
    assert ev.loc["2", "in_month"] and not ev.loc["1", "in_month"]
    assert ev.loc["1", ["registered", "paid", "active_now", "active_3m"]].tolist() == [1, 1, 1, 1]
    assert pd.isna(ev.loc["1", "active_6m"])  # September is after the report month


def test_cohort_retention(july):
    c = july.cohorts[july.cohorts.branch_code == "A"]
    jan = c[c.cohort == "2017-01"].set_index("months_since")
    assert jan.cohort_size.unique().tolist() == [4]
    assert jan.share.loc[5] == 1.0  # June: all four paid up
    assert jan.share.loc[6] == pytest.approx(0.75)  # July: p4 paid after the cut-off
    assert jan.index.max() == 6  # no month after the report month
    feb = c[c.cohort == "2017-02"].set_index("months_since")  # p6 alone
    assert feb.active.loc[1] == 0 and feb.active.loc[5] == 1


def test_breakdowns_and_suppression(july):
    seg = july.breakdowns[(july.breakdowns.branch_code == "A")]
    seg = seg[seg.dimension == "segment"].set_index("value")
    assert seg.loc["ojek_online", ["registered", "active", "on_time"]].tolist() == [8, 6, 4]
    assert seg.loc["pedagang_pasar", ["registered", "active", "on_time"]].tolist() == [5, 2, 1]
    assert "petani" not in seg.index  # p10 exited, p13 not yet registered
    chan = july.breakdowns[
        (july.breakdowns.branch_code == "A") & (july.breakdowns.dimension == "channel")
    ]
    assert chan.set_index("value").registered.to_dict() == {"kantor": 10, "sosialisasi": 3}

    shown = suppress_small_cells(
        seg.reset_index(),
        ["registered", "active", "on_time"],
        {"on_time_rate": ["active", "on_time"], "active_share": ["registered", "active"]},
    ).set_index("value")
    assert shown.loc["pedagang_pasar", "registered"] == 5
    assert shown.loc["pedagang_pasar", "active"] == "< 5"
    assert shown.loc["pedagang_pasar", "on_time"] == "< 5"
    assert shown.loc["pedagang_pasar", "on_time_rate"] == "–"
    assert shown.loc["pedagang_pasar", "active_share"] == "–"
    assert shown.loc["ojek_online", "on_time"] == "< 5"  # 4 members: withheld, and its rate
    assert shown.loc["ojek_online", "on_time_rate"] == "–"
    assert shown.loc["ojek_online", "active_share"] == pytest.approx(6 / 8)
    assert shown.loc["ojek_online", "active"] == 6


def test_region_sums_counts_and_recomputes_rates(july):
    r = unit(july, "region", "R1")
    assert r.summary["registered"] == 18
    assert r.summary["active"] == 10
    assert r.summary["on_time"] == 7
    assert r.summary["on_time_rate"] == pytest.approx(7 / 10)  # not the mean of 5/8 and 2/2
    assert r.summary["target"] == 30
    ranks = r.branches.set_index("branch_code")
    assert ranks.loc["A", ["rank_active", "rank_on_time", "rank_growth"]].tolist() == [1, 2, 1]
    assert ranks.loc["B", ["rank_active", "rank_on_time", "rank_growth"]].tolist() == [2, 1, 2]


def test_branch_unit_is_a_slice(july):
    a = unit(july, "branch", "A")
    assert a.summary["registered"] == 13 and len(a.trend) == 13
    assert a.name == "KC Alpha" and a.region_code == "R1"


def test_scope_of_one_branch_gives_the_same_figures(handmade_db, july):
    con = store.connect(handmade_db)
    only_a = compute(con, JULY, resolve(con, branch="A"))
    con.close()
    assert only_a.summary.drop(columns="branch_code").equals(
        july.summary[july.summary.branch_code == "A"]
        .drop(columns="branch_code")
        .reset_index(drop=True)
    )


@pytest.mark.parametrize("period", [Period(2016, 4), Period(2017, 9)])
def test_period_outside_the_data_is_refused(handmade_db, period):
    con = store.connect(handmade_db)
    with pytest.raises(PeriodError, match="outside the warehouse's data"):
        compute(con, period, resolve(con))
    con.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"branch": "ZZZ"}, "unknown branch 'ZZZ'"),
        ({"region": "NOPE"}, "unknown region 'NOPE'"),
        ({"branch": "../etc"}, "not a valid code"),
        ({"branch": "A B"}, "not a valid code"),
    ],
)
def test_unknown_or_malformed_scope(handmade_db, kwargs, message):
    con = store.connect(handmade_db)
    with pytest.raises(ScopeError, match=message):
        resolve(con, **kwargs)
    con.close()
