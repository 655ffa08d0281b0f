"""The outreach funnel and the events table, on hand-made events laid over branch A and
region R1 of the hand-made warehouse (July 2017): labels that tell events apart, events in
the order they were held, values that never collide, and the table's date on one line; on
the page (``svg``) and on a phone (``narrow_svg``: the latest 4 events, 4 in wide) alike.

Positions are read back from the chart's SVG: each ``<text>`` by the point its baseline is
anchored at, turned or not; its box is its measured width by the font's ascent and descent,
as the chart measures it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from matplotlib.textpath import text_to_path

from bpu_reports.metrics import unit
from bpu_reports.render import pdf
from bpu_reports.report import charts
from bpu_reports.report.charts.bar_values import GAP, fit_values, text_height
from bpu_reports.report.charts.layout import font_props, text_width
from bpu_reports.report.charts.outreach import MAX_EVENTS, NARROW_EVENTS, STAGES
from bpu_reports.report.charts.venues import event_labels, short_venue
from bpu_reports.report.tables import events as events_table

SVG = "{http://www.w3.org/2000/svg}"
VALUE = re.compile(r"^(?:\d{1,3}(?:[.,]\d{3})*|< 5)$")
ROOM = 50.0  # points: about the room under an event's bars when 8 events share the plot
COLUMNS = [
    "event_id", "branch_code", "held_on", "title", "venue", "segment", "potential",
    "in_month", "registered", "paid", "active_now", "active_3m", "active_6m", "conversion",
]  # fmt: skip


@pytest.fixture(scope="module")
def branch(metrics):
    return unit(metrics, "branch", "A")


@pytest.fixture(scope="module")
def region(metrics):
    return unit(metrics, "region", "R1")


def frame(*rows: tuple[str, str, int, int, int, int], branch: str = "A") -> pd.DataFrame:
    """Events as ``unit.outreach`` holds them: (held on, venue, potential, registered,
    paid, active now) each, in the order given."""
    return pd.DataFrame(
        columns=COLUMNS,
        data=[
            {
                "event_id": f"EV{i:02d}",
                "branch_code": branch,
                "held_on": dt.date.fromisoformat(day),
                "title": "Sosialisasi BPU",
                "venue": venue,
                "segment": "pedagang_pasar",
                "potential": potential,
                "in_month": day.startswith("2017-07"),
                "registered": registered,
                "paid": paid,
                "active_now": active,
                "active_3m": None,
                "active_6m": None,
                "conversion": registered / potential,
            }
            for i, (day, venue, potential, registered, paid, active) in enumerate(rows)
        ],
    )


def with_events(u, events: pd.DataFrame):
    return dataclasses.replace(u, outreach=events)


DRAWINGS = ["page", "phone"]
SHOWN = {"page": MAX_EVENTS, "phone": NARROW_EVENTS}  # events a drawing shows at most


def drawing(chart, which: str):
    """The chart as the A4 page (``svg``) or a phone (``narrow_svg``) shows it, as a chart
    whose ``svg`` is that drawing: what the readers below take."""
    return chart if which == "page" else dataclasses.replace(chart, svg=chart.narrow_svg)


def many(n: int) -> pd.DataFrame:
    """``n`` events, one a week from 1 January 2017, given latest first; event ``i`` has a
    potential of 100 + 10·i and 40, 30, 20 of it registered, paid, active."""
    start = dt.date(2017, 1, 1)
    rows = [
        ((start + dt.timedelta(weeks=i)).isoformat(), f"Pasar {i}", 100 + 10 * i, 40, 30, 20)
        for i in range(n)
    ]
    return frame(*reversed(rows))


# -- reading the SVG -------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """One ``<text>`` of the SVG: its baseline's anchor point, turned upright or not."""

    text: str
    x: float
    y: float
    size: float
    anchor: str  # start, middle or end of the text at (x, y)
    upright: bool
    where: str  # id of its group under the axes: "matplotlib.axis_1", "text_20", …

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) in SVG points (y down)."""
        width = text_width(self.text, self.size)
        line = text_height(self.size)
        descent = line - ascent(self.size)
        first = -{"start": 0.0, "middle": width / 2, "end": width}[self.anchor]
        last = first + width  # along the run, from the anchor
        if self.upright:  # runs upwards, its ascent to the left
            return (self.x - line + descent, self.y - last, self.x + descent, self.y - first)
        return (self.x + first, self.y - line + descent, self.x + last, self.y + descent)


def ascent(size: float) -> float:
    """The ascent matplotlib aligns a line of text by (that of "lp")."""
    _, height, descent = text_to_path.get_text_width_height_descent("lp", font_props(size), False)
    return height - descent


def read_text(el: ET.Element, where: str) -> Text:
    """matplotlib writes ``x``/``y`` with ``rotate(-angle x y)``, or ``translate(x y)``
    with an optional ``rotate(-angle)``."""
    style = el.get("style", "")
    size = float(re.search(r"font-size: ([\d.]+)px", style)[1])
    anchor = m[1] if (m := re.search(r"text-anchor: (\w+)", style)) else "start"
    transform = el.get("transform", "")
    if el.get("x") is not None:
        x, y = float(el.get("x")), float(el.get("y"))
    else:
        m = re.match(r"translate\(([-\d.]+) ([-\d.]+)\)", transform)
        x, y = float(m[1]), float(m[2])
    angle = float(m[1]) if (m := re.search(r"rotate\(-?([\d.]+)", transform)) else 0.0
    return Text(el.text or "", x, y, size, anchor, angle == 90, where)


def svg_texts(chart) -> list[Text]:
    """Every text drawn in the axes (tick labels, values, notes), with its group's id."""
    axes = ET.fromstring(chart.svg).find(f".//{SVG}g[@id='axes_1']")
    return [read_text(el, group.get("id", "")) for group in axes for el in group.iter(f"{SVG}text")]


