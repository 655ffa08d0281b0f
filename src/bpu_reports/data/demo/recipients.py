"""The demo's recipients: who would receive each office's report by e-mail.

Invented and deterministic (no random stream is drawn, so the other tables stay as they are):
every office's head, a second reader at two Bali branches (one reading English), each region's
regional head, two readers of the national report, and one former branch head who no longer
receives anything (``active`` false). Every address is at ``example.invalid`` (a domain that
cannot receive mail, RFC 2606) and every name ends in "Contoh" ("example"): nothing here is a
real person.
"""

from __future__ import annotations

import pyarrow as pa

from bpu_reports.data.contract import NATIONAL, TABLES
from bpu_reports.data.demo.organisation import Organisation

DOMAIN = "example.invalid"
BRANCH_HEAD = "Kepala Kantor Cabang"
REGIONAL_HEAD = "Deputi Direktur Wilayah"
SECOND_READERS = {"DPS": "id", "GIA": "en"}
"""Branches with a second reader (``Kepala Bidang Kepesertaan``), and the reader's language.
Both are Bali offices, so both scales have them."""
FORMER_HEAD_AT = "DPS"
"""The branch whose former head is still listed, inactive."""
_GIVEN = ("Ayu", "Bagus", "Citra", "Dharma", "Eka", "Fajar", "Gita", "Hadi", "Indah", "Jaya")


def _name(i: int) -> str:
    return f"{_GIVEN[i % len(_GIVEN)]} Contoh"


def recipients(org: Organisation) -> pa.Table:
    """The ``recipients`` table of ``org``'s demo, in the contract's columns."""
    rows: list[tuple[str, str, str, str, str, bool]] = []

    def add(scope: str, local: str, role: str, lang: str = "id", active: bool = True) -> None:
        rows.append((scope, f"{local}@{DOMAIN}", _name(len(rows)), role, lang, active))

    for office in org.offices:
        code = office.code
        add(code, f"kepala.{code.lower()}", BRANCH_HEAD)
        if code in SECOND_READERS:
            add(
                code,
                f"kepesertaan.{code.lower()}",
                "Kepala Bidang Kepesertaan",
                SECOND_READERS[code],
            )
        if code == FORMER_HEAD_AT:
            add(code, f"kepala.lama.{code.lower()}", BRANCH_HEAD, active=False)
    for region_code, _ in org.regions:
        add(region_code, f"deputi.{region_code.lower()}", REGIONAL_HEAD)
    add(NATIONAL, "direktur.kepesertaan", "Direktur Kepesertaan")
    add(NATIONAL, "analitik.kepesertaan", "Asisten Deputi Analitik Kepesertaan", "en")
    columns = TABLES["recipients"].columns
    return pa.table(
        {c: [row[i] for row in rows] for i, c in enumerate(columns)},
        schema=pa.schema([(c, pa.bool_() if c == "active" else pa.string()) for c in columns]),
    )
