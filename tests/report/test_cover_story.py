"""Page 1 carries the month's story (headline sentence and KPI cards on the cover), the
summary names what drove each large change in the same sentence as the change, and the
print layout keeps headings with what they introduce.

The sentences are checked against drivers written out here by hand (the figures a
``metrics.drivers.Driver`` carries), on the hand-made warehouse's branch A; the last tests
read the DPS report of the Bali demo back from its PDF, page by page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from pathlib import Path

import pytest
from pypdf import PdfReader

from bpu_reports.cli import main
from bpu_reports.metrics import unit
from bpu_reports.metrics.explanation import Driver
from bpu_reports.report import Report, kpi, narrative
from bpu_reports.report.words import word

ROOT = Path(__file__).resolve().parents[2]
BRANCH_NB = str(ROOT / "notebooks" / "branch_monthly.ipynb")

LATE = Driver(
    "on_time_rate",
    -0.079,
    "late_joiners",
    "Lapangan Puputan Renon",
    -0.0425,
    {
        "members": 450,
        "due_date": dt.date(2017, 7, 17),
        "rate_without": 0.643,
        "source": "event",
        "venue": "Lapangan Puputan Renon",
        "held_on": dt.date(2017, 7, 30),
    },
)
RATES = {
    "basis": "PP 49/2020",
    "minimum": 168,
    "minimum_previous": 16_800,
}


@pytest.fixture(scope="module")
def branch_a(metrics):
    return unit(metrics, "branch", "A")


def with_drivers(u, *drivers):
    return dataclasses.replace(u, drivers=tuple(drivers))


# --- why a figure moved: one clause per kind of driver, in both languages -----------------


def test_late_joiners_of_an_event(branch_a):
    assert narrative.clause(LATE, branch_a, "id") == (
        "karena 450 peserta baru dari sosialisasi di Lapangan Puputan Renon (30 Juli 2017) "
        "mendaftar setelah jatuh tempo 17 Juli 2017, sehingga belum dapat membayar tepat "
        "waktu untuk Juli 2017; tanpa mereka, tingkat kepatuhan 64,3%"
    )
    assert narrative.clause(LATE, branch_a, "en") == (
        "because 450 new members from the outreach event at Lapangan Puputan Renon "
        "(July 30, 2017) joined after the July 17, 2017 due date and so could not pay on time "
        "for July 2017; without them, the on-time rate would be 64.3%"
    )


def test_late_joiners_of_a_channel_are_named_by_the_channel(branch_a):
    d = dataclasses.replace(
        LATE, subject="online", figures={**LATE.figures, "source": "channel", "channel": "online"}
    )
    assert "melalui Online (JMO) mendaftar setelah jatuh tempo" in narrative.clause(
        d, branch_a, "id"
    )


def test_due_date_segment_channel_and_event(branch_a):
    due = Driver(
        "on_time_rate",
        0.314,
        "due_date",
        "PP 49/2020",
        0.182,
        {"due_date": dt.date(2020, 8, 31), "due_day_previous": 15, "rate_previous_rule": 0.818},
    )
    assert narrative.clause(due, branch_a, "id") == (
        "karena jatuh tempo bulan ini 31 Agustus 2020 (sebelumnya tanggal 15); dengan aturan "
        "lama, tingkat kepatuhan 81,8%"
    )
    segment = Driver(
        "on_time_rate", -0.03, "segment", "petani", -0.02, {"rate": 0.5, "rate_previous": 0.6}
    )
    assert narrative.clause(segment, branch_a, "en") == (
        "mostly in the Farmers segment, whose on-time rate went from 60.0% to 50.0%"
    )
    channel = Driver(
        "active", -80, "channel", "wadah", -60, {"members": 140, "members_previous": 200}
    )
    assert narrative.clause(channel, branch_a, "id") == (
        "terutama melalui kanal Wadah (kelompok) (−60)"
    )
    event = Driver(
        "active",
        734,
        "event",
        "Lapangan Puputan Renon",
        450,
        {"members": 450, "venue": "Lapangan Puputan Renon", "held_on": dt.date(2017, 7, 30)},
    )
    assert narrative.clause(event, branch_a, "id") == (
        "terutama dari sosialisasi di Lapangan Puputan Renon (30 Juli 2017): 450 peserta"
    )


def test_the_cause_is_told_with_the_change_not_in_another_bullet(branch_a):
    # branch A: on-time rate 62,5% after 100% (tests/handmade.py), so the fall is 37,5 points
    told = narrative.narrative(with_drivers(branch_a, LATE), "id").sentences
    rate = [s for s in told if "membayar iuran tepat waktu" in s]
    assert len(rate) == 1
    assert "turun 37,5 poin persentase dibanding bulan lalu, karena 450 peserta baru" in rate[0]
    assert "tanpa mereka, tingkat kepatuhan 64,3%" in rate[0]
    plain = narrative.narrative(branch_a, "id").sentences
    assert not any("karena" in s for s in plain)  # no driver, no cause made up
    english = str(narrative.narrative(with_drivers(branch_a, LATE), "en"))
    assert "down 37.5 percentage points on the previous month, because 450 new" in english


def test_a_rates_change_is_one_sentence_however_many_changes_it_stands_beside(branch_a):
    rates = [
        Driver(metric, 0.1, "rates", "PP 49/2020", float("nan"), RATES)
        for metric in ("on_time_rate", "active")
    ]
    told = narrative.narrative(with_drivers(branch_a, *rates), "id").sentences
    expected = (
        "Tarif iuran berubah bulan ini (PP 49/2020): iuran minimum per bulan dari Rp16.800 "
        "menjadi Rp168."
    )
    assert told.count(expected) == 1


def test_venues_from_the_data_are_escaped(branch_a):
    d = dataclasses.replace(
        LATE, figures={**LATE.figures, "venue": "<script>x</script>"}, subject="<script>x"
    )
    text = narrative.narrative(with_drivers(branch_a, d), "id").to_html()
    assert "<script>" not in text and "&lt;script&gt;x&lt;/script&gt;" in text


# --- the cover ----------------------------------------------------------------------------


def test_headline_tells_the_month_and_its_cause(branch_a):
    line = html.unescape(narrative.headline(with_drivers(branch_a, LATE), "id"))
    assert line.startswith("Juli 2017: ")
    assert (
        "(turun 37,5 poin persentase, karena 450 peserta baru mendaftar setelah jatuh tempo)"
        in line
    )
    assert "karena" not in narrative.headline(branch_a, "id")
    english = html.unescape(narrative.headline(with_drivers(branch_a, LATE), "en"))
    assert "(down 37.5 percentage points, as 450 new members joined after the due date)" in english


def test_cover_has_story_and_cards_and_leaves_technical_fields_to_the_appendix(branch_a):
    r = Report(branch_a, "id")
    cover = r.cover()
    page = cover._repr_html_()
    # the headline, then the cards, both after the cover's header
    header = page.index("</header>")
    assert header < page.index('<p class="bpu-headline">') < page.index('<div class="bpu-kpis">')
    source, version = branch_a.warehouse.source, branch_a.warehouse.data_version
    assert version not in page and word("version", "id") not in page
    assert word("source", "id") not in page
    appendix = r.data_source()._repr_html_()
    assert version in appendix and source in appendix
    # the batch reads the KPIs from the cover as it does from r.kpis()
    bundle = cover._repr_mimebundle_()
    assert bundle[kpi.MIMETYPE] == kpi.KpiBlock(branch_a, "id", r.default_title()).data


def test_side_by_side_puts_charts_in_one_row(branch_a):
    r = Report(branch_a, "id")
    row = r.side_by_side("on_time", r.chart("ageing"))._repr_html_()
    assert row.startswith('<div class="bpu-row">') and row.count('<figure class="bpu-chart">') == 2
    with pytest.raises(ValueError, match="unknown chart"):
        r.side_by_side("on_time", "nope")


# --- the DPS report of the demo, read back from its PDF -----------------------------------


@pytest.fixture(scope="module")
def dps_pages(bali_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("story")
    args = ["run", BRANCH_NB, "--branch", "DPS", "--period", "2017-07", "--format", "pdf"]
    assert main(["--db", str(bali_db), "--out", str(out), *args]) == 0
    pdf = next(out.rglob("branch_monthly.pdf"))
    return [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages]


@pytest.mark.slow
def test_page_1_carries_the_story(dps_pages):
    first = dps_pages[0]
    assert "Laporan Bulanan Peserta BPU" in first and "Daftar isi" in first
    # the headline, with its cause, and the KPI cards
    assert "karena 450 peserta baru mendaftar setelah jatuh tempo" in first
    for label in ("PESERTA AKTIF", "TINGKAT KEPATUHAN", "CAPAIAN TARGET"):
        assert label in first.upper()
    assert "Versi data" not in first and "Sumber data" not in first
    assert "Versi data" in dps_pages[-1] or any("Versi data" in p for p in dps_pages[-2:])


@pytest.mark.slow
def test_summary_explains_the_on_time_fall_in_one_bullet(dps_pages):
    text = " ".join(dps_pages)
    start = text.index("Dari peserta aktif")
    bullet = text[start : text.index("Dengan laju", start)]
    assert "karena 450 peserta baru dari sosialisasi di Lapangan Puputan Renon" in bullet
    assert "tanpa mereka, tingkat kepatuhan" in bullet


@pytest.mark.slow
@pytest.mark.parametrize(
    ("heading", "content"),
    [
        ("Iuran", "Iuran terkumpul per program"),
        ("Retensi kohort", "Retensi kohort: porsi peserta"),
        ("Kepatuhan", "Pembayaran tepat waktu"),
        ("Target kepesertaan", "Peserta terdaftar vs target 2017"),
    ],
)
def test_a_heading_is_on_the_page_of_what_it_introduces(dps_pages, heading, content):
    body = dps_pages[1:]  # page 1 lists the headings in the contents
    pages = [i for i, p in enumerate(body) if content in p]
    assert pages, content
    assert heading in body[pages[0]], (heading, pages[0] + 2)
