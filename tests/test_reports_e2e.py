"""Report notebooks executed end to end on the Bali demo warehouse, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from bpu_reports.cli import main
from bpu_reports.data import store
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.period import Period
from bpu_reports.report import formats as f
from bpu_reports.report.kpi import MIMETYPE
from bpu_reports.run.single import read_kpis
from privacy import leaks

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
BRANCH_NB = str(ROOT / "notebooks" / "branch_monthly.ipynb")
REGION_NB = str(ROOT / "notebooks" / "region_monthly.ipynb")
NATIONAL_NB = str(ROOT / "notebooks" / "national_monthly.ipynb")


def pdf_text(path: Path) -> str:
    """The PDF's text with runs of white space (line breaks in table cells) folded."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def run(bali_db, out, *args):
    return main(["--db", str(bali_db), "--out", str(out), "run", *args])


@pytest.fixture(scope="module")
def reports(bali_db, tmp_path_factory):
    """DPS (id, html+pdf), DPS (en, html), the quietest office, the region report and the
    national report."""
    out = tmp_path_factory.mktemp("reports")
    con = store.connect(bali_db)
    quiet = con.execute(
        """SELECT branch_code FROM participants WHERE registered_on <= DATE '2017-07-31'
           GROUP BY branch_code ORDER BY count(*) LIMIT 1"""
    ).fetchone()[0]
    con.close()
    codes = {
        "dps": run(bali_db, out, BRANCH_NB, "--branch", "DPS", "--period", "2017-07"),
        "quiet": run(bali_db, out, BRANCH_NB, "--branch", quiet, "--period", "2017-07"),
        "region": run(bali_db, out, REGION_NB, "--region", "BANUSPA", "--period", "2017-07"),
        "national": run(bali_db, out, NATIONAL_NB, "--national", "--period", "2017-07"),
        "en": run(
            bali_db,
            out / "en",
            BRANCH_NB,
            "--branch",
            "DPS",
            "--period",
            "2017-07",
            "--lang",
            "en",
            "--format",
            "html",
        ),
    }
    return out, quiet, codes


@pytest.fixture(scope="module")
def nation(bali_db):
    """The national unit of July 2017, to read the figures the region and national reports
    must show."""
    con = store.connect(bali_db)
    try:
        return unit(compute(con, Period(2017, 7), resolve(con)), "national", "NATIONAL")
    finally:
        con.close()


def test_every_report_ran(reports):
    out, quiet, codes = reports
    assert codes == {"dps": 0, "quiet": 0, "region": 0, "national": 0, "en": 0}
    for code, name in (
        ("DPS", "branch_monthly"),
        (quiet, "branch_monthly"),
        ("BANUSPA", "region_monthly"),
        ("NATIONAL", "national_monthly"),
    ):
        for suffix in ("ipynb", "html", "pdf"):
            assert (out / "2017-07" / code / f"{name}.{suffix}").stat().st_size > 1000
    assert not list(out.rglob("*.tmp")), "no temporary file may be left behind"


def test_dps_pdf_shows_the_seed_figures(reports):
    out, _, _ = reports
    folder = out / "2017-07" / "DPS"
    kpis = read_kpis(nbformat.read(folder / "branch_monthly.ipynb", as_version=4))
    text = pdf_text(folder / "branch_monthly.pdf")
    assert 16_632 <= kpis["registered"] <= 16_968  # 16.800 ± 1 %
    for value in (
        f.number(kpis["registered"]),
        f.number(kpis["active"]),
        f.percent(kpis["on_time_rate"]),
        "Juli 2017",
        "KC Bali Denpasar",
        "Lapangan Puputan Renon",
        "2.000",
        "450",
        "30.000",
        "tidak akan tercapai",
        "DATA DEMO",
        "Halaman 1 dari",
        "Daftar isi",
    ):
        assert value in text, value


def test_html_is_self_contained_without_code(reports):
    out, _, _ = reports
    html = (out / "2017-07" / "DPS" / "branch_monthly.html").read_text()
    assert "open_report(" not in html and "r.chart(" not in html
    assert "jp-InputArea" not in html and "jp-Notebook" not in html
    assert "<script" not in html and 'src="http' not in html and "<link" not in html
    assert 'name="viewport"' in html and "<svg" in html


def test_english_edition(reports):
    out, _, _ = reports
    html = (out / "en" / "2017-07" / "DPS" / "branch_monthly.html").read_text()
    assert "July 2017" in html and "Executive summary" in html
    assert (
        "Ringkasan eksekutif" not in html
        and not (out / "en" / "2017-07" / "DPS" / "branch_monthly.pdf").exists()
    )


def test_quiet_office_renders_tidak_ada(reports):
    out, quiet, _ = reports
    html = (out / "2017-07" / quiet / "branch_monthly.html").read_text()
    assert "tidak ada" in html.lower() or "Tidak ada sosialisasi" in html


