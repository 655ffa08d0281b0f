"""After the Bali demo batch, no personal identifier of the warehouse is in any output: reports
(HTML, PDF), executed notebooks, manifest, portal, log file or console; notebooks keep
aggregates only; small breakdown cells read "< 5"."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from hardening_support import MONTHLY, leftovers
from pypdf import PdfReader

from bpu_reports.cli import main
from bpu_reports.data import store
from bpu_reports.metrics.privacy import SMALL, THRESHOLD
from bpu_reports.report.charts import NARROW_SVG
from privacy import leaks

pytestmark = pytest.mark.slow
MAX_TABLE_ROWS = 60
PERSONAL = ("participant_id", "nik", "full_name", "phone")


def xlsx_text(path: Path) -> str:
    """Every cell of every sheet of a workbook, as text."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return " ".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    finally:
        book.close()


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


@pytest.fixture(scope="module")
def batch(bali_db, tmp_path_factory):
    """Every Bali report of July 2017 (HTML and PDF), with what the batch printed."""
    out = tmp_path_factory.mktemp("privacy")
    console = io.StringIO()
    with contextlib.redirect_stderr(console), contextlib.redirect_stdout(console):
        code = main(
            [
                *["--db", str(bali_db), "--out", str(out), "generate", "--period", "2017-07"],
                *["--spec", str(MONTHLY), "--workers", "2"],
            ]
        )
    assert code == 0, console.getvalue()
    return out, console.getvalue()


@pytest.fixture(scope="module")
def people(bali_db) -> list[tuple[str, ...]]:
    con = store.connect(bali_db)
    try:
        members = con.execute("SELECT nik, full_name, phone FROM participants").fetchall()
        readers = con.execute("SELECT email, name FROM recipients").fetchall()
        assert readers, "the demo names who receives the reports"
        return members + readers
    finally:
        con.close()


def outputs(out: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        found.setdefault(path.suffix, []).append(path)
    return found


def test_the_scan_finds_a_planted_identifier(people):
    nik, name, phone = people[0]
    assert leaks([f"<td>{name}</td> {nik} tel. {phone}"], people) == {nik, name.lower(), phone}


def test_no_personal_data_in_any_output(batch, people):
    out, _ = batch
    files = outputs(out)
    # 8 branches, the region and the nation; the portal is the one more HTML
    assert len(files[".pdf"]) == len(files[".html"]) - 1 == 10
    assert len(files[".ipynb"]) == 10 and files[".json"] and files[".log"]
    texts = [pdf_text(p) for p in files[".pdf"]]
    texts += [
        p.read_text() for suffix in (".html", ".ipynb", ".json", ".log") for p in files[suffix]
    ]
    texts += [xlsx_text(p) for p in files[".xlsx"]]
    assert files[".xlsx"], "the monthly run writes workbooks"
    assert leaks(texts, people) == set()
    assert not set(files) - {".pdf", ".html", ".ipynb", ".json", ".log", ".lock", ".xlsx"}
    assert leftovers(out) == []  # the per-report metrics files are gone too


def test_logs_and_console_carry_no_personal_data(batch, people):
    out, console = batch
    [log] = (out / "2017-07" / "logs").glob("generate-*.log")
    text = log.read_text()
    assert "10 ok, 0 failed, 0 skipped" in text and "10 ok, 0 failed" in console
    assert leaks([text, console], people) == set()
    for word in PERSONAL:
        assert word not in text and word not in console


def _notebook_outputs(path: Path) -> list[dict]:
    nb = json.loads(path.read_text())
    return [o for cell in nb["cells"] for o in cell.get("outputs", [])]


def test_executed_notebooks_keep_aggregates_only(batch):
    out, _ = batch
    largest = 0
    for path in (out / "2017-07").rglob("*.ipynb"):
        for output in _notebook_outputs(path):
            assert output["output_type"] in ("execute_result", "display_data"), path
            data = output.get("data", {})
            assert set(data) <= {
                "text/html",
                "text/plain",
                "image/svg+xml",
                NARROW_SVG,
                "application/vnd.bpu-reports.kpis+json",
                "application/vnd.bpu-reports.table+json",
            }
            page = "".join(data.get("text/html", ""))
            for table in re.findall(r"<table.*?</table>", page, re.S):
                largest = max(largest, len(re.findall(r"<tr[ >]", table)))
            plain = "".join(data.get("text/plain", ""))
            assert "frame=" not in plain and "DataFrame" not in plain  # no frame dumps
            for word in PERSONAL:
                assert not re.search(rf"\b{word}\b", page + plain), (path, word)
    assert 5 <= largest <= MAX_TABLE_ROWS


def _breakdown_tables(page: str) -> list[list[list[str]]]:
    """The segment and channel tables of a branch report (found by their first header):
    rows of cell texts, header first."""
    found = []
    for table in re.findall(r"<table[^>]*>(.*?)</table>", page, re.S):
        rows = [
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
            for row in re.findall(r"<tr.*?</tr>", table)
        ]
        if rows and rows[0][:1] in (["Segmen"], ["Kanal"]):
            found.append(rows)
    return found


def test_small_breakdown_cells_read_less_than_5(batch, bali_db):
    out, _ = batch
    small_cells = 0
    for path in (out / "2017-07").glob("*/branch_monthly.html"):
        tables = _breakdown_tables(path.read_text())
        assert len(tables) == 2, path  # segments and channels
        for header, *rows in tables:
            assert header[1:4] == ["Peserta terdaftar", "Peserta baru", "Peserta aktif"]
            for row in rows:
                for cell in row[1:4]:  # registered, new, active
                    if cell == "&lt; 5":
                        small_cells += 1
                    else:
                        assert int(cell.replace(".", "")) >= THRESHOLD, (path, row)
    assert small_cells > 0
    klk = (out / "2017-07" / "KLK" / "branch_monthly.html").read_text()  # the smallest office
    assert SMALL.replace("<", "&lt;") in klk
