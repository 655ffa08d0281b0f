"""Hostile text in the data (names, event titles and venues holding HTML, quotes and template
syntax) is shown as text in the HTML, the PDF and the portal; output paths stay inside
``--out``."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from hardening_support import BRANCH_NB, FIXTURES, LIGHT_NB, REGION_NB, manifest
from pypdf import PdfReader

from bpu_reports.cli import main
from bpu_reports.errors import BpuReportsError
from bpu_reports.publish import inside
from bpu_reports.render.portal import write_portal
from factories import build_warehouse
from handmade import handmade_tables

BRANCH_NAME = "KC <script>alert(1)</script> {{ 7*7 }}"
REGION_NAME = "Wilayah \"Satu\" & 'Dua' {% raw %}"
EVENT_TITLE = "<img src=x onerror=alert(1)> {{ 7*7 }}"
EVENT_VENUE = 'Balai "Banjar" <b>Kaja</b> {% endraw %}'
HOSTILE = (BRANCH_NAME, REGION_NAME, EVENT_TITLE, EVENT_VENUE)
TAGS = re.compile(r"<\s*(script|img|b)\b", re.I)  # tags only the data could have brought


def hostile_tables() -> dict[str, list[dict]]:
    tables = handmade_tables()
    for row in tables["branches"]:
        if row["branch_code"] == "A":
            row["branch_name"] = BRANCH_NAME
    tables["regions"][0]["region_name"] = REGION_NAME
    for row in tables["outreach_events"]:
        row["title"], row["venue"] = EVENT_TITLE, EVENT_VENUE
    return tables


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("hostile") / "bpu.duckdb", hostile_tables())


def pdf_text(path: Path) -> str:
    """The PDF's text without any white space (line breaks may fall inside a name)."""
    return "".join("".join(p.extract_text() for p in PdfReader(path).pages).split())


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def reports(hostile_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile-out")
    common = ["--db", str(hostile_db), "--out", str(out), "run"]
    assert main([*common, str(BRANCH_NB), "--branch", "A", "--period", "2017-07"]) == 0
    assert (
        main([*common, str(REGION_NB), "--region", "R1", "--period", "2017-07", "--format", "pdf"])
        == 0
    )
    return out


@pytest.mark.slow
def test_hostile_text_is_text_in_the_html(reports):
    page = (reports / "2017-07" / "A" / "branch_monthly.html").read_text()
    assert not TAGS.search(page), TAGS.search(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    shown = html.unescape(page)
    for text in HOSTILE:
        assert text in shown, text  # shown verbatim: not parsed, not rendered as a template
    assert "KC <script>alert(1)</script> 49" not in shown
    assert f"<title>{html.escape(BRANCH_NAME, quote=False)}" in page


@pytest.mark.slow
def test_hostile_text_is_text_in_the_pdf(reports):
    branch = pdf_text(reports / "2017-07" / "A" / "branch_monthly.pdf")
    for text in HOSTILE:
        assert squeeze(text) in branch, text
    region = pdf_text(reports / "2017-07" / "R1" / "region_monthly.pdf")
    assert squeeze(BRANCH_NAME) in region and squeeze(REGION_NAME) in region


@pytest.mark.slow
def test_hostile_text_in_charts_is_escaped_svg_text(reports):
    nb = (reports / "2017-07" / "R1" / "region_monthly.ipynb").read_text()
    svgs = re.findall(r"<svg.*?</svg>", nb.replace("\\n", "\n").replace('\\"', '"'), re.S)
    assert svgs and not any(TAGS.search(svg) for svg in svgs)


@pytest.mark.slow
def test_portal_and_manifest_carry_no_script_from_the_data(hostile_db, tmp_path):
    out = tmp_path / "out"
    code = main(
        [
            *["--db", str(hostile_db), "--out", str(out), "generate", "--period", "2017-07"],
            *["--spec", str(FIXTURES / "hostile.yaml"), "--scope", "R1", "--workers", "2"],
        ]
    )
    assert code == 0
    portal = (out / "index.html").read_text()
    assert "<script" not in portal.lower() and not TAGS.search(portal)
    shown = html.unescape(portal)
    assert f"{BRANCH_NAME} (A)" in shown and f"{REGION_NAME} (R1)" in shown
    entries = manifest(out)
    assert entries["A/light_report"]["name"] == BRANCH_NAME  # kept as data, verbatim
    light = (out / "2017-07" / "A" / "light_report.html").read_text()
    assert not TAGS.search(light) and BRANCH_NAME in html.unescape(light)


# -- paths stay inside --out --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["../x", "2017-07/../../x", "2017-07/A/../../../x", "/etc/passwd", "/tmp"]
)
def test_publish_refuses_paths_outside_out(tmp_path, path):
    with pytest.raises(BpuReportsError, match="is outside the output folder"):
        inside(tmp_path / "out", Path(path))


def test_publish_accepts_paths_inside_out(tmp_path):
    out = tmp_path / "out"
    assert inside(out, Path("2017-07/A/branch_monthly")) == (
        out.resolve() / "2017-07" / "A" / "branch_monthly"
    )


def test_symlink_leading_out_of_out_is_refused_before_a_kernel_starts(cli, handmade_db, tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "2017-07").mkdir(parents=True)
    (out / "2017-07" / "A").symlink_to(elsewhere, target_is_directory=True)
    cli.refused(
        *["--db", handmade_db, "--out", out, "run", LIGHT_NB],
        *["--branch", "A", "--period", "2017-07", "--format", "html"],
        message="it is outside the output folder",
    )
    assert list(elsewhere.iterdir()) == []


def test_warehouse_codes_that_could_escape_a_path_are_refused(cli, tmp_path):
    """The importer enforces the code pattern; a warehouse built around it is checked too."""
    tables = handmade_tables()
    for name in ("branches", "participants", "outreach_events", "targets"):
        for row in tables[name]:
            if row.get("branch_code") == "B":
                row["branch_code"] = "../../evil"
    db = build_warehouse(tmp_path / "evil.duckdb", tables)
    out = tmp_path / "out"
    message = "the warehouse holds branch code '../../evil', which is not a valid code"
    cli.refused(
        *["--db", db, "--out", out, "generate", "--period", "2017-07"],
        *["--spec", FIXTURES / "hostile.yaml"],
        message=message,
    )
    cli.refused("--db", db, "metrics", "--region", "R1", "--period", "2017-07", message=message)
    assert not out.exists() and not (tmp_path / "evil").exists()


# -- the portal, from manifests it did not write --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "null",
        "[1, 2]",
        '{"reports": "x"}',
        '{"reports": [{"key": 1}]}',
        '{"reports": [{"kind": "branch", "code": ["A"], "region_code": "R1"}]}',
    ],
    ids=["not-json", "null", "a-list", "reports-text", "entry-without-keys", "code-not-text"],
)
def test_portal_survives_a_manifest_edited_by_hand(tmp_path, text):
    (tmp_path / "2016-01").mkdir()
    (tmp_path / "2016-01" / "manifest.json").write_text(text)
    page = write_portal(tmp_path).read_text()
    assert "Laporan Bulanan Peserta BPU" in page and "<td" not in page


def test_portal_drops_links_that_leave_the_output_folder(tmp_path):
    entry = {
        "kind": "branch",
        "code": "A",
        "region_code": "R1",
        "name": BRANCH_NAME,
        "status": "ok",
        "kpis": {"registered": "<b>13</b>", "active": [1], "on_time_rate": "x"},
        "outputs": {"html": "javascript:alert(1)", "pdf": "../../../etc/passwd"},
    }
    ok = {**entry, "code": "B", "outputs": {"html": "2016-01/B/branch_monthly.html"}}
    (tmp_path / "2016-01").mkdir()
    (tmp_path / "2016-01" / "manifest.json").write_text(json.dumps({"reports": [entry, ok]}))
    page = write_portal(tmp_path).read_text()
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs == ["2016-01/B/branch_monthly.html"]
    assert not TAGS.search(page) and "&lt;b&gt;13&lt;/b&gt;" in page