def values(chart) -> list[Text]:
    """The bars' values (not the tick labels)."""
    return [
        t
        for t in svg_texts(chart)
        if not t.where.startswith("matplotlib.axis") and VALUE.match(t.text)
    ]


def ticks(chart) -> list[list[Text]]:
    """The x tick labels, one list of lines per event, in the SVG's order."""
    root = ET.fromstring(chart.svg)
    return [
        [read_text(el, "xtick") for el in tick.iter(f"{SVG}text") if el.text]
        for tick in root.iter(f"{SVG}g")
        if re.fullmatch(r"xtick_\d+", tick.get("id", ""))
    ]


def bars(chart) -> list[tuple[float, float, float, float]]:
    """The drawn bars (not the legend's swatches), as (left, top, right, bottom)."""
    colours = {c.lower() for _, _, c in STAGES}
    root = ET.fromstring(chart.svg)
    axes = root.find(f".//{SVG}g[@id='axes_1']")
    out = []
    for group in axes:
        if not group.get("id", "").startswith("patch_"):
            continue
        path = group.find(f"{SVG}path")
        fill = re.search(r"fill: (#[0-9a-f]{6})", path.get("style", ""))
        if fill and fill[1] in colours:
            nums = [float(v) for v in re.findall(r"[-\d.]+", path.get("d"))]
            xs, ys = nums[0::2], nums[1::2]
            out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def plot_area(chart) -> tuple[float, float, float, float]:
    root = ET.fromstring(chart.svg)
    path = root.find(f".//{SVG}g[@id='axes_1']/{SVG}g[@id='patch_2']/{SVG}path")
    nums = [float(v) for v in re.findall(r"[-\d.]+", path.get("d"))]
    return min(nums[0::2]), min(nums[1::2]), max(nums[0::2]), max(nums[1::2])


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def within(inner, outer, slack: float = 0.01) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


# -- labels ----------------------------------------------------------------------------------


def test_venues_that_start_alike_get_distinct_labels():
    # "Pasar Induk Kreneng" is 72.1 pt wide at 7 pt, "Pasar Induk" 40.7: two lines of 50;
    # the old labels cut both to "Pasar Ind…"
    events = frame(
        ("2017-03-12", "Pasar Induk Kreneng", 300, 60, 40, 20),
        ("2017-03-12", "Pasar Induk Badung", 250, 50, 30, 10),
    )
    assert event_labels(events, "id", ROOM) == [
        "12 Mar\nPasar Induk\nKreneng",
        "12 Mar\nPasar Induk\nBadung",
    ]


