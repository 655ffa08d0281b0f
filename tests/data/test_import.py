"""``db import``: each broken contract rule rejects the folder, naming table, column, rule, rows.

Rows are data rows of the file: the first row under the header is row 1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fixtures_import import Rows, valid_folder, valid_tables, write_csv, write_parquet

from bpu_reports.data import importer
from bpu_reports.errors import BpuReportsError, ContractError, Violation

TABLE_NAMES = ("regions", "branches", "outreach_events", "participants", "contributions", "targets")
STRAY = (
    "wrong number of fields: expected 8 like the header (a stray delimiter or an unquoted comma?)"
)


def rejected(folder: Path, db: Path | None = None) -> list[Violation]:
    with pytest.raises(ContractError) as caught:
        importer.import_folder(folder, db or folder.parent / "bpu.duckdb")
    return caught.value.violations


def rejected_tables(tmp_path: Path, tables: dict[str, Rows]) -> list[Violation]:
    return rejected(write_csv(tmp_path / "export", tables))


def one(table: str, column: str | None, rule: str, *rows: int, count: int | None = None):
    return [Violation(table, column, rule, rows, len(rows) if count is None else count)]


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


# -- a valid folder loads -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_valid_folder_imports_every_table(tmp_path: Path, fmt: str) -> None:
    writer = write_csv if fmt == "csv" else write_parquet
    folder = writer(tmp_path / "export", valid_tables())
    db = tmp_path / "wh" / "bpu.duckdb"

    info = importer.import_folder(folder, db)

    assert info.source == f"import:{folder}"
    assert not info.is_demo
    assert str(info.first_period) == "2017-01" and str(info.last_period) == "2017-05"
    counts = {t: query(db, f"SELECT count(*) FROM {t}")[0][0] for t in TABLE_NAMES}
    assert counts == {
        "regions": 1,
        "branches": 2,
        "outreach_events": 2,
        "participants": 5,
        "contributions": 6,
        "targets": 2,
    }
    # identifiers are text, whether the export wrote them as CSV digits or Parquet integers
    assert query(
        db, "SELECT registered_on, has_jht, event_id FROM participants WHERE participant_id = '2'"
    ) == [(pd.Timestamp("2017-03-10").date(), False, "1")]
    assert query(db, "SELECT payment_id, participant_id FROM contributions WHERE months = 12") == [
        ("5", "4")
    ]
    assert query(db, "SELECT nik, full_name, phone FROM participants ORDER BY participant_id") == [
        (None, None, None),
        (None, None, None),
        (None, None, None),
        (None, None, None),
        ("5171010101800001", "Made Wirawan", "081234567890"),
    ]
    assert query(db, "SELECT region_name FROM regions") == [("Bali, Nusa Tenggara, Papua",)]


def test_csv_and_parquet_give_the_same_data_version(tmp_path: Path) -> None:
    a = importer.import_folder(write_csv(tmp_path / "a", valid_tables()), tmp_path / "a.duckdb")
    b = importer.import_folder(write_parquet(tmp_path / "b", valid_tables()), tmp_path / "b.duckdb")
    assert a.data_version == b.data_version


def test_personal_columns_are_optional_and_extra_columns_and_files_ignored(tmp_path: Path) -> None:
    tables = valid_tables()
    for row in tables["participants"]:
        for column in ("nik", "full_name", "phone"):
            del row[column]
        row["catatan"] = "tidak dimuat"
    folder = write_csv(tmp_path / "export", tables)
    (folder / "README.txt").write_text("export 2017-07\n")
    (folder / "members_backup.csv").write_bytes(b"\x00\x01junk")
    db = tmp_path / "bpu.duckdb"

    importer.import_folder(folder, db)

    assert query(db, "SELECT count(*), count(nik) FROM participants") == [(5, 0)]
    assert "catatan" not in [r[0] for r in query(db, "DESCRIBE participants")]


def test_utf8_bom_blank_lines_and_padded_numbers_are_accepted(tmp_path: Path) -> None:
    folder = valid_folder(tmp_path / "export")
    path = folder / "targets.csv"
    windows = path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + windows.replace(b"\r\n", b"\r\n\r\n", 1))
    (folder / "regions.csv").write_text("region_code,region_name\nBANUSPA,Bali\n\n\n")
    tables = valid_tables()
    tables["participants"][0]["declared_income"] = " 2500000 "
    tables["participants"][0]["has_jht"] = "YA"
    write_csv(folder, {"participants": tables["participants"]})
    db = tmp_path / "bpu.duckdb"

    importer.import_folder(folder, db)

    assert query(db, "SELECT count(*) FROM targets") == [(2,)]
    assert query(
        db, "SELECT declared_income, has_jht FROM participants WHERE participant_id = '1'"
    ) == [(2500000, True)]


def test_header_only_file_loads_an_empty_table(tmp_path: Path) -> None:
    folder = valid_folder(tmp_path / "export")
    (folder / "targets.csv").write_text("branch_code,year,target_registered\n")
    db = tmp_path / "bpu.duckdb"
    importer.import_folder(folder, db)
    assert query(db, "SELECT count(*) FROM targets") == [(0,)]


def test_parquet_values_that_do_not_fit_the_contract(tmp_path: Path) -> None:
    folder = write_parquet(tmp_path / "export", valid_tables())
    path = folder / "participants.parquet"
    people = pq.read_table(path)
    registered = people["registered_on"].cast(pa.string()).to_pylist()
    registered[1] = "2017-3-10"
    income = [float(v) for v in people["declared_income"].to_pylist()]
    income[2] = 1500000.5
    exited = [None, None, dt.datetime(2017, 6, 30, 9, 30), None, None]
    people = people.set_column(2, "registered_on", pa.array(registered, pa.string()))
    people = people.set_column(5, "declared_income", pa.array(income, pa.float64()))
    people = people.set_column(8, "exited_on", pa.array(exited, pa.timestamp("us")))
    pq.write_table(people, path)
    assert rejected(folder) == [
        Violation("participants", "registered_on", "not a date (YYYY-MM-DD)", (2,), 1),
        Violation(
            "participants", "declared_income", "not a whole number (rupiah, no separators)", (3,), 1
        ),
        Violation("participants", "exited_on", "not a date (YYYY-MM-DD)", (3,), 1),
    ]


def test_read_folder_gives_text_indexed_by_data_row(tmp_path: Path) -> None:
    frames = importer.read_folder(valid_folder(tmp_path / "export"))
    assert sorted(frames) == sorted(TABLE_NAMES)
    participants = frames["participants"]
    assert list(participants.index) == [1, 2, 3, 4, 5]
    assert participants.loc[2, "registered_on"] == "2017-03-10"
    assert pd.isna(participants.loc[1, "event_id"])


def test_validate_returns_typed_contract_columns(tmp_path: Path) -> None:
    frames = importer.read_folder(valid_folder(tmp_path / "export"))
    frames["participants"]["catatan"] = "x"

    typed, violations = importer.validate(frames)

    assert violations == []
    people = typed["participants"]
    assert "catatan" not in people.columns and "nik" in people.columns
    assert pd.api.types.is_string_dtype(people["participant_id"])
    assert list(people["participant_id"]) == ["1", "2", "3", "4", "5"]
    assert str(people["registered_on"].dtype) == "datetime64[ns]"
    assert str(people["has_jht"].dtype) == "boolean"
    assert people["event_id"].isna().sum() == 3


def test_validate_reports_a_missing_table(tmp_path: Path) -> None:
    frames = importer.read_folder(valid_folder(tmp_path / "export"))
    del frames["targets"]
    assert importer.validate(frames)[1] == one("targets", None, "missing table")


# -- file-level problems ------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_missing_table_file(tmp_path: Path, table: str) -> None:
    folder = valid_folder(tmp_path / "export")
    (folder / f"{table}.csv").unlink()
    rule = f"missing file: expected {table}.csv or {table}.parquet"
    assert rejected(folder) == one(table, None, rule)


def test_csv_and_parquet_for_one_table(tmp_path: Path) -> None:
    folder = valid_folder(tmp_path / "export")
    write_parquet(folder, {"targets": valid_tables()["targets"]})
    rule = "both targets.csv and targets.parquet are present: keep only one"
    assert rejected(folder) == one("targets", None, rule)


@pytest.mark.parametrize("content", [b"", b"\n", b"\r\n\r\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    folder = valid_folder(tmp_path / "export")
    (folder / "targets.csv").write_bytes(content)
    assert rejected(folder) == one("targets", None, "empty file targets.csv: no header row")


def test_binary_junk_instead_of_csv(tmp_path: Path) -> None:
    folder = valid_folder(tmp_path / "export")
    (folder / "participants.csv").write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)))
    rule = "participants.csv is not a CSV text file (binary content)"
    # participants is unreadable, so its dependants are not checked against it
    assert rejected(folder) == one("participants", None, rule)


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    folder = valid_folder(tmp_path / "export")
    (folder / "regions.csv").write_bytes(
        "region_code,region_name\nBANUSPA,Balí\n".encode("latin-1")
    )
    rule = "regions.csv is not UTF-8 text: export it as CSV UTF-8"
    assert rejected(folder) == one("regions", None, rule)


def test_junk_instead_of_parquet(tmp_path: Path) -> None:
    folder = valid_folder(tmp_path / "export")
    (folder / "targets.csv").unlink()
    (folder / "targets.parquet").write_bytes(b"branch_code,year\nDPS,2017\n")
    [violation] = rejected(folder)
    assert (violation.table, violation.column) == ("targets", None)
    assert violation.rule.startswith("targets.parquet is not a readable Parquet file (")


def test_stray_delimiter_keeps_the_numbering_of_later_rows(tmp_path: Path) -> None:
    folder = valid_folder(tmp_path / "export")
    path = folder / "contributions.csv"
    lines = path.read_text().splitlines()
    lines[4] += ",99"  # data row 4 gains a field
    lines[2] = lines[2].rsplit(",", 1)[0]  # data row 2 loses one
    lines[5] = lines[5].replace(",12,", ",13,")  # data row 5: months out of range
    path.write_text("\n".join(lines) + "\n")
    assert rejected(folder) == [
        Violation("contributions", None, STRAY, (2, 4), 2),
        Violation("contributions", "months", "must be between 1 and 12", (5,), 1),
    ]


def test_column_twice_in_header(tmp_path: Path) -> None:
    folder = valid_folder(tmp_path / "export")
    (folder / "regions.csv").write_text("region_code,region_name,region_name\nBANUSPA,Bali,Bali\n")
    rule = "column appears more than once in the header"
    assert rejected(folder) == one("regions", "region_name", rule)


@pytest.mark.parametrize(
    ("table", "column"),
    [("participants", "segment"), ("contributions", "amount_jht"), ("targets", "year")],
)
def test_missing_required_column(tmp_path: Path, table: str, column: str) -> None:
    tables = valid_tables()
    for row in tables[table]:
        del row[column]
    assert rejected_tables(tmp_path, tables) == one(table, column, "required column is missing")


def test_missing_folder_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(BpuReportsError, match=r"no folder .*nowhere") as caught:
        importer.import_folder(tmp_path / "nowhere", tmp_path / "bpu.duckdb")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "bpu.duckdb").exists()


# -- per-table rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "rule"),
    [
        (
            "participants",
            3,
            "declared_income",
            "dua juta",
            "not a whole number (rupiah, no separators)",
        ),
        (
            "participants",
            3,
            "declared_income",
            "1.500.000",
            "not a whole number (rupiah, no separators)",
        ),
        ("contributions", 2, "months", "1.5", "not a whole number"),
        ("outreach_events", 1, "potential", "banyak", "not a whole number"),
        ("targets", 2, "year", "2017a", "not a whole number"),
        ("participants", 4, "has_jht", "mungkin", "not true/false"),
    ],
)
def test_wrong_type(
    tmp_path: Path, table: str, row: int, column: str, value: str, rule: str
) -> None:
    tables = valid_tables()
    tables[table][row - 1][column] = value
    assert rejected_tables(tmp_path, tables) == one(table, column, rule, row)


@pytest.mark.parametrize(
    "value",
    [
        "kemarin",
        "2017-7-1",
        "01/07/2017",
        "2017-02-30",
        "2017-13-01",
        "20170301",
        "2017-03-10T00:00",
    ],
)
def test_date_not_iso_or_not_real(tmp_path: Path, value: str) -> None:
    tables = valid_tables()
    tables["participants"][1]["registered_on"] = value
    rule = "not a date (YYYY-MM-DD)"
    assert rejected_tables(tmp_path, tables) == one("participants", "registered_on", rule, 2)


def test_unparseable_nullable_date_is_reported(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["participants"][2]["exited_on"] = "30-06-2017"
    rule = "not a date (YYYY-MM-DD)"
    assert rejected_tables(tmp_path, tables) == one("participants", "exited_on", rule, 3)


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("participants", "segment"),
        ("participants", "registered_on"),
        ("contributions", "amount_jkm"),
        ("outreach_events", "title"),
        ("regions", "region_name"),
    ],
)
def test_empty_required_value(tmp_path: Path, table: str, column: str) -> None:
    tables = valid_tables()
    tables[table][0][column] = "  " if column == "title" else ""
    assert rejected_tables(tmp_path, tables) == one(table, column, "must not be empty", 1)


def test_duplicate_participant_id(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["participants"].append({**tables["participants"][0], "branch_code": "SGR"})
    assert rejected_tables(tmp_path, tables) == one(
        "participants", "participant_id", "duplicate id", 1, 6
    )


def test_duplicate_branch_code(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["branches"].append(dict(tables["branches"][1]))
    assert rejected_tables(tmp_path, tables) == one(
        "branches", "branch_code", "duplicate code", 2, 3
    )


def test_duplicate_target_for_branch_and_year(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["targets"].append({"branch_code": "DPS", "year": "2017", "target_registered": "900"})
    tables["targets"].append({"branch_code": "DPS", "year": "2018", "target_registered": "1200"})
    rule = "duplicate (branch_code, year)"
    assert rejected_tables(tmp_path, tables) == one("targets", None, rule, 1, 3)


@pytest.mark.parametrize("bad", ["0", "13"])
def test_months_out_of_range(tmp_path: Path, bad: str) -> None:
    tables = valid_tables()
    tables["contributions"][3]["months"] = bad
    rule = "must be between 1 and 12"
    assert rejected_tables(tmp_path, tables) == one("contributions", "months", rule, 4)


def test_months_0_and_13_are_one_violation(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["contributions"][0]["months"] = "0"
    tables["contributions"][4]["months"] = "13"
    rule = "must be between 1 and 12"
    assert rejected_tables(tmp_path, tables) == one("contributions", "months", rule, 1, 5)


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("contributions", "amount_jkk"),
        ("contributions", "amount_jkm"),
        ("contributions", "amount_jht"),
        ("participants", "declared_income"),
        ("outreach_events", "potential"),
        ("targets", "target_registered"),
    ],
)
def test_negative_amount(tmp_path: Path, table: str, column: str) -> None:
    tables = valid_tables()
    tables[table][1][column] = "-100"
    assert rejected_tables(tmp_path, tables) == one(table, column, "must be ≥ 0", 2)


def test_bad_office_type(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["branches"][1]["office_type"] = "KCU"
    rule = "must be one of KC, KCP"
    assert rejected_tables(tmp_path, tables) == one("branches", "office_type", rule, 2)


def test_code_with_characters_that_could_escape_a_path(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["targets"][0]["branch_code"] = "../DPS"
    rule = "must be a code of letters, digits, '_' or '-'"
    # the row failed its own table's rules, so it is not also reported as an orphan
    assert rejected_tables(tmp_path, tables) == one("targets", "branch_code", rule, 1)


# -- cross-table rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "parent"),
    [
        ("participants", 2, "branch_code", "XXX", "branches"),
        ("participants", 1, "event_id", "99", "outreach_events"),
        ("contributions", 3, "participant_id", "99", "participants"),
        ("outreach_events", 2, "branch_code", "XXX", "branches"),
        ("branches", 1, "region_code", "JAWA", "regions"),
        ("targets", 2, "branch_code", "KPJ", "branches"),
    ],
)
def test_orphan_foreign_key(
    tmp_path: Path, table: str, row: int, column: str, value: str, parent: str
) -> None:
    tables = valid_tables()
    tables[table][row - 1][column] = value
    rule = f"unknown {column} (not in {parent})"
    assert rejected_tables(tmp_path, tables) == one(table, column, rule, row)


def test_first_month_not_on_the_first(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["contributions"][1]["first_month"] = "2017-02-05"
    rule = "must be the first day of a month"
    assert rejected_tables(tmp_path, tables) == one("contributions", "first_month", rule, 2)


def test_payment_for_a_month_before_registration(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["contributions"][2]["first_month"] = "2017-02-01"  # member 2 registered 2017-03-10
    rule = "covers a month before the member's registration month"
    assert rejected_tables(tmp_path, tables) == one("contributions", "first_month", rule, 3)


def test_paid_before_registration(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["contributions"][2]["paid_on"] = "2017-03-09"  # member 2 registered 2017-03-10
    rule = "before the member's registered_on"
    assert rejected_tables(tmp_path, tables) == one("contributions", "paid_on", rule, 3)


def test_exited_before_registration(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["participants"][2]["exited_on"] = "2017-04-01"  # registered 2017-04-12
    rule = "before registered_on"
    assert rejected_tables(tmp_path, tables) == one("participants", "exited_on", rule, 3)


def test_parent_row_with_another_problem_still_counts_as_a_parent(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["participants"][1]["channel"] = ""  # member 2 is bad, but exists
    assert rejected_tables(tmp_path, tables) == one(
        "participants", "channel", "must not be empty", 2
    )


# -- reporting ----------------------------------------------------------------------------------


def test_violations_from_several_tables_are_reported_together(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["branches"][1]["office_type"] = "KCU"
    tables["contributions"][0]["months"] = "0"
    tables["contributions"][5]["participant_id"] = "99"
    tables["targets"][1]["year"] = "dua ribu"
    folder = write_csv(tmp_path / "export", tables)
    (folder / "outreach_events.csv").unlink()
    assert rejected(folder) == [
        Violation("branches", "office_type", "must be one of KC, KCP", (2,), 1),
        Violation(
            "outreach_events",
            None,
            "missing file: expected outreach_events.csv or outreach_events.parquet",
        ),
        Violation(
            "contributions",
            "participant_id",
            "unknown participant_id (not in participants)",
            (6,),
            1,
        ),
        Violation("contributions", "months", "must be between 1 and 12", (1,), 1),
        Violation("targets", "year", "not a whole number", (2,), 1),
    ]


def test_many_bad_rows_keep_20_row_numbers_and_the_full_count(tmp_path: Path) -> None:
    tables = valid_tables()
    template = tables["contributions"][0]
    tables["contributions"] += [
        {**template, "payment_id": str(100 + i), "months": "0"} for i in range(25)
    ]
    [violation] = rejected_tables(tmp_path, tables)
    assert violation.rows == tuple(range(7, 27))
    assert violation.count == 25
    assert violation.describe().endswith(
        "25 rows: " + ", ".join(map(str, range(7, 27))) + " (+5 more)"
    )


def test_error_message_names_table_column_rule_and_rows(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["participants"][1]["registered_on"] = "2017-7-1"
    tables["branches"][1]["office_type"] = "KCU"
    with pytest.raises(ContractError) as caught:
        importer.import_folder(write_csv(tmp_path / "export", tables), tmp_path / "bpu.duckdb")
    assert str(caught.value) == (
        "import rejected, nothing loaded: branches.office_type: must be one of KC, KCP — 1 row: 2"
        "; and 1 more problem(s), listed below"
    )
    assert (
        caught.value.details()[1]
        == "participants.registered_on: not a date (YYYY-MM-DD) — 1 row: 2"
    )


# -- a rejected import leaves the warehouse alone -----------------------------------------------


def test_rejected_import_leaves_existing_warehouse_byte_for_byte(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    db = wh / "bpu.duckdb"
    importer.import_folder(valid_folder(tmp_path / "good"), db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    listing = sorted(p.name for p in wh.iterdir())
    tables = valid_tables()
    tables["contributions"][0]["months"] = "13"

    rejected(write_csv(tmp_path / "bad", tables), db)

    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in wh.iterdir()) == listing


def test_rejected_import_creates_nothing(tmp_path: Path) -> None:
    folder = valid_folder(tmp_path / "export")
    (folder / "regions.csv").unlink()
    db = tmp_path / "new" / "bpu.duckdb"
    rejected(folder, db)
    assert not db.parent.exists()
