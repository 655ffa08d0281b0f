"""Excel workbooks, read back with openpyxl: a report's (KPI sheet, then one sheet per table,
from the figures its tables carry as JSON) and the period's ``kpis.xlsx``; the ``xlsx``
format in run specs and ``run --format``.

The fast tests build workbooks from the hand-made warehouse's branch A (tests/handmade.py;
the same figures the KPI and table snapshots in tests/report show); the slow one runs the
DPS report of the Bali demo through ``bpu-reports generate``."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import get_args

import openpyxl
import pytest

from bpu_reports.cli import main
from bpu_reports.errors import ParameterError
from bpu_reports.metrics import unit
from bpu_reports.render import workbook
from bpu_reports.report import Report, house, kpi, tables
from bpu_reports.report.mimetypes import TABLE as TABLE_MIMETYPE
from bpu_reports.run import oneshot, single, spec

ROOT = Path(__file__).resolve().parents[2]
BRANCH_NB = ROOT / "notebooks" / "branch_monthly.ipynb"
FORBIDDEN = set("[]:*?/\\")


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet, first: int = 1) -> list[tuple]:
    return [tuple(r) for r in sheet.iter_rows(min_row=first, values_only=True)]


def valid_names(book: openpyxl.Workbook) -> bool:
    names = book.sheetnames
    return all(0 < len(n) <= 31 and not FORBIDDEN & set(n) and n[0] != "'" for n in names) and len(
        {n.lower() for n in names}
    ) == len(names)


@pytest.fixture(scope="module")
def branch_a(metrics):
    return unit(metrics, "branch", "A")


@pytest.fixture(scope="module")
def book_a(branch_a):
    """Branch A's workbook, made as the runner makes it: from what the cover and the tables
    display under their JSON mimetypes."""
    r = Report(branch_a, "id")
    cover = r.cover()._repr_mimebundle_()
    shown = [cover[TABLE_MIMETYPE]] + [
        r.table(name)._repr_mimebundle_()[TABLE_MIMETYPE]
        for name in ("ageing", "programs", "segments")
    ]
    data = workbook.report_workbook(cover[kpi.MIMETYPE], shown, lang="id", title="Cabang A")
    return read(data), cover[kpi.MIMETYPE]


# --- a report's workbook --------------------------------------------------------------------


def test_sheets_are_the_kpis_then_the_tables_in_report_order(book_a):
    book, _ = book_a
    assert book.sheetnames == ["KPI", "Umur tunggakan", "Iuran terkumpul per program", "Segmen"]
    assert valid_names(book)


def test_kpi_sheet_has_each_kpi_with_its_changes(book_a):
    book, kpis = book_a
    sheet = book["KPI"]
    assert sheet["A1"].value == "Cabang A"
    assert rows(sheet, 2)[0] == (
        "Indikator",
        "Nilai",
        "Perubahan vs bulan lalu",
        "Perubahan vs Juli 2016",
    )
    by_label = {r[0]: r[1:] for r in rows(sheet, 3)}
    # tests/handmade.py, as the KPI cards show it: 13 registered, +2 since June, +11 a year
    assert by_label["Peserta terdaftar"] == (13, 2, 11)
    assert by_label["Peserta aktif"] == (8, 0, 6)
    # 62.5 % after 100 % last month and a year before: −37.5 points, a number of points
    value, prev, year = by_label["Tingkat kepatuhan"]
    assert value == pytest.approx(0.625) and prev == pytest.approx(-37.5)
    assert year == pytest.approx(-37.5)
    assert by_label["Iuran terkumpul"] == (235_200, 84_000, 235_200)
    assert by_label["Capaian target"] == (pytest.approx(0.65), None, None)
    assert by_label["Target kepesertaan"][0] == 20
    # every number of the KPI record, the same as the manifest records
    assert by_label["Peserta terdaftar"][0] == kpis["registered"]
    assert by_label["Peserta aktif"][0] == kpis["active"]
    formats = {r[0].value: (r[1].number_format, r[2].number_format) for r in sheet.iter_rows(3)}
    assert formats["Peserta terdaftar"] == ("#,##0", "+#,##0;-#,##0;0")
    assert formats["Tingkat kepatuhan"] == ("0.0%", "+0.0;-0.0;0.0")
    assert formats["Iuran terkumpul"][0] == '"Rp"#,##0'


def test_table_sheet_numbers_are_numbers_with_formats(book_a):
    book, _ = book_a
    sheet = book["Iuran terkumpul per program"]
    assert sheet["A1"].value == "Iuran terkumpul per program"
    assert rows(sheet, 2) == [
        ("Program", "Jumlah", "Porsi"),
        ("JKK", 140_000, pytest.approx(140_000 / 235_200)),
        ("JKM", 95_200, pytest.approx(95_200 / 235_200)),
        ("JHT", 0, 0),
        ("Total", 235_200, 1),
    ]
    assert sheet["B3"].data_type == "n" and sheet["B3"].number_format == '"Rp"#,##0'
    assert sheet["C3"].number_format == "0.0%"
    assert sheet["A6"].font.b and sheet["B6"].font.b  # the total row
    assert sheet["A2"].font.b  # the header row: bold, frozen, filtered (not the total)
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:C5"


def test_suppressed_cells_are_text_aligned_with_the_numbers(book_a):
    book, _ = book_a
    sheet = book["Segmen"]
    header, *body = rows(sheet, 2)[:3]
    assert header == (
        "Segmen",
        "Peserta terdaftar",
        "Peserta baru",
        "Peserta aktif",
        "Rasio aktif",
        "Tingkat kepatuhan",
    )
    # the segments snapshot: Ojek online 8, < 5, 6, 75,0%, –; Pedagang pasar 5, < 5, < 5, –, –
    assert body == [
        ("Ojek online", 8, "< 5", 6, 0.75, "–"),
        ("Pedagang pasar", 5, "< 5", "< 5", "–", "–"),
    ]
    assert sheet["B3"].data_type == "n" and sheet["B3"].number_format == "#,##0"
    assert sheet["C3"].data_type == "s" and sheet["C3"].alignment.horizontal == "right"
    note = [r[0] for r in rows(sheet, 6) if r[0]]
    assert note and note[0].startswith("< 5: kurang dari 5 peserta")


def test_missing_values_are_empty_cells_and_text_columns_stay_text(book_a):
    book, _ = book_a
    sheet = book["Umur tunggakan"]
    # ageing: "4–6" months behind, 1 member, no arrears value (the snapshot shows "—")
    assert rows(sheet, 6)[0] == ("4–6", 1, None)
    assert sheet["A3"].value == "1" and sheet["A3"].data_type == "s"


def test_columns_are_wide_enough_for_their_text(book_a):
    book, _ = book_a
    sheet = book["Segmen"]
    assert sheet.column_dimensions["A"].width >= len("Pedagang pasar")
    assert sheet.column_dimensions["B"].width >= len("terdaftar")


def test_an_analyst_s_own_table_gets_a_sheet_named_by_its_caption(branch_a):
    r = Report(branch_a, "id")
    own = house.table(
        r.data("segments"),
        "id",
        labels={"value": "Segmen"},
        caption="Segmen: peserta/aktif [Juli]",
    )._repr_mimebundle_()[TABLE_MIMETYPE]
    book = read(workbook.report_workbook({"registered": 13}, [own, own]))
    assert book.sheetnames == ["KPI", "Segmen peserta aktif Juli", "Segmen peserta aktif Juli (2)"]
    sheet = book["Segmen peserta aktif Juli"]
    assert sheet["A2"].value == "Segmen"
    assert [c.value for c in sheet[3]][:2] == ["ojek_online", 8]


def test_a_text_from_the_data_is_never_a_formula():
    figures = {
        "name": "events",
        "title": "Sosialisasi",
        "columns": [{"key": "event", "label": "Kegiatan", "kind": "text"}],
        "rows": [['=HYPERLINK("http://x")'], ["http://x.example"]],
    }
    sheet = read(workbook.report_workbook({}, [figures]))["Sosialisasi"]
    assert sheet["A3"].data_type == "s" and sheet["A3"].value.startswith("=HYPERLINK")
    assert sheet["A4"].hyperlink is None


def test_dates_signed_changes_and_points_have_their_formats():
    figures = {
        "name": "t",
        "title": "Perubahan",
        "columns": [
            {"key": "held_on", "label": "Tanggal", "kind": "date"},
            {"key": "net", "label": "Pertumbuhan bersih", "kind": "signed"},
            {"key": "pts", "label": "Perubahan kepatuhan", "kind": "points"},
            {"key": "n", "label": "Rata-rata", "kind": "decimal"},
        ],
        "rows": [["2017-07-30", -3, 0.025, 2.5]],
    }
    sheet = read(workbook.report_workbook({}, [figures]))["Perubahan"]
    assert sheet["A3"].value == dt.datetime(2017, 7, 30)
    assert sheet["B3"].value == -3 and sheet["B3"].number_format == "+#,##0;-#,##0;0"
    assert sheet["C3"].value == pytest.approx(2.5)  # 0.025 of a share: 2.5 points
    assert sheet["D3"].number_format == "#,##0.0"


@pytest.mark.parametrize(
    ("title", "taken", "expected"),
    [
        ("Segmen", set(), "Segmen"),
        ("Segmen", {"segmen"}, "Segmen (2)"),
        ("a/b:c*d?e[f]g\\h", set(), "a b c d e f g h"),
        ("'quoted'", set(), "quoted"),
        ("Kantor cabang yang paling jauh di bawah target", set(), "Kantor cabang yang paling jauh"),
        ("x" * 40, {"x" * 31}, "x" * 27 + " (2)"),
        ("History", set(), "History (2)"),
        ("", set(), "Tabel"),
    ],
)
def test_sheet_names_are_valid_and_unique(title, taken, expected):
    name = workbook.sheet_name(title, taken)
    assert name == expected and len(name) <= 31 and name.lower() in taken


# --- the table figures the notebook carries ------------------------------------------------


def test_a_table_displays_the_same_html_and_its_figures(branch_a):
    table = Report(branch_a, "id").table("programs")
    bundle = table._repr_mimebundle_()
    assert bundle["text/html"] == table.to_html()  # the report's HTML is unchanged
    assert bundle["text/plain"] == repr(table)
    figures = bundle[TABLE_MIMETYPE]
    assert json.loads(json.dumps(figures)) == figures  # JSON as it is
    assert figures["name"] == "programs" and figures["title"] == "Iuran terkumpul per program"
    assert [c["kind"] for c in figures["columns"]] == ["text", "money", "percent"]
    assert figures["rows"][0][:2] == ["JKK", 140_000] and figures["total"][:2] == ["Total", 235_200]


def test_events_of_the_month_and_of_the_year_are_two_tables(branch_a):
    r = Report(branch_a, "id")
    month = r.table("events").figures()
    year = r.table("events", in_month=False).figures()
    assert (month["name"], month["title"]) == ("events", "Sosialisasi Juli 2017")
    assert (year["name"], year["title"]) == ("events_year", "Sosialisasi 2017")
    english = Report(branch_a, "en").table("events", in_month=False).figures()
    assert english["title"] == "Outreach events 2017"


def test_every_catalogue_table_has_a_title(branch_a, metrics):
    region = unit(metrics, "region", branch_a.region_code)
    for name in tables.TABLES:
        figures = Report(region, "id").table(name).figures()
        assert figures["title"] and figures["name"].startswith(name)


# --- the period's kpis.xlsx ------------------------------------------------------------------


def _entry(kind, code, status="ok", **kpis):
    return {
        "key": f"{code}/branch_monthly",
        "kind": kind,
        "code": code,
        "name": f"Kantor {code}",
        "region_code": "R1",
        "lang": "id",
        "status": status,
        "kpis": {"scope": code, "period": "2017-07", **kpis},
    }


def test_kpis_workbook_has_one_row_per_report_that_ran_national_first():
    entries = [
        _entry("branch", "B", registered=5, on_time_rate=0.5),
        _entry("branch", "C", status="failed"),
        _entry("region", "R1", registered=18, on_time_rate=0.6, collected_amount=1000),
        _entry("branch", "A", registered=13, on_time_rate=0.625, collected_amount=235_200),
        _entry("national", "NATIONAL", registered=18, target=None),
    ]
    sheet = read(workbook.kpis_workbook(entries))["KPI"]
    table = rows(sheet)
    assert table[0] == (
        "Jenis laporan",
        "Kode",
        "Nama",
        "Kantor wilayah",
        "Judul",
        "Bahasa",
        "Peserta terdaftar",
        "Tingkat kepatuhan",
        "Iuran terkumpul",
    )
    assert [r[:2] for r in table[1:]] == [
        ("Nasional", "NATIONAL"),
        ("Kantor wilayah", "R1"),
        ("Kantor cabang", "A"),
        ("Kantor cabang", "B"),
    ]
    assert table[3][3:] == ("R1", None, "id", 13, 0.625, 235_200)
    assert table[1][6:] == (18, None, None)
    assert sheet["G2"].data_type == "n" and sheet["H4"].number_format == "0.0%"
    assert sheet.freeze_panes == "D2" and sheet.auto_filter.ref == "A1:I5"


def test_kpis_workbook_is_published_inside_out(tmp_path):
    folder = tmp_path / "2017-07"
    path = workbook.write_kpis(folder, [_entry("branch", "A", registered=13)], tmp_path)
    assert path == (folder / "kpis.xlsx").resolve()
    assert rows(read(path.read_bytes())["KPI"])[1][6] == 13
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary left


# --- the format, in run specs and run --format ------------------------------------------


def test_spec_formats_are_the_runner_s(tmp_path):
    literal = get_args(get_args(spec.ReportSpec.model_fields["formats"].annotation)[0])
    assert set(literal) == set(single.FORMATS)
    path = tmp_path / "spec.yaml"
    path.write_text(
        f"reports:\n  - notebook: {BRANCH_NB}\n    per: branch\n    formats: [html, xlsx]\n"
    )
    assert spec.load(path).reports[0].formats == ("html", "xlsx")
    path.write_text(f"reports:\n  - notebook: {BRANCH_NB}\n    per: branch\n    formats: [xls]\n")
    with pytest.raises(spec.SpecError) as err:
        spec.load(path)
    message = str(err.value)
    assert "\n" not in message and "reports.0.formats.0" in message and "'xlsx'" in message


def test_run_format_accepts_xlsx_and_pdfa_and_refuses_others():
    assert oneshot.parse_formats("pdfa, XLSX") == ("pdfa", "xlsx")
    with pytest.raises(ParameterError, match="choose from html, pdf, pdfa, xlsx"):
        oneshot.parse_formats("html,excel")


def test_each_format_has_one_file_name():
    names = {fmt: single.file_name("branch_monthly", fmt) for fmt in single.FORMATS}
    assert names == {
        "html": "branch_monthly.html",
        "pdf": "branch_monthly.pdf",
        "pdfa": "branch_monthly.archive.pdf",
        "xlsx": "branch_monthly.xlsx",
    }


# --- the DPS report of the Bali demo, through generate ---------------------------------------


@pytest.fixture(scope="module")
def dps_batch(bali_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx")
    path = out / "spec.yaml"
    path.write_text(
        f"reports:\n  - notebook: {BRANCH_NB}\n    per: branch\n    formats: [html, xlsx]\n"
    )
    args = ["--db", str(bali_db), "--out", str(out), "generate", "--period", "2017-07"]
    args += ["--scope", "DPS", "--spec", str(path), "--workers", "1"]
    return out, main(args), args


@pytest.mark.slow
def test_dps_workbook_and_kpis_xlsx_match_the_manifest(dps_batch):
    out, code, _ = dps_batch
    assert code == 0
    folder = out / "2017-07"
    entry = json.loads((folder / "manifest.json").read_text())["reports"][0]
    assert entry["outputs"]["xlsx"] == "2017-07/DPS/branch_monthly.xlsx"
    book = openpyxl.load_workbook(out / entry["outputs"]["xlsx"])
    assert valid_names(book)
    assert book.sheetnames[:3] == ["KPI", "Umur tunggakan", "Iuran terkumpul per program"]
    assert {"Sosialisasi Juli 2017", "Sosialisasi 2017"} <= set(book.sheetnames)
    values = {r[0]: r[1] for r in rows(book["KPI"], 3)}
    kpis = entry["kpis"]
    assert values["Peserta terdaftar"] == kpis["registered"]
    assert values["Peserta aktif"] == kpis["active"]
    assert values["Tingkat kepatuhan"] == pytest.approx(kpis["on_time_rate"])
    assert values["Iuran terkumpul"] == kpis["collected_amount"]
    segments = book["Segmen"]
    assert [c.value for c in segments[2]][:3] == ["Segmen", "Peserta terdaftar", "Peserta baru"]
    numbers = [c for row in segments.iter_rows(min_row=3, min_col=2) for c in row if c.value]
    assert numbers and all(c.data_type == "n" or c.value in ("< 5", "–") for c in numbers)
    small = [c for s in book.worksheets for row in s.iter_rows() for c in row if c.value == "< 5"]
    assert small and all(c.data_type == "s" for c in small)
    # the period's KPIs: one row, the manifest's numbers
    sheet = openpyxl.load_workbook(folder / "kpis.xlsx")["KPI"]
    header, dps = rows(sheet)
    by_header = dict(zip(header, dps, strict=True))
    assert by_header["Kode"] == "DPS" and by_header["Jenis laporan"] == "Kantor cabang"
    assert by_header["Peserta terdaftar"] == kpis["registered"]
    assert by_header["Tingkat kepatuhan"] == pytest.approx(kpis["on_time_rate"])


@pytest.mark.slow
def test_a_generate_that_skips_everything_still_writes_kpis_xlsx(dps_batch):
    out, _, args = dps_batch
    path = out / "2017-07" / "kpis.xlsx"
    path.unlink()
    assert main(args) == 0
    assert rows(openpyxl.load_workbook(path)["KPI"])[1][1] == "DPS"
