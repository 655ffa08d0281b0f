"""The ``recipients`` table through ``db import postgresql://…``: optional as in a folder, the
same recipients as the CSV path, the same violations, and no address nor name in any message.

The hand-made warehouse of ``tests/handmade.py`` (region R1, branches A and B) with four
recipients. They are listed in the order PostgreSQL reads them (``ORDER BY scope_code,
email``; codes in capitals, addresses in small letters, so any collation agrees), so that row
``n`` of a violation is the same row in both paths.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pyarrow as pa
from pgdata import arrow_tables, write_csv

from bpu_reports.data import store
from bpu_reports.data.recipients import Recipient, load
from handmade import handmade_tables

RECIPIENTS = [
    {
        "scope_code": "A",
        "email": "kepala.a@Example.INVALID",
        "name": "Ayu Contoh",
        "role": "Kepala Kantor Cabang",
        "lang": "id",
        "active": True,
    },
    {
        "scope_code": "A",
        "email": "lama.a@example.invalid",
        "name": "Bagus Contoh",
        "role": "Kepala Kantor Cabang",
        "lang": "id",
        "active": False,
    },
    {
        "scope_code": "NATIONAL",
        "email": "pusat@example.invalid",
        "name": "Citra Contoh",
        "role": "Direktur Kepesertaan",
        "lang": "en",
        "active": True,
    },
    {
        "scope_code": "R1",
        "email": "deputi.r1@example.invalid",
        "name": "Dharma Contoh",
        "role": "Deputi Direktur Wilayah",
        "lang": "id",
        "active": True,
    },
]
SECRETS = ("Contoh", "kepala", "lama", "pusat", "deputi", "example.invalid")


def _tables(recipients: list[dict]) -> dict[str, list[dict]]:
    return {**handmade_tables(), "recipients": copy.deepcopy(recipients)}


def _recipients(db: Path) -> tuple[list[Recipient], str]:
    con = store.connect(db)
    try:
        return load(con, active_only=False), store.table_checksums(con)["recipients"]
    finally:
        con.close()


def _violations(cli, *argv) -> tuple[list[str], str]:
    code, out, err = cli(*argv)
    assert code == 2 and out == "", err
    lines = err.strip().splitlines()
    first = lines[0].removeprefix("error: import rejected, nothing loaded: ")
    return [first.split("; and ")[0], *(line.strip() for line in lines[1:])], err


def test_postgres_and_csv_give_the_same_recipients(pgdb, cli, tmp_path):
    tables = _tables(RECIPIENTS)
    pgdb.load(arrow_tables(tables, pa.int64()))
    assert pgdb.query(
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_name = 'recipients' AND column_name = 'active'"
    ) == [("boolean",)]
    csv_db, pg_db = tmp_path / "csv.duckdb", tmp_path / "pg.duckdb"

    code, _, err = cli("db", "import", write_csv(tmp_path / "export", tables), "--db", csv_db)
    assert code == 0, err
    code, out, err = cli("db", "import", pgdb.url, "--db", pg_db)
    assert code == 0, err

    from_pg, pg_sum = _recipients(pg_db)
    from_csv, csv_sum = _recipients(csv_db)
    assert from_pg == from_csv and pg_sum == csv_sum
    assert [(r.scope_code, r.email, r.active) for r in from_pg] == [
        ("A", "kepala.a@example.invalid", True),  # the domain in small letters, as from a file
        ("A", "lama.a@example.invalid", False),
        ("NATIONAL", "pusat@example.invalid", True),
        ("R1", "deputi.r1@example.invalid", True),
    ]
    for secret in SECRETS:
        assert secret not in out + err


def test_no_recipients_table_in_postgres_loads_an_empty_one(pgdb, cli, tmp_path):
    pgdb.load(arrow_tables(handmade_tables(), pa.int64()))
    db = tmp_path / "pg.duckdb"

    code, _, err = cli("db", "import", pgdb.url, "--db", db)

    assert code == 0, err
    assert _recipients(db)[0] == []


def test_violations_read_the_same_from_postgres_and_csv(pgdb, cli, tmp_path):
    broken = copy.deepcopy(RECIPIENTS)
    broken[0]["email"] = "Ayu Contoh <kepala.a@example.invalid>"  # row 1: a display name
    broken[2]["lang"] = "fr"  # row 3
    broken[3]["scope_code"] = "R9"  # row 4, still last in key order
    tables = _tables(broken)
    pgdb.load(arrow_tables(tables, pa.int64()))
    export = write_csv(tmp_path / "export", tables)

    from_pg, pg_err = _violations(cli, "db", "import", pgdb.url, "--db", tmp_path / "pg.duckdb")
    from_files, files_err = _violations(
        cli, "db", "import", export, "--db", tmp_path / "files.duckdb"
    )

    assert (
        from_pg
        == from_files
        == [
            "recipients.scope_code: unknown scope_code (not a branch_code, a region_code or "
            "NATIONAL) — 1 row: 4",
            "recipients.email: not an e-mail address (one address alone: no name, list or spaces) "
            "— 1 row: 1",
            "recipients.lang: must be one of id, en — 1 row: 3",
        ]
    )
    for secret in SECRETS:
        assert secret not in pg_err + files_err
    assert not (tmp_path / "pg.duckdb").exists()
