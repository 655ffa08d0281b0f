"""The narrow drawings of the full-width charts (``Chart.narrow_svg``): about 4 in wide, so
that their text is legible in a 412 px phone's report column; the same data, colours and
title as the A4 drawing, which stays exactly what it was; shown by Jupyter beside the A4
drawing and by the screen HTML on a phone only. Hand-made warehouse (tests/handmade.py):
branch A, branch B (nobody active before 2017) and region R1 (A and B), July 2017."""

from __future__ import annotations

import dataclasses
import html
import re
import xml.etree.ElementTree as ET
from collections import Counter

import nbformat
import pandas as pd
import pytest
from IPython.core.formatters import DisplayFormatter
from nbformat.v4 import new_code_cell, new_notebook, new_output

from bpu_reports.metrics import unit
from bpu_reports.render.html import to_html
from bpu_reports.report.charts import CHARTS, NARROW_SVG, Chart, a4_only

SVG = "{http://www.w3.org/2000/svg}"
NARROW = ("membership", "cohorts", "funnel", "small_multiples")
PHONE = 412  # CSS px
COLUMN = PHONE - 32  # the report column on that phone, less its margins (rounded up)
LEGIBLE = 9.0  # px: the least rendered size of chart text
PX = 96 / 72  # CSS px per point
FONT_SIZE = re.compile(r"font-size: ([\d.]+)px")
FILL = re.compile(r"fill: (#[0-9a-f]{6})")


@pytest.fixture(scope="module")
def units(metrics):
    return {code: unit(metrics, kind, code) for kind, code in UNITS}


UNITS = (("branch", "A"), ("branch", "B"), ("region", "R1"))
CODES = [code for _, code in UNITS]


def texts(svg: str) -> list[str]:
    """Every text of the drawing, in drawing order."""
    return ["".join(el.itertext()).strip() for el in ET.fromstring(svg).iter(f"{SVG}text")]


def text_elements(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}text"))


def font_sizes(svg: str) -> list[float]:
    """The size of every text, in the SVG's user units (points: matplotlib writes
    ``font-size: 7px`` in a viewBox of the figure's size in points, without scaling text)."""
    sizes = []
    for el in text_elements(svg):
        assert "scale(" not in el.get("transform", "")
        found = FONT_SIZE.search(el.get("style", ""))
        assert found, el.attrib
        sizes.append(float(found.group(1)))
    return sizes


def width_pt(svg: str) -> float:
    root = ET.fromstring(svg)
    width = float(root.get("width", "").removesuffix("pt"))
    assert float(root.get("viewBox", "").split()[2]) == width  # user units are points
    return width


def rendered_px(svg: str) -> float:
    """The smallest text of the drawing in CSS px, scaled to fit the phone's column (never
    enlarged: a drawing narrower than the column is shown at its own size)."""
    width_px = width_pt(svg) * PX
    return min(font_sizes(svg)) * PX * min(1.0, COLUMN / width_px)


# -- legible on a phone --------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("name", NARROW)
def test_the_narrow_drawing_is_legible_at_412_px(units, name, code):
    chart = CHARTS[name](units[code])
    assert chart.narrow_svg.startswith("<svg") and "<?xml" not in chart.narrow_svg
    assert width_pt(chart.narrow_svg) / 72 <= 4.1
    # branch B held no event in 2017: its funnel is one sentence at 8 pt under the title
    least = 8.0 if (name, code) == ("funnel", "B") else 7.0
    # 7 pt at 4 in (384 px) in a 380 px column: 7 × 4/3 × 380/384 = 9.24 px (8 pt: 10.56)
    assert min(font_sizes(chart.narrow_svg)) == least
    assert rendered_px(chart.narrow_svg) == pytest.approx(least * 4 / 3 * 380 / 384, abs=0.01)
    assert rendered_px(chart.narrow_svg) >= LEGIBLE
    # the A4 drawing (6.7 in = 643 px) in that column: 7 × 4/3 × 380/643.2 = 5.5 px
    assert width_pt(chart.svg) == 482.4
    assert rendered_px(chart.svg) == pytest.approx(least * 4 / 3 * 380 / 643.2, abs=0.01)


def test_only_the_full_width_charts_have_a_narrow_drawing(units):
    drawn = {name for name in CHARTS if CHARTS[name](units["R1"]).narrow_svg}
    assert drawn == set(NARROW)


# -- the A4 drawing is what it was -------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_the_a4_drawing_is_the_same_with_or_without_the_narrow_one(units, code):
    """Every chart, drawn in report order once without narrow drawings and once with them
    (the narrow ones re-lay out the A4 figure after it is taken): the same A4 SVG, so
    neither the chart itself nor a later one is touched by the narrow drawing."""
    with a4_only():
        alone = [CHARTS[name](units[code]) for name in CHARTS]
    both = [CHARTS[name](units[code]) for name in CHARTS]
    assert [c.narrow_svg for c in alone] == [""] * len(CHARTS)
    assert [c.svg for c in both] == [c.svg for c in alone]
    assert [c.title for c in both] == [c.title for c in alone]


