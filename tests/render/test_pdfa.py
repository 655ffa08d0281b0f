"""The archival PDF (PDF/A-3b), read back with pypdf: its PDF/A identification in the XMP
metadata, the sRGB output intent with its ICC profile, and the report's figures embedded as
``figures.json``, an associated file of the document (``/AF``). The fast tests write a small
page; the slow one runs the DPS report of the Bali demo with ``--format pdf,pdfa``."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from bpu_reports.cli import main
from bpu_reports.data import store
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.period import Period
from bpu_reports.render import pdf
from bpu_reports.run.single import read_kpis

ROOT = Path(__file__).resolve().parents[2]
BRANCH_NB = ROOT / "notebooks" / "branch_monthly.ipynb"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
PAGE = "<html><head><title>Laporan</title></head><body><h1>Halo</h1><p>Isi.</p></body></html>"


def identification(reader: PdfReader) -> dict[str, str]:
    """The ``pdfaid`` properties of the XMP metadata (part, conformance), written as
    attributes or as elements (XMP allows both)."""
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    found: dict[str, str] = {}
    for element in ET.fromstring(xmp).iter():
        for name, value in element.attrib.items():
            if name.startswith(PDFAID):
                found[name.removeprefix(PDFAID)] = value
        if isinstance(element.tag, str) and element.tag.startswith(PDFAID) and element.text:
            found[element.tag.removeprefix(PDFAID)] = element.text.strip()
    return found


def check_archive(reader: PdfReader) -> dict:
    """Assert what makes the file PDF/A-3b with its figures; return the figures."""
    catalog = reader.trailer["/Root"]
    assert reader.pdf_header == "%PDF-1.7"
    assert identification(reader) == {"part": "3", "conformance": "B"}
    (intent,) = [i.get_object() for i in catalog["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    icc = profile.get_data()
    assert profile["/N"] == 3 and icc[36:40] == b"acsp"  # an RGB ICC profile
    assert "sRGB" in intent["/OutputConditionIdentifier"] + intent.get("/OutputCondition", "")
    assert list(reader.attachments) == ["figures.json"]
    (spec,) = [a.get_object() for a in catalog["/AF"]]  # associated, and only once
    assert spec["/F"] == "figures.json" and spec["/AFRelationship"] == "/Data"
    embedded = spec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] == "/application/json"
    (data,) = reader.attachments["figures.json"]
    return json.loads(data)


def test_archive_is_pdf_a_3b_with_its_figures_embedded():
    figures = {"report": {"code": "A"}, "kpis": {"registered": 13}, "tables": []}
    document = pdf.layout(PAGE)
    data = pdf.write_archive(
        document, {"figures.json": json.dumps(figures).encode()}, description="figures"
    )
    reader = PdfReader(io.BytesIO(data))
    assert check_archive(reader) == figures
    assert "Halo" in reader.pages[0].extract_text()


def test_the_pdf_of_the_same_layout_is_left_as_it_was():
    """Written after the archive from the same layout, the plain PDF has no output intent,
    no embedded file and no PDF/A identification, as when written alone."""
    document = pdf.layout(PAGE)
    alone = PdfReader(io.BytesIO(pdf.write(document)))
    pdf.write_archive(document, {"figures.json": b"{}"})
    after = PdfReader(io.BytesIO(pdf.write(document)))
    for reader in (alone, after):
        catalog = reader.trailer["/Root"]
        assert "/OutputIntents" not in catalog and "/AF" not in catalog
        assert not reader.attachments and identification(reader) == {}
    assert len(after.pages) == len(alone.pages) == 1


@pytest.fixture(scope="module")
def dps(bali_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdfa")
    args = ["--db", str(bali_db), "--out", str(out), "run", str(BRANCH_NB), "--branch", "DPS"]
    code = main([*args, "--period", "2017-07", "--format", "pdf,pdfa"])
    return out / "2017-07" / "DPS", code


@pytest.mark.slow
def test_dps_archive_carries_the_report_s_figures(dps, bali_db):
    folder, code = dps
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "branch_monthly.archive.pdf",
        "branch_monthly.ipynb",
        "branch_monthly.pdf",
    ]
    archive = PdfReader(folder / "branch_monthly.archive.pdf")
    figures = check_archive(archive)
    assert figures["report"] == {
        "kind": "branch",
        "code": "DPS",
        "period": "2017-07",
        "lang": "id",
        "notebook": "branch_monthly.ipynb",
    }
    # the KPIs: as the executed notebook carries them, and as the metrics give them
    assert figures["kpis"] == read_kpis(nbformat.read(folder / "branch_monthly.ipynb", 4))
    con = store.connect(bali_db)
    try:
        summary = unit(compute(con, Period(2017, 7), resolve(con)), "branch", "DPS").summary
    finally:
        con.close()
    assert figures["kpis"]["registered"] == summary["registered"]
    assert figures["kpis"]["active"] == summary["active"]
    assert figures["kpis"]["on_time_rate"] == pytest.approx(summary["on_time_rate"])
    names = [t["name"] for t in figures["tables"]]
    assert names == [
        "kpi",
        "ageing",
        "programs",
        "prepayment",
        "segments",
        "channels",
        "events",
        "events_year",
    ]
    programs = figures["tables"][names.index("programs")]
    assert programs["total"][1] == summary["collected_amount"]
    # the same pages as the PDF, which stays a plain PDF
    plain = PdfReader(folder / "branch_monthly.pdf")
    assert len(plain.pages) == len(archive.pages)
    assert "/AF" not in plain.trailer["/Root"] and not plain.attachments
