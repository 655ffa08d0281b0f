"""The portal's words and numbers, read from its HTML: the national report first, a report
named when its office has several, each KPI's change from the same report a month earlier,
failures said in Indonesian, and the time it was written with its zone. The reports folder
is written by hand (``portal_months``); every expected value is worked out there."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup, Tag
from portal_months import entry, failed, write_manifests

from bpu_reports.render.portal import failure, render_portal, updated_text
from bpu_reports.report import formats as f

WIB = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(scope="module")
def page(reports_folder) -> BeautifulSoup:
    return BeautifulSoup(render_portal(reports_folder), "html.parser")


def month(page: BeautifulSoup, period: str) -> Tag:
    found = page.find("details", id=f"p-{period}")
    assert isinstance(found, Tag), period
    return found


def rows(block: Tag) -> dict[str, Tag]:
    """The rows of a month by the text of their office cell."""
    return {tr.find("td", class_="office").get_text(): tr for tr in block.select("tbody tr")}


def kpis(row: Tag) -> list[tuple[str, str]]:
    """(value, change) of each KPI cell of a row; "" where no change is shown."""
    shown = []
    for td in row.select("td.num"):
        delta = td.find(class_="delta")
        change = delta.get_text() if delta else ""
        shown.append((td.get_text()[: len(td.get_text()) - len(change)], change))
    return shown


def trends(row: Tag) -> list[str]:
    return [" ".join(c for c in d["class"] if c != "delta") for d in row.select(".delta")]


# -- the national report, then the regions -------------------------------------------------


def test_the_national_report_comes_first_named_nasional(page):
    july = month(page, "2017-07")
    assert [h.get_text() for h in july.select("section.region h3")] == [
        "Nasional",
        "Kantor Wilayah Bali Nusa Tenggara Papua (BANUSPA)",
        "Kantor Wilayah Jawa Timur (JATIM)",
    ]
    first = july.select_one("section.region tbody tr")
    assert first["class"] == ["national-row"]
    assert first.find("td", class_="office").get_text() == "Nasional"
    links = [a["href"] for a in first.select("td.links a")]
    assert links == [
        "2017-07/NATIONAL/national_monthly.html",
        "2017-07/NATIONAL/national_monthly.pdf",
    ]


@pytest.mark.parametrize(("name", "shown"), [(None, "Nasional"), ("Indonesia", "Indonesia")])
def test_the_national_report_is_named_by_its_entry(tmp_path, name, shown):
    national = entry("2017-07", "NATIONAL/national_monthly")
    del national["name"]
    if name:
        national["name"] = name
    write_manifests(tmp_path, {"2017-07": [entry("2017-07", "DPS/branch_monthly"), national]})
    page = BeautifulSoup(render_portal(tmp_path), "html.parser")
    # no region report this month: its group is named by its code
    assert [h.get_text() for h in page.select("section.region h3")] == [shown, "BANUSPA"]
    assert page.select_one("tr.national-row td.office").get_text() == shown


# -- an office with several reports ------------------------------------------------------------


def test_an_office_with_two_reports_names_each_and_links_its_own_files(page):
    july = rows(month(page, "2017-07"))
    monthly = july["KC Bali Denpasar (DPS) — Laporan Bulanan Peserta BPU"]  # its cover's title
    custom = july["KC Bali Denpasar (DPS) — Profil Segmen Peserta"]  # the run spec's title
    assert [a["href"] for a in monthly.select("td.links a")] == [
        "2017-07/DPS/branch_monthly.html",
        "2017-07/DPS/branch_monthly.pdf",
    ]
    assert [a["href"] for a in custom.select("td.links a")] == [
        "2017-07/DPS/custom_section.html",
        "2017-07/DPS/custom_section.pdf",
    ]
    assert "KC Bali Gianyar (GIA)" in july  # one report: no name beside the office
    june = rows(month(page, "2017-06"))  # no title anywhere: the notebook's name
    assert {
        "KC Bali Denpasar (DPS) — branch monthly",
        "KC Bali Denpasar (DPS) — custom section",
    } <= set(june)


# -- the change from the previous month --------------------------------------------------------


def test_each_kpi_shows_its_change_from_the_same_report_a_month_earlier(page):
    july = month(page, "2017-07")
    assert july.select_one("p.since").get_text() == (
        "Di bawah tiap angka: perubahan dari Juni 2017."
    )
    shown = rows(july)
    # 16.800 − 16.680; 9.408 − 9.420; 60,0% − 60,8%; 80,0% − 79,4%
    dps = shown["KC Bali Denpasar (DPS) — Laporan Bulanan Peserta BPU"]
    assert kpis(dps) == [
        ("16.800", "+120"),
        ("9.408", "−12"),
        ("60,0%", f.points(-0.008)),
        ("80,0%", f.points(0.006)),
    ]
    assert f.points(-0.008).startswith("−0,8 ") and f.points(0.006).startswith("+0,6 ")
    assert trends(dps) == ["up", "down", "down", "up"]
    # 1.250.400 − 1.241.150; 700.224 − 701.000; 56,12% − 57,00%; 69,47% − 68,96%
    assert [change for _, change in kpis(shown["Nasional"])] == [
        "+9.250",
        "−776",
        f.points(-0.0088),
        f.points(0.0051),
    ]
    assert f.points(-0.0088).startswith("−0,9 ") and f.points(0.0051).startswith("+0,5 ")
    region = shown["Kantor Wilayah Bali Nusa Tenggara Papua"]
    assert [change for _, change in kpis(region)] == ["+330", "0", f.points(0.0), f.points(0.005)]
    assert f.points(0.0).startswith("0,0 ")  # no change has no sign
    assert trends(region) == ["up", "same", "same", "up"]


def test_no_change_without_the_same_report_last_month(page):
    july = rows(month(page, "2017-07"))
    assert kpis(july["KC Bali Gianyar (GIA)"]) == [  # it failed in June
        ("8.020", ""),
        ("4.100", ""),
        ("65,5%", ""),
        ("70,0%", ""),
    ]
    for office in ("KC Surabaya (SBY)", "Kantor Wilayah Jawa Timur"):  # not in June
        assert all(change == "" for _, change in kpis(july[office]))
    custom = july["KC Bali Denpasar (DPS) — Profil Segmen Peserta"]  # no KPIs at all
    assert kpis(custom) == [("—", "")] * 4


def test_no_change_when_the_month_before_has_no_manifest(page):
    """June's month before (May) has no manifest: April's is not taken instead."""
    june = month(page, "2017-06")
    assert june.select(".delta") == [] and june.select_one("p.since") is None
    april = month(page, "2017-04")
    assert april.select(".delta") == []


def test_target_progress_is_not_compared_across_a_year(tmp_path):
    """January's progress counts towards the new year's target: December's is no base."""
    december = entry("2017-12", "DPS/branch_monthly")
    december["kpis"] = {"registered": 17_500, "active": 9_900, "target_progress": 0.97}
    january = entry("2018-01", "DPS/branch_monthly")
    january["kpis"] = {"registered": 17_620, "active": 9_850, "target_progress": 0.08}
    write_manifests(tmp_path, {"2017-12": [december], "2018-01": [january]})
    page = BeautifulSoup(render_portal(tmp_path), "html.parser")
    [row] = month(page, "2018-01").select("tbody tr")
    assert kpis(row) == [("17.620", "+120"), ("9.850", "−50"), ("—", ""), ("8,0%", "")]