def test_the_narrow_drawing_is_deterministic(units):
    for name in NARROW:
        assert CHARTS[name](units["R1"]).narrow_svg == CHARTS[name](units["R1"]).narrow_svg


# -- same data, colours and title; laid out for the width ---------------------------------------


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", NARROW)
def test_same_title_and_colours(units, name, lang):
    chart = CHARTS[name](units["R1"], lang)
    narrow = ET.fromstring(chart.narrow_svg)
    assert narrow.find(f"{SVG}title").text == chart.title
    assert set(FILL.findall(chart.narrow_svg)) == set(FILL.findall(chart.svg))
    # the title is the drawing's first 9 pt text on the page; on a phone, in lines of whole
    # words (the cohorts' title takes two)
    assert title_lines(chart.svg) == [chart.title]
    lines = title_lines(chart.narrow_svg)
    assert " ".join(lines) == chart.title
    assert len(lines) == (2 if name == "cohorts" else 1)


def title_lines(svg: str) -> list[str]:
    return [
        "".join(el.itertext()).strip()
        for el in text_elements(svg)
        if "font-size: 9px" in el.get("style", "")
    ]


def test_membership_labels_every_third_month(units):
    chart = CHARTS["membership"](units["A"])
    wide, narrow = texts(chart.svg), texts(chart.narrow_svg)
    # July 2016 … July 2017: every month on the page; on a phone July, October, January,
    # April and July, the year under the first month and under January
    months = ["Jul", "Agu", "Sep", "Okt", "Nov", "Des", "Jan", "Feb", "Mar", "Apr", "Mei", "Jun"]
    assert [t for t in wide if t in months] == [*months, "Jul"]
    assert [t for t in narrow if t in months or t in ("2016", "2017")] == [
        "Jul",
        "2016",
        "Okt",
        "Jan",
        "2017",
        "Apr",
        "Jul",
    ]
    # the same legend and the same report-month total (13 registered in branch A)
    for label in ("Aktif", "Menunggak", "Nonaktif", "13"):
        assert label in wide and label in narrow


def test_cohorts_keep_every_share_and_put_the_size_under_the_month(units):
    chart = CHARTS["cohorts"](units["R1"])
    wide, narrow = texts(chart.svg), texts(chart.narrow_svg)
    percent = re.compile(r"^\d+%$")
    # only the January 2017 cohort (A's 4 + B's 3 = 7) is shown, 1…6 months after
    shares = ["100%", "71%", "71%", "71%", "71%", "57%"]
    assert [t for t in wide if percent.match(t)] == shares
    assert [t for t in narrow if percent.match(t)] == shares
    assert "Jan 2017 (7)" in wide
    i = narrow.index("Jan 2017")
    assert narrow[i + 1] == "(7)"
    assert "Bulan setelah mendaftar" in narrow
    # of the other eleven, five cohorts have under 5 members (grey cells, "< 5" under the
    # month) and six have none
    assert Counter(narrow)["(< 5)"] == 5 and Counter(narrow)["(0)"] == 6
    assert sum(t.endswith("(< 5)") for t in wide) == 5 and "Jun 2017 (< 5)" in wide
    assert any(t.startswith("Abu-abu: kohort di bawah 5 peserta") for t in narrow)


def _regional(base, codes: list[str]):
    """Region R1 with branch A's trend under more branch codes (``codes`` after A and B)."""
    a = base.branch_trend[base.branch_trend.branch_code == "A"]
    more = [a.assign(branch_code=code) for code in codes]
    trend = pd.concat([base.branch_trend, *more], ignore_index=True)
    return dataclasses.replace(base, branch_trend=trend)


def _panel_corners(svg: str, codes: list[str]) -> list[tuple[float, float]]:
    """Where each panel's title (its branch code) is drawn."""
    at = {}
    for el in text_elements(svg):
        if el.text and el.text.strip() in codes:
            at[el.text.strip()] = (float(el.get("x", "nan")), float(el.get("y", "nan")))
    return [at[c] for c in codes]


def test_small_multiples_in_two_columns(units):
    region = _regional(units["R1"], ["C", "D", "E"])
    chart = CHARTS["small_multiples"](region)
    codes = ["A", "B", "C", "D", "E"]  # the region's ranking (A, B), then the others by code
    wide = _panel_corners(chart.svg, codes)
    narrow = _panel_corners(chart.narrow_svg, codes)
    # five panels: 4 a row on the page (2 rows), 2 a row on a phone (3 rows)
    assert len({x for x, _ in wide}) == 4 and len({y for _, y in wide}) == 2
    assert len({x for x, _ in narrow}) == 2 and len({y for _, y in narrow}) == 3
    left, right = narrow[0][0], narrow[1][0]
    assert left < right and [x for x, _ in narrow] == [left, right, left, right, left]
    # the same values at the top right of each panel, the same months under it
    for shown in ("8", "2", "Jul 2016", "Jul 2017"):
        assert Counter(texts(chart.narrow_svg))[shown] == Counter(texts(chart.svg))[shown]


