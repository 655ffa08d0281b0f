"""Delivery tests: a real SMTP server on 127.0.0.1 (aiosmtpd), a small warehouse with
recipients, and an output folder holding a hand-written manifest with small real PDFs.

The warehouse (``deliver_db``) is the hand-made one of tests/handmade.py plus a second region
R2 with branch C, and these recipients (all invented, at example.invalid):

    A         a.kepala@…      Kepala Kantor Cabang        id  active
    A         a.bidang@…      Kepala Bidang Kepesertaan   en  active
    B         b.kepala@…      Kepala Kantor Cabang        id  active
    B         b.lama@…        Kepala Kantor Cabang        id  inactive
    C         c.kepala@…      Kepala Kantor Cabang        id  active
    R1        r1.deputi@…     Deputi Direktur Wilayah     id  active
    NATIONAL  pusat.id@…      Direktur Kepesertaan        id  active
    NATIONAL  pusat.en@…      Direktur Kepesertaan        en  active

The July 2017 manifest (``reports``) has NATIONAL, R1, A (id and en editions) and B ok with
a PDF, and C failed: 6 messages go out (A's English reader gets the en edition, the English
national reader the id one, the only one there is), C's reader has no report, B's inactive
reader gets nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mail_support import OFFICES, PERIOD, RECIPIENTS, SmtpServer, entry, free_port, write_manifest

from factories import build_warehouse
from handmade import handmade_tables


@pytest.fixture(scope="session")
def deliver_db(tmp_path_factory) -> Path:
    tables = handmade_tables()
    tables["regions"] = [*tables["regions"], {"region_code": "R2", "region_name": "Region Two"}]
    tables["branches"] = [
        *tables["branches"],
        {"branch_code": "C", "branch_name": "KC Gamma", "region_code": "R2", "office_type": "KC"},
    ]
    tables["recipients"] = [
        dict(zip(("scope_code", "email", "name", "role", "lang", "active"), r, strict=True))
        for r in RECIPIENTS
    ]
    return build_warehouse(tmp_path_factory.mktemp("wh") / "deliver.duckdb", tables)


@pytest.fixture(scope="session")
def pdfs() -> dict[str, bytes]:
    """A small real PDF per office and edition, saying which office and language it is."""
    from weasyprint import HTML

    made = {}
    for code, (_, name, _) in OFFICES.items():
        for lang in ("id", "en"):
            html = f"<h1>{name}</h1><p>Report {code} {PERIOD} edition {lang}</p>"
            made[f"{code}.{lang}"] = HTML(string=html).write_pdf()
    return made


@pytest.fixture
def reports(tmp_path, pdfs) -> Path:
    """An output folder with the July 2017 manifest described in this module's docstring."""
    out = tmp_path / "reports"
    failed = {
        "key": "C/branch_monthly", "notebook": "branch_monthly.ipynb", "kind": "branch",
        "code": "C", "name": "KC Gamma", "period": PERIOD, "lang": "id", "status": "failed",
        "outputs": {}, "error": {"type": "CellTimeoutError", "message": "timeout"},
    }  # fmt: skip
    write_manifest(
        out,
        [
            entry(out, pdfs, "NATIONAL"),
            entry(out, pdfs, "R1"),
            entry(out, pdfs, "A"),
            entry(out, pdfs, "A", "en"),
            entry(out, pdfs, "B"),
            failed,
        ],
    )
    return out


@pytest.fixture
def smtp_server():
    server = SmtpServer(free_port()).start()
    yield server
    server.stop()