def test_region_report_ranks_its_branches(reports, nation):
    out, _, _ = reports
    text = pdf_text(out / "2017-07" / "BANUSPA" / "region_monthly.pdf")
    assert "KC Bali Denpasar (DPS)" in text and "Kantor cabang" in text
    # the first page a regional head reads: who is behind target, who moved, then the ranking
    behind = text.index("Kantor cabang di bawah target Kantor cabang yang proyeksi")
    moved = text.index("Perubahan terbesar bulan ini Kantor cabang dengan kenaikan")
    assert behind < moved < text.index("Peringkat menurut peserta aktif")
    # the one region is the whole demo: its branches are the nation's
    worst = nation.branches.sort_values("target_gap_share").iloc[0]
    assert worst.target_gap < 0
    row = [
        f"{worst.branch_name} ({worst.branch_code})",
        f.number(worst.target),
        f.number(worst.projection_december),
        f.number(-worst.target_gap),
        f.percent(worst.target_progress),
    ]
    assert " ".join(row) in text
    top = nation.branches.sort_values("active_change", ascending=False).iloc[0]
    assert top.active_change > 0
    row = [
        f"Naik {top.branch_name} ({top.branch_code})",
        f.number(top.active_prev),
        f.number(top.active),
        f.signed(top.active_change),
    ]
    assert " ".join(row) in text


def test_national_report_ranks_the_regions(reports, nation):
    out, _, _ = reports
    text = pdf_text(out / "2017-07" / "NATIONAL" / "national_monthly.pdf")
    assert "Laporan Bulanan Peserta BPU — Nasional" in text
    for heading in ("Kantor wilayah", "Kantor cabang di bawah target", "Perubahan terbesar"):
        assert heading in text, heading
    # the Bali demo's one region, ranked first, then the nation's total: the same figures
    (region,) = nation.regions.itertuples()
    assert region.region_name == "Bali, Nusa Tenggara, Papua"
    figures = [
        f.number(region.branches),
        f.number(region.registered),
        f.number(region.active),
        f.percent(region.on_time_rate),
        f.signed(region.net_change),
        f.percent(region.target_progress),
        f.signed(region.target_gap),
    ]
    assert f"1 {region.region_name} ({region.region_code}) {' '.join(figures)}" in text
    assert f"Total {' '.join(figures)}" in text
    assert f.number(nation.summary["registered"]) == figures[1]
    worst = nation.branches.sort_values("target_gap_share").iloc[0]
    assert f"{worst.branch_name} ({worst.branch_code}) {region.region_name}" in text


def test_no_personal_data_in_any_output(reports, bali_db):
    out, _, _ = reports
    con = store.connect(bali_db)
    people = con.execute("SELECT nik, full_name, phone FROM participants").fetchall()
    con.close()
    texts = []
    for path in out.rglob("*"):
        if path.suffix in (".html", ".ipynb", ".json"):
            texts.append(path.read_text())
        elif path.suffix == ".pdf":
            texts.append(pdf_text(path))
    assert len(texts) >= 10
    assert leaks(texts, people) == set()


def test_the_privacy_scan_finds_a_planted_name(bali_db):
    con = store.connect(bali_db)
    nik, name = con.execute("SELECT nik, full_name FROM participants LIMIT 1").fetchone()
    con.close()
    assert leaks([f"<td>{name}</td>", f"NIK {nik}."], [(nik, name)]) == {nik, name.lower()}


def test_executed_notebook_keeps_only_aggregates(reports):
    out, _, _ = reports
    nb = nbformat.read(out / "2017-07" / "DPS" / "branch_monthly.ipynb", as_version=4)
    kinds = {k for c in nb.cells for o in c.get("outputs", []) for k in o.get("data", {})}
    assert MIMETYPE in kinds
    assert "application/vnd.dataresource+json" not in kinds  # no raw frames


def test_period_before_the_data_exits_2(bali_db, tmp_path, capsys):
    code = run(bali_db, tmp_path, BRANCH_NB, "--branch", "DPS", "--period", "2014-07")
    err = capsys.readouterr().err
    assert code == 2 and "outside the warehouse's data" in err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-p", "colour=red"], "has no parameter 'colour'"),
        (["-p", "period=2017-08"], "clashes with the --period option"),
        (["-p", "oops"], "is not NAME=VALUE"),
        (["--lang", "fr"], "--lang 'fr'"),
        (["--format", "docx"], "choose from html, pdf"),
    ],
)
def test_parameter_errors_exit_2_before_a_kernel_starts(bali_db, tmp_path, capsys, extra, message):
    code = run(bali_db, tmp_path, BRANCH_NB, "--branch", "DPS", "--period", "2017-07", *extra)
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_branch_option_on_region_notebook(bali_db, tmp_path, capsys):
    code = run(bali_db, tmp_path, REGION_NB, "--branch", "DPS", "--period", "2017-07")
    assert code == 2 and "use --region" in capsys.readouterr().err


def test_json_metrics_match_the_report(bali_db, reports, capsys):
    out, _, _ = reports
    assert (
        main(["--db", str(bali_db), "metrics", "--branch", "DPS", "--period", "2017-07", "--json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    kpis = read_kpis(nbformat.read(out / "2017-07" / "DPS" / "branch_monthly.ipynb", as_version=4))
    assert data["registered"] == kpis["registered"] and data["active"] == kpis["active"]