def test_long_venues_alike_show_what_tells_them_apart():
    # both cut to "Balai / Pertemuan Pas…" (no 2 initials make them fit): the words after
    # the shared "Balai Pertemuan Pasar Induk", with one shared word before them
    events = frame(
        ("2017-04-02", "Balai Pertemuan Pasar Induk Kreneng Timur", 120, 30, 20, 10),
        ("2017-04-02", "Balai Pertemuan Pasar Induk Kreneng Barat", 140, 31, 22, 11),
    )
    assert event_labels(events, "en", ROOM) == [
        "2 Apr\n… Kreneng\nTimur",
        "2 Apr\n… Kreneng\nBarat",
    ]


def test_the_same_venue_on_the_same_day_is_numbered():
    # "Lapangan Puputan Renon" needs three lines of 50 pt; "L. Puputan" (37.2) / "Renon"
    events = frame(
        ("2017-05-07", "Lapangan Puputan Renon", 900, 800, 790, 700),
        ("2017-05-07", "Lapangan Puputan Renon", 900, 12, 9, 7),
        ("2017-05-14", "Lapangan Puputan Renon", 900, 12, 9, 7),
    )
    assert event_labels(events, "id", ROOM) == [
        "7 Mei (1)\nL. Puputan\nRenon",
        "7 Mei (2)\nL. Puputan\nRenon",
        "14 Mei\nL. Puputan\nRenon",
    ]


def test_a_venue_is_shortened_only_as_far_as_it_must():
    town = frozenset({"kc", "bali", "denpasar"})
    # whole: 48.1 pt fits in one line
    assert short_venue(["Pasar", "Badung"], ROOM, town) == ["Pasar Badung"]
    # whole in two lines, the town kept (it fits)
    assert short_venue(["Pasar", "Denpasar"], ROOM, town) == ["Pasar", "Denpasar"]
    # "Balai Pertemuan" is 57.7 pt: three lines even without "Denpasar"; one initial:
    # "B. Pertemuan" (47.4) / "Pasar"
    assert short_venue(["Balai", "Pertemuan", "Pasar", "Denpasar"], ROOM, town) == [
        "B. Pertemuan",
        "Pasar",
    ]
    # acronyms stay; past two initials the venue is cut at the end ("Olahraga Ko…" 49.8)
    assert short_venue(["GOR"], ROOM) == ["GOR"]
    assert short_venue(["Gelanggang", "Olahraga", "Kompiang", "Sujana"], ROOM) == [
        "Gelanggang",
        "Olahraga Ko…",
    ]
    # a venue missing altogether: the title is shown instead, and an empty one is a dash
    assert short_venue([], ROOM) == ["—"]


def test_a_region_names_the_branch_and_drops_its_town(region):
    events = frame(
        (
            "2017-05-20",
            "Balai Pertemuan Pasar Denpasar",
            170,
            65,
            58,
            27,
        ),
        branch="A",
    )
    labels = event_labels(events, "id", ROOM, offices=True, places={"A": "KC Bali Denpasar"})
    assert labels == ["A · 20 Mei\nB. Pertemuan\nPasar"]
    chart = charts.funnel(with_events(region, events))
    assert [t.text for t in ticks(chart)[0]] == ["A · 20 Mei", "Balai Pertemuan Pasar Denpasar"]


def test_a_missing_venue_shows_the_title(branch):
    events = frame(("2017-02-05", "", 80, 9, 9, 9))  # "Sosialisasi BPU": 52.4 pt
    assert event_labels(events, "en", ROOM) == ["5 Feb\nSosialisasi\nBPU"]


# -- the chart -------------------------------------------------------------------------------


