"""The national unit, the ranking of regions, and the movers and target gaps of ranked
branches, on the hand-made warehouse (tests/handmade.py) with a second region added here, and
on the Bali demo. Expected values are worked out by hand below.

Region R2 ("Region Two") has one branch, C ("KC Gamma"), with no target:

  c1  reg 2017-05-02, pays May on 05-02, June on 06-05, July on 07-03 -> active, on time
  c2  reg 2017-05-02, pays May on 05-02, nothing after               -> 2 behind in July
  c3  reg 2017-07-03, pays July on 07-03                             -> active, on time

so C in July: registered 3, active 2 (c1, c3), on time 2; in June: registered 2, active 1
(c1; c2 is a month behind), on time 1 (paid on the 5th, due the 15th); in April: none.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bpu_reports.data import store
from bpu_reports.errors import ScopeError
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.metrics.membership import ADDITIVE
from bpu_reports.metrics.regions import MOVERS, RANKS
from bpu_reports.period import Period
from factories import build_warehouse, member, payment
from handmade import handmade_tables

JULY = Period(2017, 7)


def two_regions() -> dict[str, list[dict]]:
    tables = handmade_tables()
    tables["regions"].append({"region_code": "R2", "region_name": "Region Two"})
    tables["branches"].append(
        {"branch_code": "C", "branch_name": "KC Gamma", "region_code": "R2", "office_type": "KC"}
    )
    tables["participants"] += [
        member(201, "C", "2017-05-02"),
        member(202, "C", "2017-05-02"),
        member(203, "C", "2017-07-03"),
    ]
    tables["contributions"] += [
        payment(20101, 201, "2017-05-02", "2017-05-01", 1),
        payment(20102, 201, "2017-06-05", "2017-06-01", 1),
        payment(20103, 201, "2017-07-03", "2017-07-01", 1),
        payment(20201, 202, "2017-05-02", "2017-05-01", 1),
        payment(20301, 203, "2017-07-03", "2017-07-01", 1),
    ]
    return tables


@pytest.fixture(scope="module")
def july(tmp_path_factory):
    path = build_warehouse(tmp_path_factory.mktemp("wh") / "two_regions.duckdb", two_regions())
    con = store.connect(path)
    try:
        yield compute(con, JULY, resolve(con))
    finally:
        con.close()


@pytest.fixture(scope="module")
def nation(july):
    return unit(july, "national", "NATIONAL")


def test_branch_c_as_worked_out_by_hand(july):
    c = july.summary.set_index("branch_code").loc["C"]
    assert (c.registered, c.active, c.in_arrears, c.on_time) == (3, 2, 1, 2)
    assert (c.registered_prev, c.active_prev, c.on_time_rate_prev) == (2, 1, 1.0)
    assert math.isnan(c.target)


def test_national_unit_names_and_kind(nation):
    assert (nation.kind, nation.code, nation.name) == ("national", "NATIONAL", "Nasional")
    assert (nation.region_code, nation.region_name) == ("NATIONAL", "Nasional")
    assert nation.office_type is None and nation.period == JULY


def test_national_totals_by_hand(nation):
    s = nation.summary
    assert (s["registered"], s["active"], s["on_time"]) == (13 + 5 + 3, 8 + 2 + 2, 5 + 2 + 2)
    # from the sums (9 / 12), not the mean over regions (0.85) or over branches (0.875)
    assert s["on_time_rate"] == pytest.approx(9 / 12)
    assert s["active_share"] == pytest.approx(12 / 21)
    assert s["target"] == 30  # A 20 + B 10; C has none
    assert s["registered_prev"] == 11 + 5 + 2 and s["net_change"] == 3
    assert s["on_time_rate_prev"] == pytest.approx((8 + 1 + 1) / (8 + 2 + 1))
    # April: A 11, B 3 (q3, q4, q5), C 0 -> (21 − 14) / 3 a month for 5 months
    assert s["projection_december"] == pytest.approx(21 + 5 * 7 / 3)


def test_national_is_the_sum_of_its_regions_and_of_its_branches(july, nation):
    by_region = [unit(july, "region", r) for r in ("R1", "R2")]
    by_branch = july.summary
    for col in ADDITIVE:
        regions_sum = sum(r.summary[col] for r in by_region)
        assert nation.summary[col] == regions_sum == by_branch[col].sum(), col
    trend = nation.trend.set_index("period")
    for r in by_region:
        trend[list(ADDITIVE)] -= r.trend.set_index("period")[list(ADDITIVE)]
    assert (trend[list(ADDITIVE)] == 0).all().all()  # every window month, every column
    assert nation.ageing.members.sum() == july.ageing.members.sum()
    assert nation.cohorts.cohort_size.sum() == july.cohorts.cohort_size.sum()
    seg = nation.breakdowns[nation.breakdowns.dimension == "segment"]
    assert seg.registered.sum() == 21
    assert list(nation.outreach.event_id) == ["1", "2"]  # every event of the year


def test_regions_are_ranked_like_branches(nation):
    regions = nation.regions
    assert list(regions.region_code) == ["R1", "R2"]  # by active: 10, 2
    r1, r2 = (regions.set_index("region_code").loc[c] for c in ("R1", "R2"))
    assert (r1.region_name, r1.branches, r1.registered, r1.active) == ("Region One", 2, 18, 10)
    assert (r2.region_name, r2.branches, r2.registered, r2.active) == ("Region Two", 1, 3, 2)
    assert r1.on_time_rate == pytest.approx(7 / 10) and r2.on_time_rate == 1.0
    assert [r1[k] for k in RANKS] == [1, 2, 1]  # net change: R1 +2 (16 -> 18), R2 +1
    assert [r2[k] for k in RANKS] == [2, 1, 2]
    assert r1.net_change == 2 and r2.net_change == 1
    assert r1.active_prev == 10 and r1.active_change == 0  # June: A 8, B 2
    assert r1.on_time_rate_prev == pytest.approx(9 / 10)  # June: A 8, B 1 (q3)
    assert r1.on_time_rate_change == pytest.approx(7 / 10 - 9 / 10)
    assert r1.target == 30 and r1.target_progress == pytest.approx(18 / 30)
    # April: A 11 + B 3 = 14 -> 18 + 5 × 4/3
    assert r1.projection_december == pytest.approx(18 + 20 / 3)
    assert r1.target_gap == pytest.approx(18 + 20 / 3 - 30)
    assert r1.target_gap_share == pytest.approx((18 + 20 / 3 - 30) / 30)
    assert not r1.on_track
    assert math.isnan(r2.target) and math.isnan(r2.target_gap)
    assert math.isnan(r2.target_gap_share) and pd.isna(r2.on_track)
    assert r2.projection_december == pytest.approx(3 + 5 * 3 / 3)  # April: C had none


def test_every_branch_is_ranked_nationwide(nation):
    b = nation.branches
    assert list(b.branch_code) == ["A", "B", "C"]  # active 8, 2, 2; ties by code
    assert list(b.region_code) == ["R1", "R1", "R2"]
    assert list(b.region_name) == ["Region One", "Region One", "Region Two"]
    assert list(b.rank_active) == [1, 2, 2]  # B and C share the better rank
    assert list(b.rank_on_time) == [3, 1, 1]  # 5/8 against 2/2 and 2/2
    assert list(b.rank_growth) == [1, 3, 2]  # net change +2, 0, +1
    assert set(nation.branch_trend.branch_code) == {"A", "B", "C"}


def test_movers_of_ranked_branches_by_hand(july, nation):
    region = unit(july, "region", "R1").branches.set_index("branch_code")
    national = nation.branches.set_index("branch_code")
    for ranked in (region, national):
        a, b, c = (ranked.loc[x] if x in ranked.index else None for x in "ABC")
        # A: active 8 in June and July; on time 8/8 in June, 5/8 in July; projection
        # 13 + 5 × (13 − 11)/3 against a target of 20
        assert (a.active_prev, a.active_change) == (8, 0)
        assert a.on_time_rate_prev == 1.0
        assert a.on_time_rate_change == pytest.approx(5 / 8 - 1)
        assert a.projection_december == pytest.approx(13 + 10 / 3)
        assert a.target_gap == pytest.approx(13 + 10 / 3 - 20)  # short: negative
        assert a.target_gap_share == pytest.approx((13 + 10 / 3 - 20) / 20)
        # B: June active q1, q3, on time q3 only (q1 paid June on the 20th); July 2 of 2
        assert (b.active_prev, b.active_change) == (2, 0)
        assert b.on_time_rate_prev == 0.5 and b.on_time_rate_change == pytest.approx(0.5)
        assert b.target_gap == pytest.approx(5 + 5 * (5 - 3) / 3 - 10)
        assert b.target_gap_share == pytest.approx((5 + 10 / 3 - 10) / 10)
        if c is not None:  # C: no target, so no gap
            assert (c.active_prev, c.active_change, c.on_time_rate_change) == (1, 1, 0.0)
            assert c.projection_december == pytest.approx(3 + 5 * 3 / 3)
            assert math.isnan(c.target_gap) and math.isnan(c.target_gap_share)
    assert set(MOVERS) <= set(region.columns)


def test_region_ranking_stays_within_the_region(july):
    r2 = unit(july, "region", "R2")
    assert list(r2.branches.branch_code) == ["C"] and r2.branches.rank_active.tolist() == [1]
    assert r2.regions.empty  # only the country lists regions


def test_national_code_is_national(july):
    with pytest.raises(ScopeError, match="national report's code is NATIONAL, not 'R1'"):
        unit(july, "national", "R1")


@pytest.mark.slow
def test_bali_nation_equals_its_one_region(bali_db):
    con = store.connect(bali_db)
    try:
        metrics = compute(con, JULY, resolve(con))
    finally:
        con.close()
    nation = unit(metrics, "national", "NATIONAL")
    banuspa = unit(metrics, "region", "BANUSPA")
    assert nation.summary == pytest.approx(banuspa.summary, nan_ok=True)
    assert nation.trend.equals(banuspa.trend)
    s = metrics.summary
    assert nation.summary["registered"] == s.registered.sum()
    assert nation.summary["on_time_rate"] == pytest.approx(s.on_time.sum() / s.active.sum())
    assert list(nation.regions.region_code) == ["BANUSPA"]
    assert nation.regions.branches.tolist() == [len(metrics.branches)]
    assert nation.regions.active.tolist() == [s.active.sum()]
    # one region: ranks across the country are the ranks within it
    cols = ["branch_code", *RANKS, *MOVERS]
    assert nation.branches[cols].equals(banuspa.branches[cols])
    ranked = nation.branches.active.tolist()
    assert ranked == sorted(ranked, reverse=True)
    gap = nation.branches.projection_december - nation.branches.target
    assert nation.branches.target_gap.equals(gap)
