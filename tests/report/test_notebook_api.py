"""The notebook API an analyst discovers in JupyterLab: catalogues and their docstrings,
``r.data`` and its privacy rule, house-style charts and tables of one's own, the cover's
title, plain DataFrames and wide images in the PDF, report titles in the portal."""

from __future__ import annotations

import base64
import inspect
import io
import json
import re
import subprocess

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_notebook, new_output
from pypdf import PdfReader

from bpu_reports.metrics import unit
from bpu_reports.metrics.privacy import SMALL
from bpu_reports.metrics.scope import Branch
from bpu_reports.render import pdf
from bpu_reports.render.html import to_html
from bpu_reports.render.portal import render_portal
from bpu_reports.report import Report, book, house
from bpu_reports.report.charts import CHARTS, Chart
from bpu_reports.report.charts.style import FONT_SIZE
from bpu_reports.report.data import DATA
from bpu_reports.report.table import Table
from bpu_reports.report.tables import TABLES
from bpu_reports.run import plan, spec
from bpu_reports.run.job import run_job
from pdf_matrix import operations


@pytest.fixture(scope="module")
def r(metrics):
    return Report(unit(metrics, "branch", "A"), "id")


@pytest.fixture(scope="module")
def region(metrics):
    return Report(unit(metrics, "region", "R1"), "en")


# -- one catalogue per kind, read by the API, its docstrings and these tests ----------------


@pytest.mark.parametrize(
    ("method", "catalogue"),
    [(Report.chart, CHARTS), (Report.table, TABLES), (Report.data, DATA)],
    ids=["chart", "table", "data"],
)
def test_docstrings_list_every_name_with_what_it_shows(method, catalogue):
    doc = inspect.getdoc(method)
    for name, entry in catalogue.items():
        assert f"{name}  " in doc and entry.about["en"] in doc and entry.about["id"] in doc
    assert "Example:" in doc


def test_every_public_method_documents_itself_with_an_example():
    public = [n for n, _ in inspect.getmembers(Report, inspect.isfunction) if n[0] != "_"]
    assert {"cover", "kpis", "summary", "chart", "table", "data", "figure", "table_from"} <= set(
        public
    )
    for name in public:
        doc = inspect.getdoc(getattr(Report, name)) or ""
        assert doc, name
        if name != "default_title":
            assert "Example: ``" in doc, name
    assert "Example: ``r = open_report(" in (book.open_report.__doc__ or "")


def test_every_chart_and_table_has_its_numbers():
    assert set(CHARTS) | set(TABLES) == set(DATA)
    # one registry each: book reads charts.CHARTS and tables.TABLES, holds no copy
    collections = [v for v in vars(book).values() if isinstance(v, (tuple, list, set, dict))]
    strings = [{s for s in v if isinstance(s, str)} for v in collections]
    copies = [s for s in strings if set(CHARTS) <= s or set(TABLES) <= s]
    assert copies == [] and "CHARTS" not in vars(book) and "TABLES" not in vars(book)


def test_chart_and_table_draw_from_the_catalogue(r, region):
    for name in CHARTS:
        chart = region.chart(name)
        assert isinstance(chart, Chart) and chart.name == name
    for name in TABLES:
        assert isinstance(region.table(name), Table)
    with pytest.raises(ValueError, match="choose from membership, target"):
        r.chart("membershp")
    with pytest.raises(ValueError, match="unknown table 'segment'; choose from ageing"):
        r.table("segment")


# -- r.data -----------------------------------------------------------------------------------


def test_data_without_a_name_lists_the_names(r):
    listed = r.data()
    assert list(listed.name) == list(DATA)
    assert listed.description.str.len().gt(10).all()
    with pytest.raises(ValueError, match="unknown data set"):
        r.data("nope")