@pytest.mark.parametrize("which", DRAWINGS)
def test_the_chart_labels_alike_venues_apart(branch, which):
    events = many(6)
    events = pd.concat(
        [
            events,
            frame(
                ("2017-03-12", "Pasar Induk Kreneng", 300, 60, 40, 20),
                ("2017-03-12", "Pasar Induk Badung", 250, 50, 30, 10),
            ),
        ]
    )
    chart = drawing(charts.funnel(with_events(branch, events)), which)
    labels = ["\n".join(t.text for t in tick) for tick in ticks(chart)]
    # on a phone the latest 4: 29 Jan, 5 Feb and the two on 12 March
    assert len(labels) == SHOWN[which] == len(set(labels))
    assert "12 Mar\nPasar Induk\nKreneng" in labels
    assert "12 Mar\nPasar Induk\nBadung" in labels
    # tick labels never touch their neighbours
    lines = [t.box for tick in ticks(chart) for t in tick]
    assert not [(a, b) for i, a in enumerate(lines) for b in lines[i + 1 :] if overlap(a, b)]


@pytest.mark.parametrize("which", DRAWINGS)
def test_events_are_drawn_in_the_order_they_were_held(branch, which):
    events = frame(
        ("2017-06-11", "Lapangan", 120, 20, 19, 14),
        ("2017-01-15", "Balai Kota", 230, 10, 10, 4),
        ("2017-03-19", "Pasar", 290, 76, 64, 21),
    )
    chart = drawing(charts.funnel(with_events(branch, events)), which)
    dates = [(tick[0].x, tick[0].text) for tick in ticks(chart)]
    assert [d for _, d in sorted(dates)] == ["15 Jan", "19 Mar", "11 Jun"]
    # and the potentials stand in that order: 230, 290, 120 left to right
    potential = sorted((t.x, t.text) for t in values(chart) if t.text in {"230", "290", "120"})
    assert [v for _, v in potential] == ["230", "290", "120"]


def test_more_events_than_fit_show_the_latest_in_order(branch):
    chart = charts.funnel(with_events(branch, many(MAX_EVENTS + 3)))
    # events 3 … 10, 3 to 10 weeks after 1 January, earliest left
    expected = ["22 Jan", "29 Jan", "5 Feb", "12 Feb", "19 Feb", "26 Feb", "5 Mar", "12 Mar"]
    shown = [tick[0] for tick in ticks(chart)]
    assert [t.text for t in sorted(shown, key=lambda t: t.x)] == expected
    assert "8 kegiatan terbaru dari 11" in chart.svg


@pytest.mark.parametrize("n", [0, 1, MAX_EVENTS + 3])
@pytest.mark.parametrize("which", DRAWINGS)
def test_the_chart_renders_for_any_number_of_events(branch, n, which):
    chart = drawing(charts.funnel(with_events(branch, many(n))), which)
    ET.fromstring(chart.svg)
    assert chart.title == "Sosialisasi 2017: dari potensi sampai aktif"
    if n == 0:
        assert "Tidak ada sosialisasi pada 2017" in chart.svg
        return
    assert len(ticks(chart)) == min(n, SHOWN[which])
    assert len(values(chart)) == 4 * min(n, SHOWN[which])


SCENES = {
    # one giant event beside small ones, hidden counts, 8 events: values upright
    "crowded": frame(
        ("2017-01-21", "Gedung Pariwisata Denpasar", 260, 12, 10, 0),
        ("2017-03-05", "Terminal Denpasar", 450, 117, 99, 37),
        ("2017-03-19", "Pasar Denpasar", 290, 76, 64, 21),
        ("2017-05-20", "Pasar Denpasar", 210, 64, 54, 30),
        ("2017-05-20", "Aula Kantor Cabang Denpasar", 180, 27, 21, 11),
        ("2017-05-28", "Balai Pertemuan Pasar Denpasar", 170, 65, 58, 27),
        ("2017-06-11", "Lapangan Denpasar", 120, 20, 19, 14),
        ("2017-07-30", "Lapangan Puputan Renon", 2000, 450, 450, 450),
    ),
    # values as large as the top, and counts under 5: values across, some inside
    "wide": frame(
        ("2017-03-12", "Pasar Induk Kreneng", 300, 300, 299, 298),
        ("2017-03-12", "Pasar Induk Badung", 250, 3, 2, 1),
    ),
    "one": frame(("2017-07-02", "Aula", 1200, 1111, 1111, 1111)),
}


