"""The portal and a report's screen HTML on a phone (412 and 360 CSS px, headless Chromium
emulating a mobile viewport, see ``phone.py``): the page never scrolls sideways, every PDF
link lies inside the screen and is tall enough to tap, report tables fit (wide ones one
block per row, each value under its column's name), charts fit their column, and a chart
with a narrow drawing shows it, its text legible."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib as mpl
import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from phone import Phone

from bpu_reports.metrics import unit
from bpu_reports.render.html import NARROW_SVG, STACK_COLUMNS, to_html
from bpu_reports.render.portal import write_portal
from bpu_reports.report import Report

WIDTHS = (412, 360)
TAP = 40  # px: the least height of a link a thumb hits reliably
LEGIBLE = 9  # px: the least rendered size of chart text
CHARTS = ("membership", "target", "on_time", "ageing", "collections", "prepayment")
CHARTS += ("funnel", "cohorts", "small_multiples")
TABLES = ("ageing", "programs", "prepayment", "segments", "channels", "events", "branches")


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def phone(request):
    with Phone(request.param) as opened:
        yield opened


# what the page measures of itself (the pages carry no script; the phone evaluates these)
PAGE = """(() => {
  const texts = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode, box = node.parentElement;
    if (!node.textContent.trim() || box.closest('svg') || !box.getClientRects().length) continue;
    texts.push(parseFloat(getComputedStyle(box).fontSize));
  }
  return {width: innerWidth, scroll: document.scrollingElement.scrollWidth,
          smallest: Math.min(...texts)};
})()"""

LINKS = """(() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  return [...document.querySelectorAll('a')].map(a => {
    a.scrollIntoView({block: 'center'});
    const r = a.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {text: a.textContent, href: a.getAttribute('href'), left: r.left, right: r.right,
            height: r.height, hit: a.contains(hit)};
  });
})()"""

CHART_TEXT = """(svg => Math.min(...[...svg.querySelectorAll('text')].map(
  t => parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a)))"""

CHARTS_JS = f"""[...document.querySelectorAll('figure.bpu-chart')].map(figure => {{
  const svg = figure.querySelector('svg'), r = svg.getBoundingClientRect();
  return {{shown: getComputedStyle(figure).display !== 'none', left: r.left, right: r.right,
           width: r.width, natural: svg.width.baseVal.value, column: figure.clientWidth,
           text: getComputedStyle(figure).display === 'none' ? 0 : {CHART_TEXT}(svg),
           narrow: figure.classList.contains('bpu-chart-narrow')}};
}})"""

TABLES_JS = """(() => {
  const boxes = [...document.querySelectorAll('.bpu-table-wrap, table.dataframe')];
  const cells = [...document.querySelectorAll('table.bpu-stack td:not(.txt)')];
  return {overflow: boxes.map(b => b.scrollWidth - b.clientWidth),
          stacked: document.querySelectorAll('table.bpu-stack').length,
          labels: cells.map(td => [getComputedStyle(td, '::before').content,
                                   td.dataset.label])};
})()"""


# -- the portal ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal(reports_folder) -> Path:
    return write_portal(reports_folder)


@pytest.mark.slow
def test_portal_fits_a_phone_and_every_pdf_link_can_be_tapped(phone, portal):
    phone.open(portal)
    links = phone.eval(LINKS)  # every month opened first, as a reader would tap them open
    page = phone.eval(PAGE)
    assert page["width"] == phone.width
    assert page["scroll"] <= phone.width, "the page scrolls sideways"
    pdfs = [link for link in links if link["text"] == "PDF"]
    # 16 finished reports over the three months, and the older version of a failed one
    assert len(pdfs) == 17
    for link in pdfs:
        assert 0 <= link["left"] <= link["right"] <= phone.width, link
        assert link["height"] >= TAP and link["hit"], link
    assert all(link["height"] >= TAP and link["hit"] for link in links)
    assert page["smallest"] >= LEGIBLE
    # the rows are cards: each KPI under its name
    labels = phone.eval(
        "[...document.querySelectorAll('td.num')].slice(0, 4)"
        ".map(td => getComputedStyle(td, '::before').content)"
    )
    assert labels == ['"Terdaftar"', '"Aktif"', '"Tepat waktu"', '"Capaian target"']


@pytest.mark.slow
def test_portal_keeps_its_tables_on_a_wide_screen(portal):
    with Phone(1000) as wide:
        wide.open(portal)
        assert wide.eval(PAGE)["scroll"] <= 1000
        shown = wide.eval(
            "[getComputedStyle(document.querySelector('table')).display,"
            " getComputedStyle(document.querySelector('thead')).position,"
            " getComputedStyle(document.querySelector('td.num'), '::before').content]"
        )
        assert shown == ["table", "static", "none"]


# -- a report's screen HTML ---------------------------------------------------------------------


def _output(data: dict) -> object:
    return new_code_cell(outputs=[new_output("display_data", data={"text/plain": "", **data})])


def _html(obj: object) -> object:
    bundle = getattr(obj, "_repr_mimebundle_", None)
    return _output(bundle() if bundle else {"text/html": obj._repr_html_()})  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def report_page(metrics, tmp_path_factory) -> Path:
    """The region report of the hand-made warehouse (region R1, July 2017) as the monthly
    notebook shows it: cover, KPI cards, summary, every chart and table a region report
    has, a plain DataFrame, a long printed line and the appendix, rendered by
    ``render/html.py`` for the screen."""
    r = Report(unit(metrics, "region", "R1"), "id")
    frame = pd.DataFrame({"segmen": ["petani", "nelayan"], "terdaftar": [16_800, 3_000]})
    cells = [_html(r.cover()), _html(r.kpis()), _html(r.summary())]
    cells.append(new_markdown_cell("## Grafik"))
    cells += [_output({"image/svg+xml": r.chart(name).svg}) for name in CHARTS]
    cells.append(new_markdown_cell("## Tabel"))
    cells += [_html(r.table(name)) for name in TABLES]
    cells.append(_output({"text/html": frame.to_html()}))
    printed = new_code_cell(outputs=[new_output("stream", name="stdout", text="x" * 400)])
    cells += [printed, _html(r.definitions()), _html(r.data_source())]
    page = tmp_path_factory.mktemp("report") / "region_monthly.html"
    page.write_text(to_html(new_notebook(cells=cells), lang="id", title="R1", variant="screen"))
    return page


@pytest.mark.slow
def test_report_fits_a_phone(phone, report_page):
    phone.open(report_page)
    page = phone.eval(PAGE)
    assert page["scroll"] <= phone.width, "the page scrolls sideways"
    assert page["smallest"] >= LEGIBLE
    tables = phone.eval(TABLES_JS)
    # every report table fits its column without scrolling in its own box
    assert len(tables["overflow"]) == len(TABLES) + 1 and max(tables["overflow"]) <= 0
    # the segment, channel, event and ranking tables have six columns or more: one block
    # per row, each value under its column's name
    assert tables["stacked"] == 4
    assert tables["labels"] and all(shown == f'"{label}"' for shown, label in tables["labels"])


@pytest.mark.slow
def test_report_charts_fit_their_column(phone, report_page):
    phone.open(report_page)
    charts = phone.eval(f"({CHARTS_JS})")
    assert len(charts) == len(CHARTS)
    for chart in charts:
        assert chart["left"] >= 0 and chart["right"] <= phone.width + 0.5, chart
        assert chart["width"] <= chart["column"] + 0.5, chart
        if chart["natural"] <= chart["column"]:  # a half-width chart is never shrunk
            assert chart["width"] == pytest.approx(chart["natural"], abs=0.5), chart
            assert chart["text"] >= LEGIBLE, chart


# -- a chart with a narrow drawing ----------------------------------------------------------------


def _svg(width_in: float) -> str:
    """A chart drawn by matplotlib as the report's are (text kept as text, 8 pt)."""
    with mpl.rc_context({"svg.fonttype": "none", "font.size": 8, "svg.hashsalt": "bpu"}):
        fig = Figure(figsize=(width_in, 2.4))
        ax = fig.add_subplot()
        ax.bar([f"Bulan {m}" for m in range(1, 7)], [3, 5, 4, 6, 7, 5])
        ax.set_title("Peserta aktif")
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