@pytest.mark.parametrize("name", list(DATA))
def test_data_is_tidy_and_numeric(r, region, name):
    for report in (r, region):
        frame = report.data(name)
        assert isinstance(frame, pd.DataFrame)
        assert frame.columns[-1] == "suppressed" and frame.suppressed.dtype == bool
        for col in frame.columns:
            values = frame[col].dropna()
            # numbers are numbers: no formatted strings, no "< 5" left in a column
            assert not values.isin([SMALL, "–"]).any(), (name, col)
            if col in ("registered", "active", "members", "payments", "amount", "share"):
                assert pd.api.types.is_numeric_dtype(frame[col]), (name, col)


def test_membership_numbers_are_the_unit_s(r):
    frame = r.data("membership")
    last = frame.iloc[-1]
    assert last.period == "2017-07" and last.registered == r.unit.summary["registered"]
    assert last.active + last.in_arrears + last.inactive == last.registered


def test_small_cells_are_suppressed_by_default(r):
    raw = r.unit.outreach
    small = raw[raw.registered < 5]
    assert not small.empty, "the hand-made warehouse has an event with < 5 registrations"
    event = small.event_id.iloc[0]
    shown = r.data("events").set_index("event_id").loc[event]
    assert shown.suppressed and np.isnan(shown.registered) and np.isnan(shown.conversion)
    assert shown.potential == small.potential.iloc[0]  # an estimate, never suppressed
    unsuppressed = r.data("events", unsuppressed=True).set_index("event_id").loc[event]
    assert unsuppressed.suppressed and unsuppressed.registered == small.registered.iloc[0]
    # the same dtypes either way: a frame's shape never depends on the flag
    assert (r.data("events").dtypes == r.data("events", unsuppressed=True).dtypes).all()


def test_the_raw_numbers_come_with_the_privacy_rule(r):
    doc = inspect.getdoc(Report.data)
    assert "unsuppressed=True" in doc and "never publish" in doc and "under 5" in doc
    assert "unsuppressed" in inspect.signature(Report.data).parameters
    with pytest.raises(TypeError):
        r.data("events", True)  # keyword only: nobody gets raw numbers by accident


# -- house-style charts of one's own ----------------------------------------------------------


def test_figure_sizes_for_the_a4_text_width():
    fig, _ax = house.figure("full")
    assert tuple(fig.get_size_inches()) == pytest.approx((6.7, 2.6))
    fig, axes = house.figure("half", height=3, ncols=2)
    assert tuple(fig.get_size_inches()) == pytest.approx((3.2, 3.0)) and len(axes) == 2
    with pytest.raises(ValueError, match="'full' or 'half'"):
        house.figure("wide")  # type: ignore[arg-type]


def test_style_applies_only_inside_its_block():
    before = dict(mpl.rcParams)
    with house.style():
        assert mpl.rcParams["font.size"] == FONT_SIZE
        assert mpl.rcParams["svg.fonttype"] == "none"
    assert dict(mpl.rcParams) == before


def test_number_axis_in_the_report_language():
    _fig, ax = house.figure("half")
    ax.plot([0, 20000], [0, 0.6])
    for lang, expect in (("id", "16.800"), ("en", "16,800")):
        house.number_axis(ax, lang, axis="x")
        assert ax.xaxis.get_major_formatter()(16800, 0) == expect
    house.number_axis(ax, "id", kind="pct")
    assert ax.yaxis.get_major_formatter()(0.6, 0) == "60%"
    with pytest.raises(ValueError, match="unknown kind"):
        house.number_axis(ax, "id", kind="percent")  # type: ignore[arg-type]


def test_a_seaborn_chart_becomes_a_report_chart(r):
    segments = r.data("segments")
    with house.style():
        fig, ax = house.figure("full")
        sns.barplot(data=segments, x="value", y="registered", ax=ax)
        house.number_axis(ax, "id")
        ax.set_title("Peserta per segmen")
    chart = r.figure(fig)
    assert isinstance(chart, Chart) and chart.title == "Peserta per segmen"
    assert chart.svg.startswith("<svg") and "<title>Peserta per segmen</title>" in chart.svg
    assert 'width="482.4pt"' in chart.svg  # 6.7 in: the A4 text width
    assert ">Peserta per segmen</text>" in chart.svg  # text stays text: searchable in the PDF


