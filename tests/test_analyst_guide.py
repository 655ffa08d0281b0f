"""docs/analyst-guide.md, executed: its Python recipes in order, the example notebook that
uses them all (notebooks/examples/custom_section.ipynb) through ``bpu-reports run`` and
through ``bpu-reports generate`` with tests/fixtures/analyst_spec.yaml, its chart and tables
checked in the HTML and read back from the PDF."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from bpu_reports.cli import main
from bpu_reports.report import formats as f
from bpu_reports.report import open_report
from bpu_reports.run import parameters

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "analyst-guide.md"
EXAMPLE = ROOT / "notebooks" / "examples" / "custom_section.ipynb"
SPEC = ROOT / "tests" / "fixtures" / "analyst_spec.yaml"
CHART_TITLE = {"id": "Terdaftar dan aktif per segmen", "en": "Registered and active by segment"}


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def test_the_guide_s_python_recipes_run_in_order(bali_db, capsys):
    namespace: dict[str, object] = {"db": str(bali_db)}
    code = blocks("python")
    assert len(code) >= 6
    for block in code:
        exec(compile(block, str(GUIDE), "exec"), namespace)
    shown = capsys.readouterr().out
    assert "<svg" in shown and "Peserta terdaftar per segmen</text>" in shown  # house.show


def test_the_guide_names_what_exists():
    text = GUIDE.read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^lab: setup\n\t@\$\(BIN\)/jupyter lab --notebook-dir=\. ", makefile, re.M)
    assert "--allow-root" in makefile and "make lab" in text
    assert "bpu-reports db status" in text
    for key in ("notebook:", "per:", "formats:", "languages:", "title:"):
        assert key in text and key in (ROOT / "parameters" / "monthly.yaml").read_text()
    for name in ("branch", "period", "lang", "metrics_file"):
        assert f"`{name}`" in text


def test_the_example_notebook_is_committed_clean_with_a_parameters_cell():
    nb = nbformat.read(EXAMPLE, as_version=4)
    assert all(
        not c.get("outputs") and not c.get("execution_count")
        for c in nb.cells
        if c.cell_type == "code"
    )
    assert set(parameters.declared(EXAMPLE)) >= {"branch", "period", "lang", "db", "metrics_file"}
    tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
    assert tags.count("parameters") == 1 and "lang-id" in tags and "lang-en" in tags
    source = "\n".join(c.source for c in nb.cells)
    for call in (
        "house.style()",
        "house.figure(",
        "house.number_axis(",
        "house.show(",
        "r.data(",
        "r.table_from(",
        "r.cover(title=",
    ):
        assert call in source, call


@pytest.fixture(scope="module")
def ran(bali_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("analyst")
    code = main(
        [
            "--db",
            str(bali_db),
            "--out",
            str(out),
            "run",
            str(EXAMPLE),
            "--branch",
            "DPS",
            "--period",
            "2017-07",
        ]
    )
    assert code == 0
    return out / "2017-07" / "DPS"


@pytest.fixture(scope="module")
def generated(bali_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("analyst-batch")
    code = main(
        [
            "--db",
            str(bali_db),
            "--out",
            str(out),
            "--quiet",
            "generate",
            "--period",
            "2017-07",
            "--scope",
            "DPS",
            "--spec",
            str(SPEC),
            "--workers",
            "1",
        ]
    )
    assert code == 0
    return out


def _chart_cell(html: str, lang: str) -> str:
    """The HTML of the figure whose SVG carries the chart's title."""
    figures = re.findall(r'<figure class="bpu-chart">(.*?)</figure>', html, re.S)
    mine = [f for f in figures if f"<title>{CHART_TITLE[lang]}</title>" in f]
    assert len(mine) == 1
    return mine[0]


@pytest.fixture(scope="module")
def numbers(bali_db):
    """The first segment row and the report month's membership, as the notebook shows them."""
    r = open_report("branch", "DPS", "2017-07", db=str(bali_db))
    return r.data("segments").iloc[0], r.data("membership").iloc[-1]


def check_report(folder: Path, stem: str, lang: str, numbers) -> None:
    html = (folder / f"{stem}.html").read_text(encoding="utf-8")
    assert _chart_cell(html, lang).lstrip().startswith("<svg")
    assert re.search(r'<th class="(txt|num)">(Segmen|Segment)</th>', html)
    pdf = pdf_text(folder / f"{stem}.pdf")
    cover = {"id": "Profil Segmen Peserta", "en": "Member Segments"}[lang]
    assert html.count(cover) >= 1 and cover in pdf
    assert CHART_TITLE[lang] in pdf  # the chart's text, kept as text in the PDF
    segment, month = numbers
    if lang == "id":
        assert "Segmen Terdaftar Aktif Rasio aktif" in pdf  # the house table's header
        assert "Peserta per segmen" in pdf and "Members by segment" not in pdf
    else:
        assert "Segment Registered Active Active share" in pdf
        assert "Members by segment" in pdf and "Peserta per segmen" not in pdf
    row = " ".join(
        [
            segment.value,
            f.number(segment.registered, lang),
            f.number(segment.active, lang),
            f.percent(segment.active_share, lang),
        ]
    )
    assert row in pdf  # the house table: formatted in the report language
    # the plain DataFrame: grouped numbers, no float noise, no default index
    assert f"2017-07 {f.number(month.registered, lang)} {f.number(month.active, lang)}" in pdf
    assert {"id": "16.800", "en": "16,800"}[lang] in pdf
    assert "16800.0" not in pdf and "16800" not in pdf
    assert "<th>12</th>" not in html  # .tail(3)'s index left out


def test_run_renders_the_example(ran, numbers):
    check_report(ran, "custom_section", "id", numbers)


def test_generate_adds_the_example_to_the_monthly_run(generated, numbers):
    folder = generated / "2017-07" / "DPS"
    check_report(folder, "custom_section", "id", numbers)
    check_report(folder, "custom_section.en", "en", numbers)
    manifest = json.loads((generated / "2017-07" / "manifest.json").read_text())
    titles = {e["key"]: e["kpis"].get("title") for e in manifest["reports"]}
    assert titles == {
        "DPS/branch_monthly": "Laporan Bulanan Peserta BPU",
        "DPS/custom_section": "Profil Segmen Peserta",
        "DPS/custom_section.en": "Member Segments",
    }
    portal = (generated / "index.html").read_text()
    for title in titles.values():
        assert f'<span class="title">{title}</span>' in portal


def test_make_lab_is_a_target():
    dry = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True)
    assert dry.returncode == 0 and "jupyter lab --notebook-dir=." in dry.stdout