@pytest.mark.parametrize("which", DRAWINGS)
@pytest.mark.parametrize("scene", SCENES)
def test_values_are_legible_and_never_collide(branch, scene, which):
    chart = drawing(charts.funnel(with_events(branch, SCENES[scene])), which)
    shown = values(chart)
    assert len(shown) == 4 * min(len(SCENES[scene]), SHOWN[which])
    # as large as the largest tick label
    tick_sizes = [t.size for tick in ticks(chart) for t in tick] + [8.0]  # y ticks: 8 pt
    assert min(t.size for t in shown) >= max(tick_sizes)
    boxes = [t.box for t in shown]
    # no two values touch
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if overlap(a, b)]
    # each value is either wholly inside one bar, or clear of every bar; all in the plot
    drawn = bars(chart)
    area = plot_area(chart)
    for t in shown:
        holders = [b for b in drawn if within(t.box, b)]
        hit = [b for b in drawn if overlap(t.box, b)]
        assert holders == hit if holders else not hit, t
        assert within(t.box, area), t
    # the hidden counts are marked, never drawn as their number
    if scene == "wide":
        assert [t.text for t in shown].count("< 5") == 3


@pytest.mark.parametrize("which", DRAWINGS)
def test_values_inside_dark_bars_are_white(branch, which):
    chart = drawing(charts.funnel(with_events(branch, SCENES["one"])), which)
    # 1.111 registered / paid / active stand tall: written inside, white on the two dark bars
    whites = re.findall(r"fill: #ffffff\"[^>]*>([^<]+)</text>", chart.svg)
    assert whites == ["1.111", "1.111"]


def test_fit_values_worked_by_hand():
    # a line of values is text_height(8) high: 8.0 pt as matplotlib 3.11 aligns DejaVu
    # Sans (the font's ascent and descent), where "lp" alone measures 7.74
    line = text_height(8.0)
    # a bar of 100 and one of 10 on a plot 100 pt high, top 100, pitch 30: "100" is
    # text_width("100", 8) ≈ 15.3 pt < 30 − 2, so values read across, a line high
    fit = fit_values(np.array([100.0, 10.0]), ["100", "10"], 100.0, 100.0, 30.0)
    assert not fit.upright
    # 100 pt ≥ 8 + 4 and 15.3 + 2 ≤ 27.6 wide: inside; 10 pt < 12: beyond, and
    # 10 pt + 2 + 8 fits under 100: the top stays
    assert fit.inside.tolist() == [True, False]
    assert fit.top == 100.0
    # pitch 18: across still (15.3 + 2 ≤ 18) but no bar is wide enough (17.3 > 16.56), so
    # "100" goes above its bar, a line high: the top rises to 100 · 100 / (100 − 2 − 8)
    fit = fit_values(np.array([100.0, 10.0]), ["100", "10"], 100.0, 100.0, 18.0)
    assert not fit.upright
    assert fit.inside.tolist() == [False, False]
    assert fit.top == pytest.approx(100 * 100 / (100 - GAP - line)) == pytest.approx(111.1, abs=0.1)
    # pitch 10: upright ("100" is wider than 10 − 2); 8 + 2 > 9.2, no bar is wide
    # enough, so "100" goes above its bar: the top rises to 100 · 100 / (100 − 2 − 15.3)
    fit = fit_values(np.array([100.0, 10.0]), ["100", "10"], 100.0, 100.0, 10.0)
    width = text_width("100", 8.0)
    assert fit.upright
    assert fit.inside.tolist() == [False, False]
    assert fit.top == pytest.approx(100 * 100 / (100 - GAP - width))
    # nothing to place
    empty = fit_values(np.array([]), [], 1.0, 100.0, 10.0)
    assert empty.top == 1.0 and not empty.upright


# -- on a phone ------------------------------------------------------------------------------


