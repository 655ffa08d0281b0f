"""Snapshot tests (syrupy) of the KPI block, the tables and the narrative on the hand-made
warehouse, plus the behaviours the snapshots alone would not name."""

from __future__ import annotations

import pytest

from bpu_reports.metrics import unit
from bpu_reports.report import Report, kpi, narrative, tables


@pytest.fixture(scope="module")
def branch_a(metrics):
    return unit(metrics, "branch", "A")


def test_kpi_block_html_snapshot(branch_a, snapshot):
    assert kpi.KpiBlock(branch_a, "id").to_html() == snapshot


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
    assert "tidak ada" in b.table("events", in_month=True).to_html()
    assert "none" in Report(b.unit, "en").table("events", in_month=False).to_html()


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