@pytest.fixture(scope="module")
def two_drawings(tmp_path_factory) -> tuple[Path, str]:
    chart = _output({"image/svg+xml": _svg(6.7), NARROW_SVG: _svg(3.9)})
    nb = new_notebook(cells=[chart])
    folder = tmp_path_factory.mktemp("narrow")
    page = folder / "screen.html"
    page.write_text(to_html(nb, lang="id", title="t", variant="screen"))
    return page, to_html(nb, lang="id", title="t", variant="print")


@pytest.mark.slow
def test_a_phone_shows_the_narrow_drawing(phone, two_drawings):
    page, _ = two_drawings
    phone.open(page)
    wide, narrow = phone.eval(f"({CHARTS_JS})")
    assert not wide["shown"] and narrow["shown"] and narrow["narrow"]
    assert narrow["right"] <= phone.width and narrow["text"] >= LEGIBLE
    assert phone.eval(PAGE)["scroll"] <= phone.width


@pytest.mark.slow
def test_a_wide_screen_and_the_pdf_show_the_a4_drawing(two_drawings):
    page, printed = two_drawings
    with Phone(1000) as wide_screen:
        wide_screen.open(page)
        wide, narrow = wide_screen.eval(f"({CHARTS_JS})")
    assert wide["shown"] and not narrow["shown"]
    assert wide["width"] == pytest.approx(wide["natural"], abs=0.5)  # 6.7 in = 643.2 px
    assert wide["natural"] == pytest.approx(643.2)
    assert printed.count("<svg") == 1 and "bpu-chart-narrow" not in printed