def test_show_closes_a_pyplot_figure_so_it_is_not_shown_twice(capsys):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_title("Sekali saja")
    house.show(fig)
    assert fig.number not in plt.get_fignums()
    assert ">Sekali saja</text>" in capsys.readouterr().out  # displayed (as text, outside IPython)


# -- house-style tables of one's own ----------------------------------------------------------


def test_house_table_formats_numbers_in_the_report_language():
    frame = pd.DataFrame(
        {"segment": ["petani", "nelayan"], "registered": [16800, 3], "active_share": [0.6, 0.5]}
    )
    html = house.table(
        frame, "id", suppress=["registered"], withhold={"active_share": ["registered"]}
    ).to_html()
    assert '<td class="num">16.800</td>' in html and '<td class="num">60,0%</td>' in html
    assert f'<td class="num">{SMALL}</td>' in html.replace("&lt;", "<")
    assert '<td class="num">–</td>' in html  # the rate of a suppressed count is withheld
    assert "kurang dari 5 peserta" in html  # the privacy footnote comes with it
    assert '<th class="num">registered</th>' in html and '<th class="txt">segment</th>' in html
    english = house.table(frame.head(1), "en", labels={"registered": "Registered"}).to_html()
    assert "16,800" in english and "60.0%" in english and ">Registered</th>" in english
    assert ">0</td>" not in english  # no index column


def test_a_frame_from_data_shows_its_suppressed_cells_as_small(r):
    html = r.table_from(r.data("events")).to_html().replace("&lt;", "<")
    assert f">{SMALL}<" in html and ">suppressed<" not in html


# -- plain DataFrames and any output in the PDF -----------------------------------------------


def test_plain_frames_display_with_grouped_numbers_and_no_default_index():
    frame = pd.DataFrame({"period": ["2017-07"], "amount": [121720000.0], "n": [16800]})
    html = house.frame_html(frame, "id")
    assert "121.720.000" in html and "16.800" in html and "121720000.0" not in html
    assert "<th>0</th>" not in html  # the default index is left out
    grouped = house.frame_html(frame.set_index("period"), "id")
    assert "2017-07</th>" in grouped  # a meaningful index stays
    assert not house.configure_display("id")  # outside IPython nothing changes
    assert pd.get_option("display.float_format") is None