# -- shown by Jupyter and by the screen HTML ----------------------------------------------------


def test_jupyter_gets_both_drawings_and_the_same_plain_text(units):
    chart = CHARTS["membership"](units["R1"])
    data, _ = DisplayFormatter().format(chart)
    assert data == {
        "image/svg+xml": chart.svg,
        NARROW_SVG: chart.narrow_svg,
        "text/plain": f"Chart('membership', 'Status kepesertaan', {len(chart.svg)} chars of SVG)",
    }
    single, _ = DisplayFormatter().format(CHARTS["target"](units["R1"]))
    assert set(single) == {"image/svg+xml", "text/plain"}  # no narrow drawing: as before
    plain = Chart("x", "t", "<svg/>")
    assert plain._repr_mimebundle_() == {"image/svg+xml": "<svg/>"}


def _executed(charts: list[Chart]) -> nbformat.NotebookNode:
    """A notebook whose cells show these charts as the kernel does, written to disk and
    read back as papermill leaves it (a non-JSON mimetype is stored as lines of text)."""
    cells = []
    for chart in charts:
        data, _ = DisplayFormatter().format(chart)
        cells.append(new_code_cell(outputs=[new_output("display_data", data=data)]))
    nb = nbformat.reads(nbformat.writes(new_notebook(cells=cells)), as_version=4)
    nbformat.validate(nb)
    return nb


def test_the_screen_html_shows_the_narrow_drawing_on_a_phone_only(units):
    charts = [CHARTS[name](units["R1"]) for name in ("small_multiples", "membership", "target")]
    nb = _executed(charts)
    screen = to_html(nb, lang="id", title="R1", variant="screen")
    printed = to_html(nb, lang="id", title="R1", variant="print")

    def figures(page: str, css: str) -> list[tuple[str, list[str]]]:
        found = re.findall(rf'<figure class="{css}">(.*?)</figure>', page, re.S)
        return [drawing(svg) for svg in found]

    # both drawings of the two full-width charts, screen.css hides one or the other
    assert figures(screen, "bpu-chart bpu-chart-narrow") == [
        drawing(charts[0].narrow_svg),
        drawing(charts[1].narrow_svg),
    ]
    assert figures(screen, "bpu-chart bpu-chart-wide") == [drawing(c.svg) for c in charts[:2]]
    assert figures(screen, "bpu-chart") == [drawing(charts[2].svg)]
    # the PDF's HTML: the A4 drawings only
    assert "bpu-chart-narrow" not in printed and printed.count("<svg") == 3
    assert figures(printed, "bpu-chart") == [drawing(c.svg) for c in charts]


def drawing(svg: str) -> tuple[str, list[str]]:
    """A drawing as the HTML carries it (nbconvert writes the SVG out again, attributes in
    another order): its width and its texts."""
    width = re.search(r'<svg[^>]*\bwidth="([^"]+)"', svg)
    assert width
    found = re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)
    return width.group(1), [html.unescape(t).strip() for t in found]


# -- on a phone (headless Chromium, tests/render/phone.py) ---------------------------------------

SHOWN = """[...document.querySelectorAll('figure.bpu-chart')].map(figure => {
  const svg = figure.querySelector('svg'), shown = getComputedStyle(figure).display !== 'none';
  const sizes = [...svg.querySelectorAll('text')].map(
    t => parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a);
  return {narrow: figure.classList.contains('bpu-chart-narrow'), shown,
          right: svg.getBoundingClientRect().right, text: shown ? Math.min(...sizes) : 0};
})"""


@pytest.mark.slow
@pytest.mark.parametrize(("width", "least"), [(412, LEGIBLE), (360, 8.0)])
def test_a_phone_shows_the_narrow_drawings_legibly(units, tmp_path, width, least):
    """At 412 px the narrow drawings are shown at their own size (384 px): 7 pt is 9.3 px;
    at 360 px they are scaled to the 341 px column: 8.3 px (the A4 drawing: 4.9 px)."""
    from render.phone import Phone

    charts = [CHARTS[name](units["R1"]) for name in NARROW]
    page = tmp_path / "report.html"
    page.write_text(to_html(_executed(charts), lang="id", title="R1", variant="screen"))
    with Phone(width) as phone:
        phone.open(page)
        figures = phone.eval(f"({SHOWN})")
        scroll = phone.eval("document.scrollingElement.scrollWidth")
    assert [f["narrow"] for f in figures] == [False, True] * len(NARROW)
    assert [f["shown"] for f in figures] == [False, True] * len(NARROW)
    for figure in figures[1::2]:
        assert figure["right"] <= width and figure["text"] >= least, figure
    assert scroll <= width