def test_values_a_manifest_should_not_hold_give_no_change(tmp_path):
    before = entry("2017-06", "DPS/branch_monthly")
    before["kpis"] = {
        "registered": "16680",
        "active": True,
        "on_time_rate": None,
        "target_progress": 10**400,
    }
    now = entry("2017-07", "DPS/branch_monthly")
    write_manifests(tmp_path, {"2017-06": [before], "2017-07": [now]})
    page = BeautifulSoup(render_portal(tmp_path), "html.parser")
    [row] = month(page, "2017-07").select("tbody tr")
    assert kpis(row) == [("16.800", ""), ("9.408", ""), ("60,0%", ""), ("80,0%", "")]


# -- failures ------------------------------------------------------------------------------------


def test_a_failed_report_says_why_in_indonesian_and_keeps_its_notebook(page):
    july = rows(month(page, "2017-07"))
    timed_out = july["KCP Klungkung (KLK)"]
    assert timed_out.select_one("td.failure").get_text() == (
        "Laporan gagal dibuat: batas waktu sel terlampaui CellTimeoutError"
    )
    assert [(a.get_text(), a["href"]) for a in timed_out.select("td.links a")] == [
        ("Notebook", "2017-07/_failed/KLK/branch_monthly.ipynb"),
        ("HTML", "2017-07/KLK/branch_monthly.html"),  # the older version, as such
        ("PDF", "2017-07/KLK/branch_monthly.pdf"),
    ]
    assert "versi lama (2017-08-01):" in timed_out.select_one(".stale").get_text()
    raised = july["KCP Jembrana (JMB)"]
    assert raised.select_one("td.failure").get_text() == (
        "Laporan gagal dibuat: kesalahan di notebook (sel 4) ValueError"
    )
    died = rows(month(page, "2017-06"))["KC Bali Gianyar (GIA)"]
    assert (
        died.select_one("td.failure")
        .get_text()
        .startswith("Laporan gagal dibuat: kernel Python berhenti mendadak")
    )
    summary = month(page, "2017-07").select_one("summary")
    assert summary.select_one(".fail").get_text() == "2 gagal"
    assert summary.select_one(".meta").get_text().startswith("9 laporan · ")


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ({"type": "CellTimeoutError", "cell": None}, "batas waktu sel terlampaui"),
        ({"type": "DeadKernelError", "cell": None}, "kernel Python berhenti mendadak"),
        ({"type": "ValueError", "cell": 4}, "kesalahan di notebook (sel 4)"),
        ({"type": "KeyError", "cell": 12}, "kesalahan di notebook (sel 12)"),
        ({"type": "PermissionError"}, "tidak ada izin menulis di folder laporan"),
        (
            {"type": "OSError", "message": "A: OSError: [Errno 28] No space left on device"},
            "disk penuh",
        ),
        ({"type": "FileNotFoundError"}, "berkas laporan tidak dapat ditulis"),
        ({"type": "BpuReportsError"}, "folder laporan tidak dapat dipakai"),
        ({"type": "OutputLinkError"}, "folder laporan tidak dapat dipakai"),
        ({"type": "ParameterError"}, "parameter laporan tidak valid"),
        (  # the kernel did not start: the notebook is kept, no cell ran
            {"type": "RuntimeError", "cell": None, "notebook": "2017-07/_failed/A/x.ipynb"},
            "notebook tidak dapat dijalankan",
        ),
        (  # rendering the PDF failed after the notebook ran
            {"type": "RuntimeError", "cell": None, "notebook": None, "traceback": "…"},
            "kesalahan saat membuat berkas laporan",
        ),
        ({}, "kesalahan saat membuat berkas laporan"),
        ({"type": "__import__('os')"}, "kesalahan saat membuat berkas laporan"),
    ],
)
def test_failure_reasons(error, said):
    assert failure(error) == said