def _png(width_in: float) -> str:
    fig = Figure(figsize=(width_in, 1))
    fig.add_subplot().plot([0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return base64.b64encode(buf.getvalue()).decode()


def _placed_images(data: bytes) -> list[float]:
    """The width (points) each image of the PDF's pages is drawn at: the current
    transformation matrix where the page draws an image XObject."""
    widths = []
    for page in PdfReader(io.BytesIO(data)).pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for args, op, ctm in operations(page.get_contents(), page.pdf):
            if op == b"Do" and xobjects[args[0]].get_object().get("/Subtype") == "/Image":
                widths.append(abs(ctm[0]))
    return widths


def test_wide_images_and_tables_fit_the_a4_text_width():
    frame = pd.DataFrame({"amount": [121720000.0], "n": [16800]})
    cells = [
        new_code_cell(
            outputs=[new_output("display_data", data={"image/png": _png(20), "text/plain": "x"})]
        ),
        new_code_cell(
            outputs=[
                new_output(
                    "execute_result",
                    data={"text/html": frame.to_html(), "text/plain": "df"},
                    execution_count=1,
                )
            ]
        ),
    ]
    html = to_html(new_notebook(cells=cells), lang="id", title="t", variant="print")
    data = pdf.to_pdf(html)
    text_width = (210 - 2 * 17) * 72 / 25.4  # points: A4 less the page margins
    (width,) = _placed_images(data)
    assert text_width - 0.5 <= width <= text_width + 0.5  # 20 in wide, shrunk to fit
    words = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    right = {
        w: float(x1) for x1, w in re.findall(r'xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>', words)
    }
    # the DataFrame's numbers right-aligned under their headings, as in JupyterLab
    assert abs(right["121720000.0"] - right["amount"]) < 0.5
    assert abs(right["16800"] - right["n"]) < 0.5


# -- the cover's title and the portal ---------------------------------------------------------


def test_cover_title_defaults_to_the_report_title_and_is_recorded(metrics):
    r = Report(unit(metrics, "branch", "A"), "id")
    assert "<h1>Laporan Bulanan Peserta BPU</h1>" in r.cover().html
    assert r.kpis().data["title"] == "Laporan Bulanan Peserta BPU"
    assert "<h1>Profil &lt;Segmen&gt;</h1>" in r.cover(title="Profil <Segmen>").html
    assert r.kpis().data["title"] == "Profil <Segmen>"


def _manifest(tmp_path, entries):
    (tmp_path / "2017-07").mkdir()
    base = {"kind": "branch", "region_code": "R1", "name": "KC Alpha", "status": "ok"}
    reports = [{**base, **e} for e in entries]
    (tmp_path / "2017-07" / "manifest.json").write_text(json.dumps({"reports": reports}))
    return render_portal(tmp_path)


def test_portal_names_an_office_s_reports_by_their_titles(tmp_path):
    page = _manifest(
        tmp_path,
        [
            {"code": "A", "key": "A/branch_monthly", "kpis": {"title": "Laporan Bulanan"}},
            {"code": "A", "key": "A/custom_section", "kpis": {"title": "Dari sampul"}},
            {
                "code": "A",
                "key": "A/custom_section.en",
                "title": "From the spec",
                "kpis": {"title": "From the cover"},
                "lang": "en",
            },
            {"code": "A", "key": "A/outreach", "notebook": "outreach_special.ipynb"},
            {"code": "B", "key": "B/branch_monthly", "kpis": {"title": "Laporan Bulanan"}},
        ],
    )
    assert 'KC Alpha (A) — <span class="title">Laporan Bulanan</span>' in page
    assert ">Dari sampul</span>" in page and ">From the spec</span> [en]" in page
    assert ">outreach special</span>" in page  # no title anywhere: the notebook's name
    assert "KC Alpha (B)</td>" in page  # an office with one report needs no name


def test_spec_title_is_optional_and_reaches_the_plan(tmp_path):
    nb = tmp_path / "custom.ipynb"
    nb.write_text(json.dumps(_parameters_notebook()))
    (tmp_path / "other.ipynb").write_text(json.dumps(_parameters_notebook()))
    path = tmp_path / "spec.yaml"
    path.write_text(
        "reports:\n"
        "  - {notebook: custom.ipynb, per: branch, title: Profil segmen}\n"
        "  - {notebook: other.ipynb, per: branch, languages: [en]}\n"
    )
    run_spec = spec.load(path)
    branches = [Branch("A", "KC Alpha", "KC", "R1", "R")]
    jobs = plan.plan(run_spec, branches, "2017-07", "v1", with_regions=False)
    assert [j.title for j in jobs] == ["Profil segmen", None]
    assert jobs[0].to_dict()["title"] == "Profil segmen"
    # the worker copies it into the manifest entry, whatever the report's outcome (here the
    # notebook is gone, so the report fails at once)
    nb.unlink()
    entry = run_job(jobs[0].to_dict(), str(tmp_path / "out"), "", 5)
    assert entry["status"] == "failed" and entry["title"] == "Profil segmen"
    assert "title" not in run_job(jobs[1].to_dict(), str(tmp_path / "out"), "", 5)
    path.write_text("reports:\n  - {notebook: custom.ipynb, per: branch, title: ''}\n")
    with pytest.raises(spec.SpecError, match=r"reports\.0\.title"):
        spec.load(path)


def _parameters_notebook():
    cell = new_code_cell('branch = "A"\nperiod = "2017-07"\nlang = "id"\nmetrics_file = ""')
    cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    return nb