def test_a_phone_shows_the_latest_four_in_order(branch):
    chart = charts.funnel(with_events(branch, many(MAX_EVENTS + 3)))
    phone = drawing(chart, "phone")
    # events 7 … 10 of the 11 (7 to 10 weeks after 1 January), earliest left, with their
    # potentials 100 + 10·i and their 40, 30, 20 registered, paid, active
    shown = sorted(ticks(phone), key=lambda tick: tick[0].x)
    assert [tick[0].text for tick in shown] == ["19 Feb", "26 Feb", "5 Mar", "12 Mar"]
    assert [tick[1].text for tick in shown] == ["Pasar 7", "Pasar 8", "Pasar 9", "Pasar 10"]
    potential = sorted((t.x, t.text) for t in values(phone) if t.text not in {"40", "30", "20"})
    assert [v for _, v in potential] == ["170", "180", "190", "200"]
    assert sorted(t.text for t in values(phone)) == sorted(
        ["170", "180", "190", "200"] + ["40", "30", "20"] * 4
    )
    # only their bars are drawn, each in the plot
    assert len(bars(phone)) == 4 * NARROW_EVENTS
    assert all(within(b, plot_area(phone)) for b in bars(phone))
    # the note counts what the drawing shows, under the events' labels; the page's is kept
    assert "4 kegiatan terbaru dari 11" in phone.svg and "8 kegiatan" not in phone.svg
    assert "8 kegiatan terbaru dari 11" in chart.svg and "4 kegiatan" not in chart.svg
    (note,) = [t for t in svg_texts(phone) if t.text == "4 kegiatan terbaru dari 11"]
    lowest = max(line.box[3] for tick in shown for line in tick)
    assert note.box[1] > lowest and note.anchor == "start" and note.x < plot_area(phone)[0]


@pytest.mark.parametrize("events", ["crowded", "many", "alike"])
def test_the_phone_drawing_is_legible_and_stays_in_its_width(region, events):
    scene = {
        "crowded": SCENES["crowded"],
        "many": many(MAX_EVENTS + 3),
        "alike": frame(
            ("2017-04-02", "Balai Pertemuan Pasar Induk Kreneng Timur", 120, 30, 20, 10),
            ("2017-04-02", "Balai Pertemuan Pasar Induk Kreneng Barat", 140, 31, 22, 11),
            ("2017-04-09", "Gelanggang Olahraga Kompiang Sujana", 90, 12, 9, 7),
            ("2017-04-16", "Pasar Induk Denpasar", 150, 13, 12, 7),
        ),
    }[events]
    chart = charts.funnel(with_events(region, scene))
    phone = drawing(chart, "phone")
    root = ET.fromstring(phone.svg)
    assert root.get("width") == "288pt"  # 4 in: 384 CSS px, shown unscaled at 412 px
    # 7 pt is the least text: 9.3 px there (the values 8 pt as on the page)
    assert min(t.size for t in svg_texts(phone)) == 7.0
    assert {t.size for t in values(phone)} == {8.0}
    # every label and note inside the drawing, the labels apart and told apart
    lines = [line for tick in ticks(phone) for line in tick]
    for t in lines + svg_texts(phone):
        assert within(t.box, (0.0, 0.0, 288.0, float(root.get("height").removesuffix("pt")))), t
    assert not [
        (a, b) for i, a in enumerate(lines) for b in lines[i + 1 :] if overlap(a.box, b.box)
    ]
    labels = ["\n".join(t.text for t in tick) for tick in ticks(phone)]
    assert len(labels) == len(set(labels)) == min(len(scene), NARROW_EVENTS)
    assert all(label.startswith("A · ") for label in labels)  # a region names the branch


@pytest.mark.parametrize(
    "events",
    [SCENES["crowded"], SCENES["wide"], SCENES["one"], many(MAX_EVENTS + 3), many(0)],
    ids=["crowded", "wide", "one", "many", "none"],
)
def test_the_page_is_the_same_with_or_without_the_phone_drawing(branch, events):
    """The phone's drawing lays the page's figure out again once the page is taken: the
    page comes out byte for byte as when drawn alone."""
    unit_ = with_events(branch, events)
    with charts.a4_only():
        alone = charts.funnel(unit_)
    both = charts.funnel(unit_)
    assert alone.narrow_svg == "" and both.narrow_svg.startswith("<svg")
    assert both.svg == alone.svg
    assert both.narrow_svg != both.svg


