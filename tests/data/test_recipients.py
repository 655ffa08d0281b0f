"""The ``recipients`` table: imported and checked like the other tables, optional, read by
``recipients.load``, and never shown: no address nor name in any message.

The hand-made export is ``fixtures_import``'s (region BANUSPA, branches DPS and SGR) plus the
four recipients below. Row numbers are data rows (the first row under the header is row 1).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from fixtures_import import Rows, valid_tables, write_csv, write_parquet

from bpu_reports.cli import main
from bpu_reports.data import importer, recipients, store
from bpu_reports.data.contract import NATIONAL, TABLES
from bpu_reports.data.demo.organisation import organisation
from bpu_reports.data.demo.recipients import recipients as demo_recipients
from bpu_reports.data.parsing import normal_address
from bpu_reports.data.recipients import Recipient, RecipientsMissing, load, mask
from bpu_reports.errors import ContractError, WarehouseError

HEADER = ["scope_code", "email", "name", "role", "lang", "active"]
RECIPIENTS = [
    "DPS|kepala.dps@example.invalid|Ayu Contoh|Kepala Kantor Cabang|id|true",
    # the domain in capitals: stored in lower case; "ya" is Indonesian for true
    "DPS|Wakil.DPS@Example.INVALID|Bagus Contoh|Kepala Bidang Kepesertaan|en|ya",
    "BANUSPA|deputi.banuspa@example.invalid|Citra Contoh|Deputi Direktur Wilayah|id|false",
    "NATIONAL|direktur@example.invalid|Dharma Contoh|Direktur Kepesertaan|en|true",
]
SECRETS = ("Contoh", "kepala", "wakil", "deputi", "direktur", "example.invalid", "@")
"""What must never appear in an error: any part of a name or of an address."""
EMAIL_RULE = "not an e-mail address (one address alone: no name, list or spaces)"


def tables_with(lines: list[str]) -> dict[str, Rows]:
    tables = valid_tables()
    tables["recipients"] = [dict(zip(HEADER, line.split("|"), strict=True)) for line in lines]
    return tables


def import_cli(capsys: pytest.CaptureFixture[str], folder: Path, db: Path) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["db", "import", str(folder), "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out + err


def imported(tmp_path: Path, lines: list[str] = RECIPIENTS) -> Path:
    db = tmp_path / "bpu.duckdb"
    importer.import_folder(write_csv(tmp_path / "export", tables_with(lines)), db)
    return db


# -- a valid file loads ---------------------------------------------------------------------------


def test_valid_recipients_load_sorted_and_active_only(tmp_path: Path) -> None:
    db = imported(tmp_path)
    with store.connect(db) as con:
        active = load(con)
        everyone = load(con, active_only=False)
        national = load(con, [NATIONAL])
        of_dps_and_region = load(con, ["DPS", "BANUSPA"], active_only=False)
        nobody = load(con, [])

    head = Recipient(
        "DPS", "kepala.dps@example.invalid", "Ayu Contoh", "Kepala Kantor Cabang", "id", True
    )
    # the domain is stored in lower case, the local part as written; "ya" read as true
    second = Recipient(
        "DPS", "Wakil.DPS@example.invalid", "Bagus Contoh", "Kepala Bidang Kepesertaan", "en", True
    )
    regional = Recipient(
        "BANUSPA",
        "deputi.banuspa@example.invalid",
        "Citra Contoh",
        "Deputi Direktur Wilayah",
        "id",
        False,
    )
    director = Recipient(
        NATIONAL, "direktur@example.invalid", "Dharma Contoh", "Direktur Kepesertaan", "en", True
    )
    # by scope code, then address (as text: capitals sort before small letters)
    assert active == [second, head, director]
    assert everyone == [regional, second, head, director]
    assert national == [director]
    assert of_dps_and_region == [regional, second, head]
    assert nobody == []


def test_parquet_recipients_load_the_same(tmp_path: Path) -> None:
    lines = [line.replace("|ya", "|true") for line in RECIPIENTS]
    from_csv = imported(tmp_path / "csv", lines)
    from_parquet = tmp_path / "pq" / "bpu.duckdb"
    importer.import_folder(
        write_parquet(tmp_path / "pq" / "export", tables_with(lines)), from_parquet
    )

    with store.connect(from_csv) as a, store.connect(from_parquet) as b:
        assert load(a, active_only=False) == load(b, active_only=False)
        assert len(load(b, active_only=False)) == 4


def test_no_recipients_file_is_an_empty_table(tmp_path: Path, capsys) -> None:
    folder = write_csv(tmp_path / "export", valid_tables())
    db = tmp_path / "bpu.duckdb"
    code, text = import_cli(capsys, folder, db)
    assert code == 0, text

    with store.connect(db) as con:
        assert load(con, active_only=False) == []
    assert main(["--db", str(db), "db", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["recipients"] == {"active": 0, "total": 0}
    assert "recipients" not in status["rows"]  # rows: the six data tables


def test_a_header_only_recipients_file_is_an_empty_table(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "export", valid_tables())
    (folder / "recipients.csv").write_text(",".join(HEADER) + "\n", encoding="utf-8")
    db = tmp_path / "bpu.duckdb"
    importer.import_folder(folder, db)
    with store.connect(db) as con:
        assert load(con, active_only=False) == []


def test_an_unreadable_recipients_file_is_refused_not_taken_as_empty(tmp_path: Path) -> None:
    """Absent means empty; present but unreadable is a problem, or nobody would get a report
    and nobody would know why."""
    folder = write_csv(tmp_path / "export", valid_tables())
    (folder / "recipients.csv").write_bytes("scope_code,email\nDPS,k\xe9pala\n".encode("latin-1"))
    with pytest.raises(ContractError) as caught:
        importer.import_folder(folder, tmp_path / "bpu.duckdb")
    assert caught.value.details() == [
        "recipients: recipients.csv is not UTF-8 text: export it as CSV UTF-8"
    ]


def test_recipients_do_not_change_the_data_version(tmp_path: Path) -> None:
    """Reports are made from the six data tables; a new reader re-sends them, not re-makes."""
    with_readers = imported(tmp_path / "a")
    without = tmp_path / "b" / "bpu.duckdb"
    importer.import_folder(write_csv(tmp_path / "b" / "export", valid_tables()), without)
    with store.connect(with_readers) as a, store.connect(without) as b:
        assert store.info(a).data_version == store.info(b).data_version
        assert store.table_checksums(a)["recipients"] != store.table_checksums(b)["recipients"]


def test_status_counts_recipients_without_naming_them(tmp_path: Path, capsys) -> None:
    db = imported(tmp_path)
    capsys.readouterr()
    assert main(["--db", str(db), "db", "status", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["recipients"] == {"active": 3, "total": 4}
    for secret in SECRETS:
        assert secret not in out
    assert main(["--db", str(db), "db", "status"]) == 0
    out = capsys.readouterr().out
    for secret in SECRETS:
        assert secret not in out


# -- each rule, with where it was broken and nothing of the person --------------------------------


@pytest.mark.parametrize(
    ("row", "column", "value", "expected"),
    [
        (2, "email", "Bagus Contoh <wakil.dps@example.invalid>", f"recipients.email: {EMAIL_RULE}"),
        (2, "email", "wakil.dps at example.invalid", f"recipients.email: {EMAIL_RULE}"),
        (
            2,
            "email",
            "kepala@example.invalid, wakil@example.invalid",
            f"recipients.email: {EMAIL_RULE}",
        ),
        (2, "email", "wakil@localhost", f"recipients.email: {EMAIL_RULE}"),
        (2, "email", "", "recipients.email: must not be empty"),
        (
            3,
            "scope_code",
            "NUSRA",
            "recipients.scope_code: unknown scope_code (not a branch_code, a region_code or "
            "NATIONAL)",
        ),
        (
            3,
            "scope_code",
            "national",
            "recipients.scope_code: unknown scope_code (not a "
            "branch_code, a region_code or NATIONAL)",
        ),
        (4, "lang", "fr", "recipients.lang: must be one of id, en"),
        (4, "lang", "EN", "recipients.lang: must be one of id, en"),
        (1, "active", "mungkin", "recipients.active: not true/false"),
        (1, "name", " ", "recipients.name: must not be empty"),
        (1, "role", "", "recipients.role: must not be empty"),
    ],
)
def test_each_rule_is_refused_without_the_address_or_the_name(
    tmp_path: Path, capsys, row: int, column: str, value: str, expected: str
) -> None:
    tables = tables_with(RECIPIENTS)
    tables["recipients"][row - 1][column] = value
    db = tmp_path / "bpu.duckdb"

    code, text = import_cli(capsys, write_csv(tmp_path / "export", tables), db)

    assert code == 2
    assert text.strip() == f"error: import rejected, nothing loaded: {expected} — 1 row: {row}"
    for secret in SECRETS:
        assert secret not in text.replace(EMAIL_RULE, "")
    assert not db.exists()


def test_duplicate_scope_and_address(tmp_path: Path, capsys) -> None:
    """The same address twice for one scope, the second time with its domain in capitals:
    one reader, who would get every e-mail twice. The same address for two scopes is fine."""
    lines = [
        *RECIPIENTS,
        "DPS|kepala.dps@EXAMPLE.invalid|Eka Contoh|Kepala Kantor Cabang|id|true",
        "SGR|kepala.dps@example.invalid|Ayu Contoh|Kepala Kantor Cabang|id|true",
    ]
    folder = write_csv(tmp_path / "export", tables_with(lines))

    code, text = import_cli(capsys, folder, tmp_path / "bpu.duckdb")

    assert code == 2
    assert text.strip() == (
        "error: import rejected, nothing loaded: recipients: duplicate (scope_code, email) "
        "— 2 rows: 1, 5"
    )
    for secret in SECRETS:
        assert secret not in text


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    tables = tables_with(RECIPIENTS)
    tables["recipients"][0]["email"] = "Ayu Contoh"
    tables["recipients"][1]["lang"] = "jv"
    tables["recipients"][2]["scope_code"] = "ZZZ"
    tables["recipients"][3]["active"] = "2"
    with pytest.raises(ContractError) as caught:
        importer.import_folder(write_csv(tmp_path / "export", tables), tmp_path / "bpu.duckdb")
    assert caught.value.details() == [
        "recipients.scope_code: unknown scope_code (not a branch_code, a region_code or "
        "NATIONAL) — 1 row: 3",
        f"recipients.email: {EMAIL_RULE} — 1 row: 1",
        "recipients.lang: must be one of id, en — 1 row: 2",
        "recipients.active: not true/false — 1 row: 4",
    ]


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    tables = tables_with(RECIPIENTS)
    for row in tables["recipients"]:
        del row["lang"]
    with pytest.raises(ContractError) as caught:
        importer.import_folder(write_csv(tmp_path / "export", tables), tmp_path / "bpu.duckdb")
    assert caught.value.details() == ["recipients.lang: required column is missing"]


def test_scope_unchecked_when_branches_are_unreadable(tmp_path: Path) -> None:
    """Without a branches file every scope would look unknown: only the file is reported."""
    folder = write_csv(tmp_path / "export", tables_with(RECIPIENTS))
    (folder / "branches.csv").unlink()
    with pytest.raises(ContractError) as caught:
        importer.import_folder(folder, tmp_path / "bpu.duckdb")
    assert [v.table for v in caught.value.violations] == ["branches"]


def test_validate_takes_an_absent_recipients_table_as_empty(tmp_path: Path) -> None:
    frames = importer.read_folder(write_csv(tmp_path / "export", valid_tables()))
    assert "recipients" not in frames  # as read: no file, no frame
    typed, violations = importer.validate(frames)
    assert violations == []
    assert typed["recipients"].empty
    assert list(typed["recipients"].columns) == TABLES["recipients"].columns


# -- load, mask, repr -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("kepala.dps@example.invalid", "k***@example.invalid"),
        ("  Wakil@Example.INVALID ", "W***@Example.INVALID"),
        ("@example.invalid", "***@example.invalid"),
        ("a@b@example.invalid", "a***@example.invalid"),  # the domain is after the last @
        ("Ayu Contoh", "***"),  # no @: perhaps a name in the wrong column; nothing of it shown
        ("", "***"),
        ("k@exa\nmple.invalid", "k***@exa?mple.invalid"),  # no forged log line
    ],
)
def test_mask(address: str, shown: str) -> None:
    assert mask(address) == shown


def test_repr_shows_neither_name_nor_address() -> None:
    r = Recipient("DPS", "kepala.dps@example.invalid", "Ayu Contoh", "Kepala", "id", True)
    for text in (repr(r), str(r), f"{r}", repr([r])):
        assert "Ayu" not in text and "kepala.dps" not in text
        assert "k***@example.invalid" in text and "'DPS'" in text


def test_an_older_warehouse_without_the_table(tmp_path: Path, capsys) -> None:
    """Built before recipients existed: reports and status still work; ``load`` says what to
    do (exit code 2, as every error of the package)."""
    db = imported(tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE recipients")

    with store.connect(db) as con:
        with pytest.raises(RecipientsMissing) as caught:
            load(con)
        assert not recipients.has_table(con)
        assert "recipients" not in store.table_checksums(con)
    assert isinstance(caught.value, WarehouseError) and caught.value.exit_code == 2
    assert "no recipients table" in str(caught.value)
    assert "bpu-reports db import" in str(caught.value)

    capsys.readouterr()
    assert main(["--db", str(db), "db", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["recipients"] is None


def test_normal_address() -> None:
    assert normal_address("Kepala.DPS@Example.INVALID") == "Kepala.DPS@example.invalid"
    assert normal_address("kepala@bpjs.example.test") == "kepala@bpjs.example.test"
    assert normal_address("kepala@bpjsketenagakerjaan.go.id") == "kepala@bpjsketenagakerjaan.go.id"
    for bad in ("kepala@invalid", "kepala@", "kepala", "a b@example.invalid", "k@x.local"):
        assert normal_address(bad) is None, bad


# -- the demo -------------------------------------------------------------------------------------


def test_bali_demo_has_readers_for_every_office_region_and_the_country(bali_con) -> None:
    everyone = load(bali_con, active_only=False)
    branches = {r[0] for r in bali_con.execute("SELECT branch_code FROM branches").fetchall()}
    active = [r for r in everyone if r.active]

    assert branches == {"DPS", "GIA", "SGR", "BDU", "TAB", "JMB", "KLK", "KRA"}
    assert {r.scope_code for r in active} == branches | {"BANUSPA", NATIONAL}
    heads = [r.scope_code for r in active if r.role == "Kepala Kantor Cabang"]
    assert sorted(heads) == sorted(branches)  # one head each
    assert [r.scope_code for r in active if r.role == "Deputi Direktur Wilayah"] == ["BANUSPA"]
    assert sorted(r.lang for r in active if r.scope_code == NATIONAL) == ["en", "id"]
    assert sorted(r.scope_code for r in active if r.role == "Kepala Bidang Kepesertaan") == [
        "DPS",
        "GIA",
    ]
    assert [(r.scope_code, r.role) for r in everyone if not r.active] == [
        ("DPS", "Kepala Kantor Cabang")
    ]
    assert {r.lang for r in active} == {"id", "en"}
    for r in everyone:
        assert r.email.endswith("@example.invalid")
        assert normal_address(r.email) == r.email  # as an import would store it
        assert r.name.endswith(" Contoh")


@pytest.mark.parametrize("scale", ["bali", "national"])
def test_demo_recipients_keep_the_contract(scale: str) -> None:
    """The demo's table passes the import's rules, at both scales (306 offices nationally)."""
    org = organisation(scale)
    table = demo_recipients(org).to_pandas()
    table.index = pd.RangeIndex(1, len(table) + 1)
    frames = {
        "regions": pd.DataFrame(
            {"region_code": [c for c, _ in org.regions], "region_name": [n for _, n in org.regions]}
        ),
        "branches": pd.DataFrame(
            {
                "branch_code": [o.code for o in org.offices],
                "branch_name": [o.name for o in org.offices],
                "region_code": [o.region_code for o in org.offices],
                "office_type": [o.office_type for o in org.offices],
            }
        ),
        "recipients": table,
    }
    _, violations = importer.validate(frames)
    assert [v for v in violations if v.table in frames] == []
    heads = table[table["role"] == "Kepala Kantor Cabang"]
    assert len(heads[heads["active"]]) == len(org.offices)
    assert set(table["scope_code"]) == {o.code for o in org.offices} | {
        c for c, _ in org.regions
    } | {NATIONAL}
    assert demo_recipients(org).equals(demo_recipients(organisation(scale)))  # deterministic


def test_csv_export_of_the_demo_recipients_imports_as_it_was(tmp_path: Path, bali_con) -> None:
    """The demo's recipients written out as recipients.csv and imported: the same readers."""
    rows = bali_con.execute(
        "SELECT scope_code, email, name, role, lang, active FROM recipients"
    ).fetchall()
    tables = valid_tables()
    folder = write_csv(tmp_path / "export", tables)
    with (folder / "recipients.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for scope, *rest, active in rows:
            # the hand-made export has DPS, SGR and BANUSPA: keep those and NATIONAL
            if scope in ("DPS", "SGR", "BANUSPA", NATIONAL):
                writer.writerow([scope, *rest, "true" if active else "false"])
    db = tmp_path / "bpu.duckdb"
    importer.import_folder(folder, db)
    with store.connect(db) as con:
        again = load(con, active_only=False)
    kept = [
        r
        for r in load(bali_con, active_only=False)
        if r.scope_code in ("DPS", "SGR", "BANUSPA", NATIONAL)
    ]
    assert again == kept and len(kept) == 7  # DPS 3 (1 inactive), SGR, BANUSPA, 2 national
