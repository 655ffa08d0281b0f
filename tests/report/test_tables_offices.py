"""The tables of the region and national reports — regions ranked, offices behind target,
the month's movers — and the region's segments, channels and events, on the hand-made
warehouse (tests/handmade.py: region R1, branches A and B) with two regions added here.
Every expected cell is worked out by hand below.

Region R2 ("Region Two"):
  C "KC Gamma" (target 3), as in tests/metrics/test_national.py:
    c1  reg 2017-05-02, pays May 05-02, June 06-05, July 07-03  -> active, on time
    c2  reg 2017-05-02, pays May only                            -> 2 behind in July
    c3  reg 2017-07-03, pays July 07-03                          -> active, on time
    July: registered 3, active 2, on time 2; June: registered 2, active 1 (c1), on time 1;
    April: none -> +1 a month -> projection 3 + 5 = 8 >= 3: on track.
  E "KC Epsilon" (target 10):
    e1–e7   reg 2017-01-02, Jan–Jul paid 2017-01-02             -> active, on time
    e8–e13  reg 2017-07-03 (fishers, online), July paid 07-03   -> active, on time
    July: registered 13, active 13, on time 13; June: 7, 7, 7; April: 7 -> +2 a month
    -> projection 13 + 10 = 23 >= 10: on track.
Region R3 ("Region Three"):
  D "KC Delta" (target 20):
    d1–d6   reg 2017-01-02 (channel wadah), Jan–Jun paid 2017-01-02 -> 1 behind in July
    July: registered 6, active 0; June: 6 active, 6 on time; April: 6 -> projection 6.

From tests/metrics/test_national.py: A July 13 registered, 8 active, 5 on time; June 11, 8,
8; April 11; target 20 -> projection 13 + 5 × 2/3. B July 5, 2, 2; June 5, 2, 1; April 3;
target 10 -> projection 5 + 5 × 2/3.
"""

from __future__ import annotations

import html
import math
import re

import pytest

from bpu_reports.data import store
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.period import Period
from bpu_reports.report import Report
from factories import build_warehouse, member, payment
from handmade import handmade_tables

JULY = Period(2017, 7)


def three_regions() -> dict[str, list[dict]]:
    tables = handmade_tables()
    tables["regions"] += [
        {"region_code": "R2", "region_name": "Region Two"},
        {"region_code": "R3", "region_name": "Region Three"},
    ]
    tables["branches"] += [
        {"branch_code": c, "branch_name": n, "region_code": r, "office_type": "KC"}
        for c, n, r in (("C", "KC Gamma", "R2"), ("E", "KC Epsilon", "R2"), ("D", "KC Delta", "R3"))
    ]
    tables["targets"] += [
        {"branch_code": c, "year": 2017, "target_registered": t}
        for c, t in (("C", 3), ("E", 10), ("D", 20))
    ]
    members = [
        member(201, "C", "2017-05-02"),
        member(202, "C", "2017-05-02"),
        member(203, "C", "2017-07-03"),
    ]
    pays = [
        payment(20101, 201, "2017-05-02", "2017-05-01", 1),
        payment(20102, 201, "2017-06-05", "2017-06-01", 1),
        payment(20103, 201, "2017-07-03", "2017-07-01", 1),
        payment(20201, 202, "2017-05-02", "2017-05-01", 1),
        payment(20301, 203, "2017-07-03", "2017-07-01", 1),
    ]
    for i in range(1, 8):  # e1–e7
        members.append(member(400 + i, "E", "2017-01-02"))
        pays.append(payment(40000 + i, 400 + i, "2017-01-02", "2017-01-01", 7))
    for i in range(8, 14):  # e8–e13
        members.append(member(400 + i, "E", "2017-07-03", segment="nelayan", channel="online"))
        pays.append(payment(40000 + i, 400 + i, "2017-07-03", "2017-07-01", 1))
    for i in range(1, 7):  # d1–d6
        members.append(member(300 + i, "D", "2017-01-02", channel="wadah"))
        pays.append(payment(30000 + i, 300 + i, "2017-01-02", "2017-01-01", 6))
    tables["participants"] += members
    tables["contributions"] += pays
    return tables


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("wh") / "three.duckdb", three_regions())


@pytest.fixture(scope="module")
def july(warehouse):
    con = store.connect(warehouse)
    try:
        return compute(con, JULY, resolve(con))
    finally:
        con.close()