def test_a_year_without_events_says_so_on_a_phone(branch):
    chart = charts.funnel(with_events(branch, many(0)))
    root = ET.fromstring(chart.narrow_svg)
    assert root.get("width") == "288pt"
    said = ["".join(el.itertext()).strip() for el in root.iter(f"{SVG}text")]
    assert said == [
        "Tidak ada sosialisasi pada 2017",
        "Sosialisasi 2017: dari potensi sampai aktif",
    ]


# -- the events table ------------------------------------------------------------------------


def printed_words(table: str) -> list[tuple[str, float, float, float]]:
    """The words of ``table`` (a report table's HTML) as the print layout places them on
    the first page: (word, left, right, top), in points, read back by poppler's
    ``pdftotext -bbox``."""
    page = (
        '<html lang="id"><head><title>t</title></head><body><main class="bpu-report">'
        f'<div class="bpu-output">{table}</div></main></body></html>'
    )
    done = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"],
        input=pdf.to_pdf(page),
        capture_output=True,
        check=True,
    )
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        done.stdout.decode("utf-8"),
    )
    return [(w, float(x0), float(x1), float(y0)) for x0, y0, x1, w in words]


def date_lines(words: list[tuple[str, float, float, float]], year: str) -> dict[str, list[str]]:
    """Each date of the table's first column (a day, a month, ``year``) as the lines it is
    printed on: the words at the date column's left, line by line."""
    dates: dict[str, list[str]] = {}
    for i, (word, *_rest) in enumerate(words):
        if not (word.isdigit() and len(word) <= 2 and i + 1 < len(words)):
            continue
        day_top = words[i][3]
        month = words[i + 1]
        if abs(month[3] - day_top) > 0.5 or not month[0].isalpha():
            continue
        years = [w for w in words[i + 2 :] if w[0] == year and abs(w[2] - month[2]) < 40]
        if not years:
            continue
        first = years[0]
        same = abs(first[3] - day_top) < 0.5
        key = f"{word} {month[0]} {year}"
        dates[key] = [key] if same else [f"{word} {month[0]}", year]
    return dates


def test_the_event_date_stays_on_one_line_in_print(region):
    """The year's events of a region (a branch column, long titles) in the printed
    layout: every date of a short month's name is one line."""
    long = "Sosialisasi BPU pengemudi ojek online dan pedagang pasar tradisional"
    events = frame(
        ("2017-07-30", "Lapangan Puputan Renon", 2000, 450, 450, 450),
        ("2017-06-11", "Balai Penyuluhan Pertanian Singaraja", 350, 70, 53, 34),
    ).assign(title=long)
    table = events_table(with_events(region, events), "id", in_month=False).to_html()
    lines = date_lines(printed_words(table), "2017")
    assert lines == {"30 Juli 2017": ["30 Juli 2017"], "11 Juni 2017": ["11 Juni 2017"]}


def test_a_long_date_wraps_before_its_year_inside_its_cell_in_print(region):
    """The longest dates of a region's events ("24 September 2026") in the printed
    layout: the day and the month stay together, the year goes to the next line, and no
    line of the date runs into the branch column beside it."""
    events = frame(
        ("2026-09-24", "Pelabuhan Perikanan Tangerang Kota", 470, 191, 164, 164),
        ("2026-10-25", "Terminal Tangerang Cikokol", 170, 80, 69, 69),
    ).assign(title="Sosialisasi BPU pengemudi ojek online dan pedagang pasar tradisional")
    table = events_table(with_events(region, events), "id", in_month=False).to_html()
    words = printed_words(table)
    dates = date_lines(words, "2026")
    month_ends = [w[2] for w in words if w[0] in ("September", "Oktober")]
    beside = [w[1] for w in words if w[0].startswith("KC") or w[0] == "Kantor"]
    assert month_ends and beside and max(month_ends) < min(beside)  # inside its cell
    assert dates == {
        "24 September 2026": ["24 September", "2026"],
        "25 Oktober 2026": ["25 Oktober", "2026"],
    }