# -- column names on the cells of a report table ----------------------------------------------


def _table(head: list[str], *rows: list[str], css: str = "bpu-table") -> str:
    ths = "".join(f'<th class="num">{h}</th>' for h in head)
    trs = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' for c in r) + "</tr>" for r in rows)
    return f'<table class="{css}"><thead><tr>{ths}</tr></thead><tbody>{trs}</tbody></table>'


def _screen(*tables: str, variant: str = "screen") -> str:
    nb = new_notebook(cells=[_output({"text/html": t}) for t in tables])
    return to_html(nb, lang="id", title="t", variant=variant)  # type: ignore[arg-type]


def test_cells_carry_their_column_name_and_wide_tables_stack():
    wide = [f"Kolom {i}" for i in range(1, STACK_COLUMNS + 1)]
    page = _screen(
        _table(["Peserta", 'Rasio "aktif" &amp; baru'], ["13", "61,5%"], ["5", "–"]),
        _table(wide, [str(i) for i in range(STACK_COLUMNS)], css="bpu-table ranking"),
    )
    assert page.count('<td data-label="Peserta" class="num">') == 2
    assert page.count('<td data-label="Rasio &quot;aktif&quot; &amp; baru" class="num">') == 2
    assert '<table class="bpu-table">' in page  # two columns: a table on a phone too
    assert '<table class="bpu-table ranking bpu-stack">' in page
    assert f'<td data-label="Kolom {STACK_COLUMNS}" class="num">{STACK_COLUMNS - 1}</td>' in page


def test_tables_of_another_shape_and_the_print_variant_are_left_alone():
    uneven = _table(["A", "B"], ["1", "2"], ["3"])
    other = _table(["A", "B"], ["1", "2"], css="dataframe")
    page = _screen(uneven, other)
    assert uneven in page and other in page and "data-label=" not in page
    wide = _table(["A"] * STACK_COLUMNS, ["1"] * STACK_COLUMNS)
    printed = _screen(wide, variant="print")
    assert wide in printed and "data-label=" not in printed


def test_the_narrow_drawing_is_a_valid_notebook_output():
    """A chart output with both drawings is valid nbformat and survives the executed
    notebook's round trip to disk (a non-JSON mimetype is written as lines of text)."""
    nb = new_notebook(cells=[_output({"image/svg+xml": "<svg/>", NARROW_SVG: "<svg>\n</svg>"})])
    again = nbformat.reads(nbformat.writes(nb), as_version=4)
    nbformat.validate(again)
    assert again.cells[0].outputs[0].data[NARROW_SVG] == "<svg>\n</svg>"