def test_no_failure_is_only_an_exception_name(tmp_path):
    kinds = ["CellTimeoutError", "DeadKernelError", "ValueError", "OSError", "TypeError", ""]
    codes = ["DPS", "GIA", "KLK", "JMB", "SBY", "SGH"]
    reports = [
        failed("2017-07", f"{code}/branch_monthly", {"type": kind, "cell": None})
        for code, kind in zip(codes, kinds, strict=True)
    ]
    write_manifests(tmp_path, {"2017-07": reports})
    page = BeautifulSoup(render_portal(tmp_path), "html.parser")
    by_office = dict(zip(codes, kinds, strict=True))
    shown = page.select("tbody tr")
    assert len(shown) == len(kinds)
    for tr in shown:
        kind = by_office[tr.find("td", class_="office").get_text()[-4:-1]]
        td = tr.select_one("td.failure")
        code = td.select_one("code.etype")
        assert (code.get_text() if code else "") == kind  # the name, beside the words
        said = td.get_text().removesuffix(kind).strip()
        assert said.startswith("Laporan gagal dibuat: ") and len(said.split()) >= 5, said


# -- when ------------------------------------------------------------------------------------------


def test_the_time_written_carries_its_zone(reports_folder):
    now = dt.datetime(2026, 11, 26, 10, 40, tzinfo=WIB)
    assert updated_text(now) == "26 November 2026 03:40 UTC"
    page = BeautifulSoup(render_portal(reports_folder, now=now), "html.parser")
    assert "Diperbarui 26 November 2026 03:40 UTC ·" in page.header.get_text()
    # without a time given, the present one, in UTC
    text = BeautifulSoup(render_portal(reports_folder), "html.parser").header.get_text()
    assert re.search(r"Diperbarui \d{1,2} \w+ \d{4} \d{2}:\d{2} UTC ·", text)


def test_months_newest_first_and_only_the_newest_open(page):
    months = page.select("details.period")
    assert [d["id"] for d in months] == ["p-2017-07", "p-2017-06", "p-2017-04"]
    assert [d.has_attr("open") for d in months] == [True, False, False]


# -- the workbooks -------------------------------------------------------------------------------


def test_the_archive_and_the_workbook_are_linked_with_the_month_s_kpis(tmp_path):
    """A report made with every format links each (the executed notebook is not a reader's
    file); the month links its ``kpis.xlsx`` once it exists, and not before."""
    july = entry("2017-07", "DPS/branch_monthly")
    for fmt, suffix in (("pdfa", "archive.pdf"), ("xlsx", "xlsx")):
        july["outputs"][fmt] = f"2017-07/DPS/branch_monthly.{suffix}"
    write_manifests(tmp_path, {"2017-07": [july]})
    before = BeautifulSoup(render_portal(tmp_path), "html.parser")
    assert before.select("p.workbook") == []
    row = rows(month(before, "2017-07"))["KC Bali Denpasar (DPS)"]
    assert [(a.text, a["href"]) for a in row.select("td.links a")] == [
        ("HTML", "2017-07/DPS/branch_monthly.html"),
        ("PDF", "2017-07/DPS/branch_monthly.pdf"),
        ("PDF/A", "2017-07/DPS/branch_monthly.archive.pdf"),
        ("Excel", "2017-07/DPS/branch_monthly.xlsx"),
    ]
    (tmp_path / "2017-07" / "kpis.xlsx").write_bytes(b"PK")
    after = BeautifulSoup(render_portal(tmp_path), "html.parser")
    [link] = month(after, "2017-07").select("p.workbook a")
    assert link["href"] == "2017-07/kpis.xlsx" and "Excel" in link.text