@pytest.fixture(scope="module")
def nation(july):
    return unit(july, "national", "NATIONAL")


def rows(table_html: str) -> list[list[str]]:
    """The cells of each body row, as text."""
    body = table_html.split("<tbody>", 1)[1]
    return [
        [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    ]


def headers(table_html: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<th\b[^>]*>(.*?)</th>", table_html)]


def test_the_added_branches_as_worked_out_by_hand(july):
    s = july.summary.set_index("branch_code")
    assert s.loc["E", ["registered", "active", "on_time", "registered_prev"]].tolist() == [
        13,
        13,
        13,
        7,
    ]
    assert s.loc["D", ["registered", "active", "active_prev", "on_time_rate_prev"]].tolist() == [
        6,
        0,
        6,
        1.0,
    ]
    assert s.loc["E"].projection_december == pytest.approx(23)
    assert s.loc["D"].projection_december == pytest.approx(6)


# -- regions ----------------------------------------------------------------------------------


def test_regions_ranked_with_the_nation_s_total(nation):
    table = Report(nation, "id").table("regions").to_html()
    assert headers(table) == [
        "Peringkat",
        "Kantor wilayah",
        "Jumlah kantor cabang",
        "Peserta terdaftar",
        "Peserta aktif",
        "Tingkat kepatuhan",
        "Pertumbuhan bersih",
        "Capaian target",
        "Proyeksi vs target",
    ]
    assert rows(table) == [
        # C + E: 16 registered (June 9, April 7), 15 active and on time; target 13;
        # projection 16 + 5 × 3 = 31
        ["1", "Region Two (R2)", "2", "16", "15", "100,0%", "+7", "123,1%", "+18"],
        # A + B: 18 (June 16, April 14), 10 active, 7 on time; 18 + 5 × 4/3 − 30 = −5.3
        ["2", "Region One (R1)", "2", "18", "10", "70,0%", "+2", "60,0%", "−5"],
        # D: no active member, so no on-time rate; 6 − 20
        ["3", "Region Three (R3)", "1", "6", "0", "—", "0", "30,0%", "−14"],
        # 40 (June 31, April 27), 25 active, 22 on time; target 63; 40 + 5 × 13/3 − 63 = −1.3
        ["", "Total", "5", "40", "25", "88,0%", "+9", "63,5%", "−1"],
    ]
    english = rows(Report(nation, "en").table("regions").to_html())
    assert english[0][1] == "Region Two (R2)" and english[-1][1] == "Total"


def test_regions_numbers_are_the_national_unit_s(nation):
    frame = Report(nation, "id").data("regions")
    assert list(frame.region_code) == ["R2", "R1", "R3"]
    assert frame.active.tolist() == [15, 10, 0] and not frame.suppressed.any()
    assert frame.target_gap.tolist() == pytest.approx([18, 18 + 20 / 3 - 30, -14])


def test_below_the_nation_there_are_no_regions(july):
    region = Report(unit(july, "region", "R1"), "id")
    assert "Tidak ada" in region.table("regions").to_html()
    assert region.data("regions").empty


# -- behind target --------------------------------------------------------------------------


def test_national_offices_behind_target_worst_share_first(nation):
    table = Report(nation, "id").table("behind_target").to_html()
    assert headers(table) == [
        "Kantor cabang",
        "Kantor wilayah",
        "Target kepesertaan",
        "Proyeksi Desember",
        "Kekurangan dari target",
        "Capaian target",
        "Kebutuhan penambahan per bulan",
    ]
    assert [r[:-1] for r in rows(table)] == [
        ["KC Delta (D)", "Region Three", "20", "6", "14", "30,0%"],  # 14 / 20 = 70 % short
        ["KC Alpha (A)", "Region One", "20", "16", "4", "65,0%"],  # 3.7 / 20 = 18 %
        ["KCP Beta (B)", "Region One", "10", "8", "2", "50,0%"],  # 1.7 / 10 = 17 %
    ]  # C (8 against 3) and E (23 against 10) are on track
    two = rows(Report(nation, "id").table("behind_target", n=2).to_html())
    assert [r[0] for r in two] == ["KC Delta (D)", "KC Alpha (A)"]
    frame = Report(nation, "id").data("behind_target")
    assert list(frame.branch_code) == ["D", "A", "B"]
    assert frame.target_gap_share.tolist() == pytest.approx(
        [-14 / 20, (13 + 10 / 3 - 20) / 20, (5 + 10 / 3 - 10) / 10]
    )


def test_behind_target_shows_the_monthly_need(nation):
    """``required_monthly`` (SPEC §2), carried by the ranking from each branch's summary:
    (target − registered) / 5 months left, rounded up."""
    table = Report(nation, "en").table("behind_target").to_html()
    assert headers(table)[-1] == "Required net additions"
    # D (20 − 6) / 5 = 2.8, A (20 − 13) / 5 = 1.4, B (10 − 5) / 5 = 1
    assert [(r[0], r[-1]) for r in rows(table)] == [
        ("KC Delta (D)", "3"),
        ("KC Alpha (A)", "2"),
        ("KCP Beta (B)", "1"),
    ]


def test_a_region_s_offices_behind_target_without_a_region_column(july):
    table = Report(unit(july, "region", "R3"), "en").table("behind_target").to_html()
    assert "Region" not in headers(table)
    assert rows(table) == [["KC Delta (D)", "20", "6", "14", "30.0%", "3"]]


def test_when_none_is_behind_the_table_says_so(july):
    r2 = unit(july, "region", "R2")  # C and E, both projected past their targets
    assert Report(r2, "id").data("behind_target").empty
    said = Report(r2, "id").table("behind_target").to_html()
    assert "Semua kantor cabang diproyeksikan mencapai target" in said and "<table" not in said
    english = Report(r2, "en").table("behind_target").to_html()
    assert "Every branch is projected to reach its target" in english


def test_without_targets_the_table_says_none_is_set(warehouse):
    con = store.connect(warehouse)
    try:  # the warehouse has targets for 2017 only
        december = compute(con, Period(2016, 12), resolve(con, region="R1"))
    finally:
        con.close()
    said = Report(unit(december, "region", "R1"), "id").table("behind_target").to_html()
    assert "Target belum ditetapkan" in said and "Semua kantor" not in said


# -- movers ---------------------------------------------------------------------------------


def test_national_movers_up_then_down_with_small_cells(nation):
    table = Report(nation, "id").table("movers").to_html()
    assert headers(table) == [
        "Arah",
        "Kantor cabang",
        "Kantor wilayah",
        "Aktif bulan lalu",
        "Peserta aktif",
        "Perubahan peserta aktif",
        "Perubahan kepatuhan (poin persentase)",
    ]
    assert rows(table) == [
        ["Naik", "KC Epsilon (E)", "Region Two", "7", "13", "+6", "0,0"],  # 7/7 -> 13/13
        # C: 1 -> 2 active, both under 5; the changes would tell them, so withheld
        ["Naik", "KC Gamma (C)", "Region Two", "< 5", "< 5", "–", "–"],
        ["Turun", "KC Delta (D)", "Region Three", "6", "< 5", "–", "–"],  # 6 -> 0
    ]  # A and B: 8 and 2 active both months, not movers
    assert "kurang dari 5 peserta" in table  # the privacy note
    one = rows(Report(nation, "en").table("movers", n=1).to_html())
    assert [(r[0], r[1]) for r in one] == [("Up", "KC Epsilon (E)"), ("Down", "KC Delta (D)")]


def test_movers_numbers_follow_the_privacy_rule(nation):
    r = Report(nation, "id")
    frame = r.data("movers").set_index("branch_code")
    assert list(frame.index) == ["E", "C", "D"]
    assert list(frame.direction) == ["up", "up", "down"]
    e, c, d = (frame.loc[x] for x in "ECD")
    assert (e.active_prev, e.active, e.active_change, e.suppressed) == (7, 13, 6, False)
    assert e.on_time_rate_change == 0.0
    assert c.suppressed and math.isnan(c.active) and math.isnan(c.active_change)
    assert d.suppressed and d.active_prev == 6 and math.isnan(d.active)
    raw = r.data("movers", unsuppressed=True).set_index("branch_code")
    assert (raw.loc["C"].active_prev, raw.loc["C"].active, raw.loc["D"].active_change) == (1, 2, -6)


def test_a_month_without_movers_says_so(july):
    r1 = Report(unit(july, "region", "R1"), "id")  # A and B: the same active members as June
    said = r1.table("movers").to_html()
    assert "Tidak ada kantor cabang yang jumlah peserta aktifnya berubah bulan ini" in said


def test_a_branch_report_has_no_office_tables(july):
    branch = Report(unit(july, "branch", "A"), "id")
    for name in ("regions", "behind_target", "movers"):
        assert ">Tidak ada<" in branch.table(name).to_html(), name
        assert branch.data(name).empty, name


# -- the region's other tables --------------------------------------------------------------


def test_segments_and_channels_of_a_region_largest_first_as_a_branch_s(nation, july):
    segments = rows(Report(nation, "en").table("segments").to_html())
    # online drivers: A 8 + B 5 + C 3 + E 7 + D 6; fishers e8–e13; market traders p5–p9
    # (not in alphabetical order, which the sums come out in)
    assert [r[:2] for r in segments] == [
        ["Online drivers", "29"],
        ["Fishers", "6"],
        ["Market traders", "5"],
    ]
    channels = Report(nation, "en").data("channels")
    # office 15 + 3 + 7, online e8–e13, wadah d1–d6 (ties by code), outreach p5, p14, p15
    assert list(channels.value) == ["kantor", "online", "wadah", "sosialisasi"]
    branch_a = Report(unit(july, "branch", "A"), "en").data("segments")
    assert list(branch_a.value) == ["ojek_online", "pedagang_pasar"]  # 8, 5


def test_a_region_s_events_name_their_branch(july):
    table = Report(unit(july, "region", "R1"), "id").table("events", in_month=False).to_html()
    assert headers(table)[:3] == ["Tanggal", "Kantor cabang", "Kegiatan"]
    assert [r[:2] for r in rows(table)] == [
        ["30 Juli 2017", "KC Alpha (A)"],
        ["5 Maret 2017", "KC Alpha (A)"],
    ]  # B's event was in 2016
    branch = Report(unit(july, "branch", "A"), "id").table("events", in_month=False).to_html()
    assert "Kantor cabang" not in headers(branch)


def test_a_region_s_outreach_is_summed_per_branch(july):
    """A's 2017 events: 1 (5 March, potential 50: p5 registered, paid, active) and 2 (30 July,
    potential 100: p14 and p15 registered, p14 paid and active, p15 never paid). B's only
    event was in 2016: a row of zeros, its conversion a dash (no potential to divide by)."""
    table = Report(unit(july, "region", "R1"), "en").table("outreach_by_office")
    assert headers(table.to_html()) == [
        "Branch", "Events held", "Potential", "Registered", "Conversion", "Paid", "Active now",
    ]  # fmt: skip
    assert rows(table.to_html()) == [
        ["KC Alpha (A)", "2", "150", "3", "2.0%", "2", "2"],
        ["KCP Beta (B)", "0", "0", "0", "—", "0", "0"],
        ["Total", "2", "150", "3", "2.0%", "2", "2"],
    ]
    assert table.figures()["total"] == ["Total", 2, 150, 3, 0.02, 2, 2]
    # the region notebook shows this table, not every event of every branch
    data = Report(unit(july, "region", "R1"), "en").data("outreach_by_office")
    assert list(data.branch_code) == ["A", "B"] and not data.suppressed.any()


def test_the_nation_s_outreach_is_summed_per_region(nation):
    """R1's year is A's two events (above); R2 and R3 held none: zeros, most registered first
    and then by code."""
    table = Report(nation, "en").table("outreach_by_office")
    assert headers(table.to_html())[:2] == ["Region", "Events held"]
    assert rows(table.to_html()) == [
        ["Region One (R1)", "2", "150", "3", "2.0%", "2", "2"],
        ["Region Two (R2)", "0", "0", "0", "—", "0", "0"],
        ["Region Three (R3)", "0", "0", "0", "—", "0", "0"],
        ["Total", "2", "150", "3", "2.0%", "2", "2"],
    ]
    data = Report(nation, "en").data("outreach_by_office")
    assert list(data.columns[:2]) == ["region_code", "region_name"]


def test_the_ranking_names_branches_with_their_codes(july):
    table = Report(unit(july, "region", "R2"), "id").table("branches").to_html()
    assert [r[1] for r in rows(table)] == ["KC Epsilon (E)", "KC Gamma (C)"]
