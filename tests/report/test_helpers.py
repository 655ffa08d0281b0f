"""Snapshot tests (syrupy) of the KPI block, the tables and the narrative on the hand-made
warehouse, plus the behaviours the snapshots alone would not name."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from bpu_reports.metrics import unit
from bpu_reports.report import Report, kpi, narrative, open_report, tables


@pytest.fixture(scope="module")
def branch_a(metrics):
    return unit(metrics, "branch", "A")


def test_kpi_block_html_snapshot(branch_a, snapshot):
    assert kpi.KpiBlock(branch_a, "id").to_html() == snapshot


def test_kpi_cards_compare_with_the_month_a_year_before_by_name(branch_a):
    html = kpi.KpiBlock(branch_a, "id").to_html()
    # registered 13 now, 2 in July 2016 (tests/handmade.py): +11
    assert "+11 vs Juli 2016" in html and "vs tahun lalu" not in html
    assert "−37,5 poin persentase vs bulan lalu" in html  # on-time rate 62,5% after 100%
    english = kpi.KpiBlock(branch_a, "en").to_html()
    assert "+11 vs July 2016" in english and "−37.5 percentage points vs last month" in english


def test_kpi_block_carries_json_mimetype(branch_a):
    bundle = kpi.KpiBlock(branch_a, "id")._repr_mimebundle_()
    data = bundle[kpi.MIMETYPE]
    assert data["registered"] == 13 and data["active"] == 8
    assert data["on_time_rate"] == pytest.approx(0.625)
    assert data["collected_amount"] == 235_200 and data["target"] == 20
    assert "text/html" in bundle


@pytest.mark.parametrize("lang", ["id", "en"])
def test_narrative_snapshot(branch_a, lang, snapshot):
    assert narrative.narrative(branch_a, lang).sentences == snapshot


def test_narrative_says_the_target_is_out_of_reach(branch_a):
    text = str(narrative.narrative(branch_a, "id"))
    assert "target 20 peserta tidak akan tercapai" in text
    assert "penambahan bersih 2 peserta per bulan mulai Agustus" in text  # ceil((20-13)/5)
    english = str(narrative.narrative(branch_a, "en"))
    assert "will not be reached" in english and "from August" in english


def test_narrative_never_tells_an_event_count_under_5(branch_a):
    text = str(narrative.narrative(branch_a, "id"))
    assert "kurang dari 5 peserta dari potensi 100" in text


def test_narrative_without_events_says_so(metrics):
    b = unit(metrics, "branch", "B")
    assert "Tidak ada sosialisasi pada Juli 2017." in narrative.narrative(b, "id").sentences


@pytest.mark.parametrize("name", ["ageing", "programs", "prepayment", "segments", "channels"])
def test_table_snapshots(branch_a, name, snapshot):
    assert Report(branch_a, "id").table(name).to_html() == snapshot


def test_events_table_without_events_says_tidak_ada(metrics):
    b = Report(unit(metrics, "branch", "B"), "id")
    assert ">Tidak ada</p>" in b.table("events", in_month=True).to_html()
    assert ">None</p>" in Report(b.unit, "en").table("events", in_month=False).to_html()


def test_the_privacy_note_only_under_a_table_with_a_small_cell(branch_a):
    note = "kurang dari 5 peserta"
    r = Report(branch_a, "id")
    # branch A: 2 new members in ojek online, 1 in pedagang pasar; both events under 5
    assert note in r.table("segments").to_html()
    assert note in r.table("events", in_month=False).to_html()
    assert note not in r.table("programs").to_html()
    big = pd.DataFrame(
        {
            "dimension": ["segment"],
            "value": ["petani"],
            "registered": [20],
            "new_registrations": [5],
            "active": [10],
            "in_arrears": [5],
            "inactive": [5],
            "on_time": [6],
            "on_time_rate": [0.6],
            "active_share": [0.5],
        }
    )
    html = Report(dataclasses.replace(branch_a, breakdowns=big), "id").table("segments").to_html()
    assert ">Petani</td>" in html and "&lt; 5" not in html and note not in html


def test_table_headers_say_months_in_words(branch_a):
    year = Report(branch_a, "id").table("events", in_month=False).to_html()
    assert ">Aktif setelah 3 bulan</th>" in year and ">Sudah membayar</th>" in year
    english = Report(branch_a, "en").table("events", in_month=False).to_html()
    assert ">Active after 6 months</th>" in english
    prepaid = Report(branch_a, "id").table("prepayment").to_html()
    assert ">Lainnya</td>" in prepaid and ">lainnya<" not in prepaid


def test_tables_escape_data_values(branch_a):
    hostile = branch_a.outreach.assign(title='<script>alert("x")</script>', venue="{{ 7*7 }}")
    u = type(branch_a)(**{**branch_a.__dict__, "outreach": hostile})
    html = tables.events(u, "id", in_month=False).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "{{ 7*7 }}" in html  # shown as text, never evaluated


def test_region_ranking_table(metrics):
    html = Report(unit(metrics, "region", "R1"), "en").table("branches").to_html()
    assert html.index("KC Alpha") < html.index("KCP Beta")


def test_cover_marks_demo_data_only_for_demo_warehouses(branch_a):
    cover = Report(branch_a, "id").cover().html
    assert "DATA DEMO" not in cover and "KC Alpha (A)" in cover and "Juli 2017" in cover
    assert "<dt>Data tersedia s.d.</dt><dd>31 Juli 2017</dd>" in cover


def test_the_national_report_names_itself(metrics):
    national = unit(metrics, "national", "NATIONAL")
    cover = Report(national, "id").cover().html
    assert "<h1>Laporan Bulanan Peserta BPU — Nasional</h1>" in cover
    assert '<p class="bpu-office" data-running="Nasional">Nasional</p>' in cover
    assert "Kantor wilayah" not in cover  # the country has no region row
    english = Report(national, "en").cover().html
    assert "<h1>BPU Members Monthly Report — National</h1>" in english
    # branches A (13) and B: the whole warehouse, told as all branches together
    first = narrative.narrative(national, "id").sentences[0]
    assert first.startswith("Per akhir Juli 2017, seluruh kantor cabang mencatat ")
    assert (
        narrative.narrative(national, "en")
        .sentences[0]
        .startswith("At the end of July 2017, all branches together had ")
    )


def test_open_report_opens_the_national_report(handmade_db):
    r = open_report("national", "NATIONAL", "2017-07", db=str(handmade_db))
    assert r.unit.kind == "national" and r.unit.code == "NATIONAL"
    region = open_report("region", "R1", "2017-07", db=str(handmade_db))
    assert r.unit.summary["registered"] == region.unit.summary["registered"]  # R1 is all
    with pytest.raises(ValueError, match="unknown kind 'nation'"):
        open_report("nation", "NATIONAL", "2017-07", db=str(handmade_db))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown language"):
        open_report("branch", "A", "2017-07", lang="fr", db=str(handmade_db))  # type: ignore[arg-type]
