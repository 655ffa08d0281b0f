"""Charts on the hand-made warehouse (tests/handmade.py): branch A and region R1 in July 2017,
branch B (no events in 2017, nobody active before 2017: zeros and undefined rates)."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from bpu_reports.metrics import unit
from bpu_reports.period import Period
from bpu_reports.report import charts
from bpu_reports.report.charts import CHARTS, Chart
from bpu_reports.report.charts.scales import rupiah_scale
from bpu_reports.report.charts.target import year_ticks

SVG = "{http://www.w3.org/2000/svg}"
NAMES = list(CHARTS)
PERCENT = re.compile(r"^\d+(?:[.,]\d+)?%$")


@pytest.fixture(scope="module")
def units(metrics):
    return {
        "A": unit(metrics, "branch", "A"),
        "B": unit(metrics, "branch", "B"),
        "R1": unit(metrics, "region", "R1"),
    }


def texts(chart: Chart) -> list[str]:
    """Every text line of the chart, as a PDF reader would find it."""
    root = ET.fromstring(chart.svg)
    return ["".join(el.itertext()).strip() for el in root.iter(f"{SVG}text")]


def joined(chart: Chart) -> str:
    return "\n".join(texts(chart))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("code", ["A", "B", "R1"])
def test_every_chart_is_inline_svg_with_text(units, name, code):
    chart = CHARTS[name](units[code])
    assert isinstance(chart, Chart)
    assert chart.name == name
    assert chart.svg.startswith("<svg")
    assert "<?xml" not in chart.svg and "<!DOCTYPE" not in chart.svg
    assert "dc:date" not in chart.svg.lower()
    root = ET.fromstring(chart.svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == chart.title
    # text stays text (svg.fonttype none): no glyph outlines
    assert texts(chart)
    assert chart.title in texts(chart)
    assert chart._repr_svg_() == chart.svg
    assert plt.get_fignums() == []


@pytest.mark.parametrize("name", NAMES)
def test_same_unit_same_svg(units, name):
    first = CHARTS[name](units["R1"])
    assert CHARTS[name](units["R1"]).svg == first.svg


def test_rendering_leaves_the_analysts_settings_alone(units):
    before = {k: mpl.rcParams[k] for k in ("font.size", "svg.fonttype", "axes.spines.top")}
    fig_before = plt.get_fignums()
    for f in CHARTS.values():
        f(units["A"])
    assert {k: mpl.rcParams[k] for k in before} == before
    assert plt.get_fignums() == fig_before


def test_sizes_are_the_print_sizes(units):
    full = ET.fromstring(charts.membership(units["A"]).svg)
    half = ET.fromstring(charts.on_time(units["A"]).svg)
    assert full.get("width") == "482.4pt"  # 6.7 in = 17 cm
    assert half.get("width") == "230.4pt"  # 3.2 in


def test_membership_months_in_indonesian_and_english(units):
    ind = texts(charts.membership(units["A"]))
    eng = texts(charts.membership(units["A"], lang="en"))
    assert {"Jul", "Agu", "Des", "2016", "2017"} <= set(ind)
    assert {"Aktif", "Menunggak", "Nonaktif", "13"} <= set(ind)
    assert {"Aug", "Dec", "Active", "In arrears", "Non-active"} <= set(eng)
    assert "Agu" not in eng


def test_on_time_labels_the_report_month_with_a_decimal_comma(units):
    assert "62,5%" in texts(charts.on_time(units["A"]))
    assert "62.5%" in texts(charts.on_time(units["A"], lang="en"))
    assert {"0%", "50%", "100%"} <= set(texts(charts.on_time(units["A"])))


def test_target_says_how_far_short(units):
    ind = joined(charts.target(units["A"]))
    # registered 13, target 20, projection 16,3 -> 4 short; (20 - 13) / 5 months -> +2 a month
    assert "Target 20" in ind
    assert "Proyeksi Desember: 16, kurang 4 dari target" in ind
    assert "Perlu +2 per bulan" in ind
    eng = joined(charts.target(units["A"], lang="en"))
    assert "Projection for December: 16, 4 short of target" in eng and "Needs +2 a month" in eng


def test_target_axis_reaches_december_where_the_projection_ends(units):
    # July 2017: every other month from July, December in November's place
    ind = texts(charts.target(units["A"]))
    assert [t for t in ind if t in {"Jan", "Mar", "Mei", "Jul", "Sep", "Nov", "Des"}] == [
        "Jan",
        "Mar",
        "Mei",
        "Jul",
        "Sep",
        "Des",
    ]
    assert "Dec" in texts(charts.target(units["A"], lang="en"))
    # November: the report month and December side by side, December a line lower
    november = dataclasses.replace(units["A"], period=Period(2017, 11))
    root = ET.fromstring(charts.target(november).svg)
    ticks = {"".join(el.itertext()): el for el in root.iter(f"{SVG}text")}
    assert _y(ticks["Des"]) > _y(ticks["Nov"]) + 6  # 8-point type: one line lower


def _y(text: ET.Element) -> float:
    """The baseline of an SVG text element (its y, or the y of its translate)."""
    if text.get("y"):
        return float(text.get("y"))
    return float(re.search(r"translate\([\d.]+ ([\d.]+)\)", text.get("transform")).group(1))


@pytest.mark.parametrize(
    ("m", "ticks"),
    [
        (0, [0, 2, 4, 6, 8, 11]),  # January
        (6, [0, 2, 4, 6, 8, 11]),  # July
        (9, [1, 3, 5, 7, 9, 11]),  # October: December is every other month already
        (10, [0, 2, 4, 6, 8, 10, 11]),  # November, the report month, keeps its label
        (11, [1, 3, 5, 7, 9, 11]),  # December
    ],
)
def test_target_ticks_hold_the_report_month_and_december(m, ticks):
    assert year_ticks(m) == ticks


def test_target_on_track_and_without_target(units):
    u = units["A"]
    on_track = dataclasses.replace(u, summary={**u.summary, "projection_december": 25.0})
    assert "target tercapai" in joined(charts.target(on_track))
    no_target = dataclasses.replace(u, summary={**u.summary, "target": float("nan")})
    assert "Target belum ditetapkan" in joined(charts.target(no_target))


def test_target_in_december_states_the_year_end(units):
    u = units["A"]
    december = dataclasses.replace(
        u, period=Period(2017, 12), summary={**u.summary, "projection_december": 13.0}
    )
    chart = texts(charts.target(december))
    assert "Akhir tahun: 13, kurang 7 dari target" in chart
    assert "Proyeksi" not in chart and "Des" in chart


def test_collections_on_a_rupiah_axis(units):
    ind = texts(charts.collections(units["A"]))
    assert "Rp ribu" in ind and "Rp235.200" in ind
    assert {"JKK", "JKM", "JHT"} <= set(ind)
    assert "Rp thousand" in texts(charts.collections(units["A"], lang="en"))


@pytest.mark.parametrize(
    ("peak", "unit_id", "unit_en", "top_tick"),
    [
        (800.0, "Rp", "Rp", "800"),
        (235_200.0, "Rp ribu", "Rp thousand", "300"),  # steps of 100 ribu
        (1_200_000.0, "Rp juta", "Rp million", "1,5"),  # steps of 0,5 juta
        (364_200_000_000.0, "Rp miliar", "Rp billion", "400"),
        (3_100_000_000_000.0, "Rp triliun", "Rp trillion", "4"),
    ],
)
def test_rupiah_axis_names_its_scale_in_both_languages(peak, unit_id, unit_en, top_tick):
    ind, eng = rupiah_scale(peak, "id"), rupiah_scale(peak, "en")
    assert (ind.unit, eng.unit) == (unit_id, unit_en)
    assert ind.labels[-1] == top_tick and eng.labels[-1] == top_tick.replace(",", ".")
    assert ind.ticks == eng.ticks and ind.ticks[-1] >= peak


def test_ageing_buckets(units):
    ind = texts(charts.ageing(units["A"]))
    assert {"1", "2", "3", "4–6", "7–12", "> 12", "Bulan tertunggak"} <= set(ind)
    assert "Months behind" in texts(charts.ageing(units["A"], lang="en"))


def test_prepayment_legend(units):
    ind = texts(charts.prepayment(units["A"]))
    assert {"1 bulan", "6 bulan", "12 bulan", "Lainnya"} <= set(ind)
    assert not [t for t in ind if "bln" in t]
    assert {"1 month", "3 months", "Other"} <= set(texts(charts.prepayment(units["A"], lang="en")))


def test_cohorts_hide_cohorts_under_five_members(units):
    # every cohort of branch A has fewer than 5 members: no share may be printed
    a = texts(charts.cohorts(units["A"]))
    assert not [t for t in a if PERCENT.match(t)]
    assert "Jan 2017 (< 5)" in a
    assert any("kohort di bawah 5 peserta" in t for t in a)
    # in region R1 only the January 2017 cohort (A's 4 + B's 3 = 7) is shown: k = 1…6
    r1 = texts(charts.cohorts(units["R1"]))
    assert [t for t in r1 if PERCENT.match(t)] == ["100%", "71%", "71%", "71%", "71%", "57%"]
    assert "Jan 2017 (7)" in r1


def test_cohorts_say_months_after_registering_in_words(units):
    ind = texts(charts.cohorts(units["R1"]))
    title = "Retensi kohort: porsi peserta yang masih aktif 1–12 bulan setelah mendaftar"
    assert title in ind and "Bulan setelah mendaftar" in ind
    eng = texts(charts.cohorts(units["R1"], lang="en"))
    assert "Months after registering" in eng
    assert not [t for t in ind + eng if re.search(r"\bk\b", t)]  # no "k months" notation


def test_funnel_of_a_branch_with_events(units):
    ind = texts(charts.funnel(units["A"]))
    assert {"Potensi", "Mendaftar", "Sudah membayar", "Aktif kini", "100", "50"} <= set(ind)
    assert "30 Jul" in ind and "5 Mar" in ind
    # registered / paid / active at an event are counts below branch level: under 5 hidden
    assert "< 5" in ind and "2" not in ind
    assert "A · 30 Jul" in texts(charts.funnel(units["R1"]))


def test_funnel_without_events(units):
    chart = charts.funnel(units["B"])
    assert "Tidak ada sosialisasi pada 2017" in texts(chart)
    assert "No outreach events in 2017" in texts(charts.funnel(units["B"], lang="en"))


def test_small_multiples_one_panel_per_branch(units):
    region = texts(charts.small_multiples(units["R1"]))
    assert {"A", "B", "8", "2", "Jul 2016", "Jul 2017"} <= set(region)
    assert "Peserta aktif per kantor cabang" in region
    assert "A" in texts(charts.small_multiples(units["A"]))  # a branch: its own panel


def test_an_empty_unit_does_not_fail(units):
    u = units["B"]
    trend = u.trend.copy()
    numeric = trend.columns.difference(["period", "m_idx"])
    trend[numeric] = 0
    trend[["on_time_rate", "active_share"]] = np.nan
    empty = dataclasses.replace(
        u,
        trend=trend,
        summary={**u.summary, "registered": 0, "projection_december": np.nan, "target": None},
        ageing=u.ageing.iloc[0:0],
        cohorts=u.cohorts.iloc[0:0],
        outreach=u.outreach.iloc[0:0],
        branch_trend=pd.DataFrame(),
    )
    for f in CHARTS.values():
        ET.fromstring(f(empty).svg)
        ET.fromstring(f(empty, lang="en").svg)
    assert "—" in texts(charts.on_time(empty))
    assert plt.get_fignums() == []


def test_save_and_unknown_language(units, tmp_path):
    chart = charts.ageing(units["A"])
    path = chart.save(tmp_path / "ageing.svg")
    assert path.read_text(encoding="utf-8") == chart.svg
    assert "ageing" in repr(chart)
    with pytest.raises(ValueError, match="unknown language"):
        charts.ageing(units["A"], lang="fr")  # type: ignore[arg-type]


def test_small_multiples_of_many_branches_leave_out_the_y_labels(units):
    """13 branches or more: 6 panels a row, too narrow for y tick labels and two months beside
    the code and the value, so each panel shows the code, the value and the report month
    (R1's A copied 14 times)."""
    region = units["R1"]
    trend = region.branch_trend[region.branch_trend.branch_code == "A"]
    codes = [f"X{i:02d}" for i in range(14)]
    many = dataclasses.replace(
        region,
        branch_trend=pd.concat([trend.assign(branch_code=c) for c in codes], ignore_index=True),
        branches=pd.DataFrame(),
    )
    shown = texts(charts.small_multiples(many))
    panel = ["8", "Jul 2017"]  # A's active members in July, and the month
    title = ["Peserta aktif per kantor cabang"]
    assert sorted(shown) == sorted(title + codes + panel * len(codes))
    # up to 12 branches the y tick labels stay: R1's 2 panels show their scales
    assert "0" in texts(charts.small_multiples(region))
