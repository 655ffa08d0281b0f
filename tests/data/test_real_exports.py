"""What real exports carry, through ``bpu-reports db import DIR``: each case either imports (and
``docs/data-contract.md`` says so) or is refused with one ``error:`` line, exit 2, and the
warehouse byte for byte as it was. ``docs/reliability.md`` §3 lists the cases.

Permission cases run the command as an unprivileged user in a subprocess when the tests run as
root (CI), where chmod does not deny access; otherwise in-process after a chmod.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fixtures_import import valid_folder, valid_tables, write_csv, write_parquet

from bpu_reports.cli import main
from cli_outcome import refused
from handmade import handmade_tables
from unprivileged import run_unprivileged

TODAY = dt.date.today()
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()
INT64_MAX = "9223372036854775807"


class Cli:
    """``main(argv)`` in-process, with what it printed (as ``tests/hardening`` does)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]):
        self.capsys = capsys

    def __call__(self, *argv: object) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *argv: object) -> str:
        code, out, err = self(*argv)
        assert code == 0, err
        return out


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def sha(folder: Path) -> dict[str, str]:
    """sha256 of every file in ``folder`` (the warehouse and anything beside it)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def warehouse(cli: Cli, tmp_path: Path) -> Path:
    """A warehouse imported from the valid export folder; refusals must leave it as it is."""
    db = tmp_path / "wh" / "bpu.duckdb"
    cli.ok("--db", db, "db", "import", valid_folder(tmp_path / "good"))
    return db


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def meta(db: Path) -> dict[str, str]:
    return dict(query(db, "SELECT key, value FROM _meta"))


def imports(cli: Cli, folder: Path, db: Path) -> dict[str, str]:
    """Import ``folder`` into ``db`` (must succeed); the warehouse's metadata."""
    cli.ok("--db", db, "db", "import", folder)
    return meta(db)


def refuses(cli: Cli, warehouse: Path, folder: Path, message: str) -> str:
    """Import ``folder`` over ``warehouse``: refused with ``message``, warehouse untouched."""
    before = sha(warehouse.parent)
    line = refused(*cli("--db", warehouse, "db", "import", folder), message)
    assert sha(warehouse.parent) == before
    return line


def with_change(tmp_path: Path, table: str, row: int, column: str, value: str) -> Path:
    """The valid export folder with one value changed (``row`` counts from 1)."""
    tables = valid_tables()
    tables[table][row - 1][column] = value
    return write_csv(tmp_path / "export", tables)


# -- 1. text identifiers ------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_handmade(folder: Path, ids: dict[str, Callable[[int], str]]) -> Path:
    """The hand-made dataset (``tests/handmade.py``) as CSV files; ``ids`` maps an id column's
    numbers to the text written for them (``participant_id`` also maps that column elsewhere)."""
    folder.mkdir(parents=True)
    for name, rows in handmade_tables().items():
        header = list(rows[0])
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(
                    _text(ids[c](row[c]) if c in ids and row[c] is not None else row[c])
                    for c in header
                )
    return folder


def metrics_json(cli: Cli, db: Path, branch: str) -> dict:
    return json.loads(
        cli.ok("--db", db, "metrics", "--branch", branch, "--period", "2017-07", "--json")
    )


TEXT_IDS: dict[str, Callable[[int], str]] = {
    "participant_id": lambda n: f"KPJ-{n:09d}",
    "payment_id": lambda n: f"INV-2017-{n:06d}",
    "event_id": lambda n: f"EV-{n:04d}",
}


def test_text_ids_give_the_same_metrics_as_numeric_ids(cli: Cli, tmp_path: Path) -> None:
    numeric = write_handmade(tmp_path / "numeric", {})
    text = write_handmade(tmp_path / "text", TEXT_IDS)
    assert "INV-2017-010101,KPJ-000000101," in (text / "contributions.csv").read_text()
    a, b = tmp_path / "numeric.duckdb", tmp_path / "text.duckdb"
    imports(cli, numeric, a)
    imports(cli, text, b)

    assert query(b, "SELECT event_id FROM participants WHERE participant_id = 'KPJ-000000005'") == [
        ("EV-0001",)
    ]
    for branch in ("A", "B"):
        from_numbers, from_text = metrics_json(cli, a, branch), metrics_json(cli, b, branch)
        # what may differ: the warehouse's source folder and data version (its ids differ),
        # and the event ids the outreach table shows
        for side in (from_numbers, from_text):
            assert side["warehouse"].pop("source").startswith("import:")
            side["warehouse"].pop("data_version")
        for row in from_numbers["outreach"]:
            row["event_id"] = TEXT_IDS["event_id"](int(row["event_id"]))
        assert from_numbers == from_text
        assert from_text["warehouse"]["data_cutoff"] == "2017-08-02"
    # and they are the hand-worked values (tests/handmade.py): branch A in July 2017
    a_july = metrics_json(cli, b, "A")
    assert (a_july["registered"], a_july["active"], a_july["on_time"]) == (13, 8, 5)
    assert a_july["collected_amount"] == 16_800 * 14


def test_leading_zeros_make_two_members(cli: Cli, tmp_path: Path) -> None:
    tables = valid_tables()
    tables["participants"][0]["participant_id"] = "00123"
    tables["participants"][1]["participant_id"] = "123"
    tables["contributions"][0]["participant_id"] = "00123"
    tables["contributions"][1]["participant_id"] = "00123"
    tables["contributions"][2]["participant_id"] = "123"
    tables["contributions"][0]["payment_id"] = "INV-2017-000123"
    db = tmp_path / "bpu.duckdb"

    imports(cli, write_csv(tmp_path / "export", tables), db)

    assert query(
        db,
        "SELECT participant_id, registered_on, count(payment_id) FROM participants "
        "LEFT JOIN contributions USING (participant_id) "
        "WHERE participant_id IN ('00123', '123') GROUP BY ALL ORDER BY 1",
    ) == [("00123", dt.date(2017, 1, 5), 2), ("123", dt.date(2017, 3, 10), 1)]
    assert query(db, "SELECT count(*) FROM contributions WHERE payment_id = 'INV-2017-000123'") == [
        (1,)
    ]


def test_id_longer_than_64_characters_is_refused(cli: Cli, warehouse: Path, tmp_path: Path) -> None:
    refuses(
        cli,
        warehouse,
        with_change(tmp_path, "contributions", 3, "payment_id", "INV-" + "0" * 61),
        "contributions.payment_id: must be at most 64 characters — 1 row: 3",
    )


def test_64_characters_is_an_id(cli: Cli, tmp_path: Path) -> None:
    tables = valid_tables()
    tables["outreach_events"][0]["event_id"] = "E" * 64
    tables["participants"][1]["event_id"] = "E" * 64
    db = tmp_path / "bpu.duckdb"
    imports(cli, write_csv(tmp_path / "export", tables), db)
    assert query(db, "SELECT length(event_id) FROM participants WHERE participant_id = '2'") == [
        (64,)
    ]


def test_parquet_int64_ids_import_as_digits(cli: Cli, tmp_path: Path) -> None:
    folder = write_parquet(tmp_path / "export", valid_tables())
    assert (
        pq.read_schema(folder / "participants.parquet").field("participant_id").type == pa.int64()
    )
    db = tmp_path / "bpu.duckdb"

    csv_version = imports(cli, valid_folder(tmp_path / "csv"), tmp_path / "csv.duckdb")
    parquet_version = imports(cli, folder, db)

    assert query(db, "SELECT participant_id, event_id FROM participants ORDER BY 1") == [
        ("1", None),
        ("2", "1"),
        ("3", "2"),
        ("4", None),
        ("5", None),
    ]
    assert query(db, "SELECT typeof(payment_id) FROM contributions LIMIT 1") == [("VARCHAR",)]
    assert parquet_version["data_version"] == csv_version["data_version"]


# -- 2. dates -----------------------------------------------------------------------------------


def test_no_exit_sentinel_is_an_empty_exited_on_in_csv(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "bpu.duckdb"
    plain = imports(cli, valid_folder(tmp_path / "plain"), tmp_path / "plain.duckdb")
    tables = valid_tables()
    for row in tables["participants"]:
        row["exited_on"] = row["exited_on"] or "9999-12-31"

    sentinel = imports(cli, write_csv(tmp_path / "export", tables), db)

    assert query(db, "SELECT participant_id, exited_on FROM participants ORDER BY 1") == [
        ("1", None),
        ("2", None),
        ("3", dt.date(2017, 6, 30)),
        ("4", None),
        ("5", None),
    ]
    assert sentinel["data_version"] == plain["data_version"]
    assert sentinel["last_period"] == "2017-05"


@pytest.mark.parametrize("arrow_type", [pa.date32(), pa.timestamp("us"), pa.timestamp("ms")])
def test_no_exit_sentinel_in_parquet_date_columns(
    cli: Cli, tmp_path: Path, arrow_type: pa.DataType
) -> None:
    """pandas' datetime64[ns] ends in 2262: 9999-12-31 is read without it, then made empty."""
    folder = write_parquet(tmp_path / "export", valid_tables())
    path = folder / "participants.parquet"
    people = pq.read_table(path)
    no_exit = dt.datetime(9999, 12, 31)
    exited = [no_exit, no_exit, dt.datetime(2017, 6, 30), None, no_exit]
    column = pa.array(exited, pa.timestamp("us")).cast(arrow_type)
    pq.write_table(people.set_column(8, "exited_on", column), path)
    db = tmp_path / "bpu.duckdb"

    imports(cli, folder, db)

    assert query(db, "SELECT count(exited_on), max(exited_on) FROM participants") == [
        (1, dt.date(2017, 6, 30))
    ]


@pytest.mark.parametrize(
    ("table", "row", "column", "value"),
    [
        ("participants", 2, "registered_on", "1900-01-01"),
        ("participants", 3, "exited_on", "1899-12-31"),
        ("contributions", 4, "paid_on", "0001-01-01"),
        ("contributions", 4, "first_month", "1989-12-01"),
        ("outreach_events", 1, "held_on", "1970-01-01"),
    ],
)
def test_date_before_1990_is_refused(
    cli: Cli, warehouse: Path, tmp_path: Path, table: str, row: int, column: str, value: str
) -> None:
    refuses(
        cli,
        warehouse,
        with_change(tmp_path, table, row, column, value),
        f"{table}.{column}: before 1990 (a placeholder date such as 1900-01-01?) — 1 row: {row}",
    )


def test_parquet_date_before_1990_is_refused(cli: Cli, warehouse: Path, tmp_path: Path) -> None:
    folder = write_parquet(tmp_path / "export", valid_tables())
    path = folder / "participants.parquet"
    people = pq.read_table(path)
    exited = [None, None, dt.date(1900, 1, 1), None, None]
    pq.write_table(people.set_column(8, "exited_on", pa.array(exited, pa.date32())), path)
    refuses(cli, warehouse, folder, "participants.exited_on: before 1990 (a placeholder")


@pytest.mark.parametrize(
    ("table", "row", "column", "value"),
    [
        ("participants", 1, "registered_on", "2107-01-05"),
        ("participants", 3, "exited_on", TOMORROW),
        ("contributions", 2, "paid_on", TOMORROW),
        ("participants", 4, "registered_on", "9999-12-31"),  # the sentinel means "no exit" only
    ],
)
def test_date_in_the_future_is_refused(
    cli: Cli, warehouse: Path, tmp_path: Path, table: str, row: int, column: str, value: str
) -> None:
    line = refuses(
        cli,
        warehouse,
        with_change(tmp_path, table, row, column, value),
        f"{table}.{column}: in the future (after {TODAY.isoformat()}, the import day) — 1 row: "
        f"{row}",
    )
    assert "more problem" not in line  # a refused date is not also "before registered_on"
    assert meta(warehouse)["last_period"] == "2017-05"


def test_planned_event_imports_without_stretching_the_data_range(cli: Cli, tmp_path: Path) -> None:
    planned = (TODAY + dt.timedelta(days=400)).isoformat()
    db = tmp_path / "bpu.duckdb"
    info = imports(cli, with_change(tmp_path, "outreach_events", 2, "held_on", planned), db)
    assert query(db, "SELECT max(held_on) FROM outreach_events") == [
        (dt.date.fromisoformat(planned),)
    ]
    assert (info["first_period"], info["last_period"]) == ("2017-01", "2017-05")


def test_event_after_2100_is_refused(cli: Cli, warehouse: Path, tmp_path: Path) -> None:
    refuses(
        cli,
        warehouse,
        with_change(tmp_path, "outreach_events", 2, "held_on", "9999-12-31"),
        "outreach_events.held_on: after 2100 (a placeholder date such as 9999-12-31?) — 1 row: 2",
    )


def test_parquet_registration_in_9999_is_refused(cli: Cli, warehouse: Path, tmp_path: Path) -> None:
    folder = write_parquet(tmp_path / "export", valid_tables())
    path = folder / "participants.parquet"
    people = pq.read_table(path)
    registered = people["registered_on"].to_pylist()
    registered[4] = dt.date(9999, 12, 31)
    pq.write_table(people.set_column(2, "registered_on", pa.array(registered, pa.date32())), path)
    refuses(cli, warehouse, folder, "participants.registered_on: in the future (after")


def test_prepaying_more_than_a_year_ahead_is_refused(
    cli: Cli, warehouse: Path, tmp_path: Path
) -> None:
    tables = valid_tables()
    tables["contributions"][0]["first_month"] = "2018-01-01"  # paid 2017-01-05: 12 ahead, fine
    tables["contributions"][1]["first_month"] = "2018-03-01"  # paid 2017-02-10: 13 ahead
    refuses(
        cli,
        warehouse,
        write_csv(tmp_path / "export", tables),
        "contributions.first_month: more than 12 months after the month of paid_on — 1 row: 2",
    )


# -- 3. values beyond a column's type -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (float("inf"), "not a whole number"),
        (float("-inf"), "not a whole number"),
        (float("nan"), "must not be empty"),
        (1e20, f"too large (at most {INT64_MAX})"),
    ],
    ids=["inf", "-inf", "nan", "1e20"],
)
@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("participants", "declared_income"),
        ("contributions", "amount_jkk"),
        ("contributions", "months"),
        ("targets", "target_registered"),
    ],
)
def test_parquet_float_that_is_no_whole_number(
    cli: Cli, warehouse: Path, tmp_path: Path, table: str, column: str, value: float, rule: str
) -> None:
    folder = write_parquet(tmp_path / "export", valid_tables())
    path = folder / f"{table}.parquet"
    frame = pq.read_table(path)
    values = [float(v) for v in frame[column].to_pylist()]
    values[1] = value
    position = frame.column_names.index(column)
    pq.write_table(frame.set_column(position, column, pa.array(values, pa.float64())), path)
    refuses(cli, warehouse, folder, f"{table}.{column}: {rule}")


def test_parquet_whole_floats_import(cli: Cli, tmp_path: Path) -> None:
    folder = write_parquet(tmp_path / "export", valid_tables())
    path = folder / "contributions.parquet"
    frame = pq.read_table(path)
    for column in ("amount_jkk", "months"):
        position = frame.column_names.index(column)
        frame = frame.set_column(position, column, frame[column].cast(pa.float64()))
    pq.write_table(frame, path)
    db = tmp_path / "bpu.duckdb"
    imports(cli, folder, db)
    assert query(db, "SELECT sum(amount_jkk), sum(months) FROM contributions") == [(385000, 24)]


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "rule"),
    [
        (
            "contributions",
            1,
            "amount_jkk",
            "99999999999999999999",
            f"too large (at most {INT64_MAX})",
        ),
        ("participants", 2, "declared_income", "9223372036854775808", "too large"),
        ("contributions", 3, "months", "99999999999999999999", "too large"),
        ("outreach_events", 1, "potential", "2147483648", "too large (at most 2147483647)"),
        ("targets", 2, "target_registered", "99999999999", "too large (at most 2147483647)"),
        ("contributions", 4, "months", "0", "must be between 1 and 12"),
        ("contributions", 4, "months", "13", "must be between 1 and 12"),
    ],
)
def test_number_beyond_the_column_is_refused(
    cli: Cli,
    warehouse: Path,
    tmp_path: Path,
    table: str,
    row: int,
    column: str,
    value: str,
    rule: str,
) -> None:
    refuses(
        cli,
        warehouse,
        with_change(tmp_path, table, row, column, value),
        f"{table}.{column}: {rule}",
    )
    assert refused(*cli("--db", warehouse, "db", "import", tmp_path / "export"), f"— 1 row: {row}")


def test_largest_numbers_of_each_column_import(cli: Cli, tmp_path: Path) -> None:
    tables = valid_tables()
    tables["outreach_events"][0]["potential"] = "2147483647"
    tables["targets"][0]["target_registered"] = "+2147483647"
    tables["participants"][0]["declared_income"] = INT64_MAX
    db = tmp_path / "bpu.duckdb"
    imports(cli, write_csv(tmp_path / "export", tables), db)
    assert query(
        db,
        "SELECT (SELECT max(potential) FROM outreach_events), "
        "(SELECT max(target_registered) FROM targets), "
        "(SELECT max(declared_income) FROM participants)",
    ) == [(2147483647, 2147483647, int(INT64_MAX))]


# -- 4. file shapes -----------------------------------------------------------------------------


def _reshape(folder: Path, change: Callable[[bytes], bytes]) -> Path:
    for path in folder.glob("*.csv"):
        path.write_bytes(change(path.read_bytes()))
    return folder


def _semicolons(folder: Path) -> Path:
    for name, rows in valid_tables().items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def _empty_unnamed_columns(folder: Path) -> Path:
    """Excel's trailing ``,,``: unnamed columns, empty in every row."""
    return _reshape(folder, lambda b: b.replace(b"\n", b",,\n"))


SHAPES: dict[str, Callable[[Path], Path]] = {
    "cr-only": lambda f: _reshape(f, lambda b: b.replace(b"\n", b"\r")),
    "crlf": lambda f: _reshape(f, lambda b: b.replace(b"\n", b"\r\n")),
    "bom": lambda f: _reshape(f, lambda b: b"\xef\xbb\xbf" + b),
    "bom-cr-only": lambda f: _reshape(f, lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r")),
    "blank-trailing-lines": lambda f: _reshape(f, lambda b: b + b"\n\n\r\n\n"),
    "semicolons": _semicolons,
    "empty-unnamed-columns": _empty_unnamed_columns,
    "semicolons-crlf-bom": lambda f: _reshape(
        _semicolons(f),
        lambda b: b"\xef\xbb\xbf" + b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_file_shape_imports_the_same_data(cli: Cli, tmp_path: Path, shape: str) -> None:
    plain = imports(cli, valid_folder(tmp_path / "plain"), tmp_path / "plain.duckdb")
    folder = SHAPES[shape](valid_folder(tmp_path / "export"))
    db = tmp_path / "bpu.duckdb"

    shaped = imports(cli, folder, db)

    assert shaped["data_version"] == plain["data_version"]  # the same rows, value for value
    assert query(db, "SELECT region_name FROM regions") == [("Bali, Nusa Tenggara, Papua",)]


def test_cr_only_file_keeps_row_numbers(cli: Cli, warehouse: Path, tmp_path: Path) -> None:
    folder = with_change(tmp_path, "contributions", 5, "months", "13")
    _reshape(folder, lambda b: b.replace(b"\n", b"\r"))
    refuses(cli, warehouse, folder, "contributions.months: must be between 1 and 12 — 1 row: 5")


def test_semicolon_file_keeps_row_numbers(cli: Cli, warehouse: Path, tmp_path: Path) -> None:
    folder = _semicolons(valid_folder(tmp_path / "export"))
    path = folder / "targets.csv"
    path.write_text(path.read_text().replace("DPS;2017;1000", "DPS;2017;-5"))
    refuses(cli, warehouse, folder, "targets.target_registered: must be ≥ 0 — 1 row: 1")


@pytest.mark.parametrize(
    "header",
    ["kode_wilayah;nama_wilayah", "region_code;region_name,extra"],
    ids=["unknown-names", "semicolons-and-a-comma"],
)
def test_file_that_looks_semicolon_separated_is_refused(
    cli: Cli, warehouse: Path, tmp_path: Path, header: str
) -> None:
    folder = valid_folder(tmp_path / "export")
    (folder / "regions.csv").write_text(f"{header}\nBANUSPA;Bali\n")
    refuses(
        cli,
        warehouse,
        folder,
        "regions: regions.csv looks ;-separated, but its header does not name the columns "
        "clearly: export it as CSV UTF-8 with , between values",
    )


def test_unnamed_column_with_values_is_refused(cli: Cli, warehouse: Path, tmp_path: Path) -> None:
    folder = _empty_unnamed_columns(valid_folder(tmp_path / "export"))
    path = folder / "participants.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2] + "catatan"  # data row 2 fills the 14th column (the 2nd unnamed one)
    path.write_text("\n".join(lines) + "\n")
    refuses(
        cli,
        warehouse,
        folder,
        "participants: column 14 (after phone) has no name: name it in the header, or delete it"
        " — 1 row: 2",
    )


def test_unnamed_first_column_with_values_is_refused(
    cli: Cli, warehouse: Path, tmp_path: Path
) -> None:
    folder = valid_folder(tmp_path / "export")
    (folder / "regions.csv").write_text(",region_code,region_name\n1,BANUSPA,Bali\n")
    refuses(cli, warehouse, folder, "regions: column 1 (the first column) has no name")


# -- 5. permissions -----------------------------------------------------------------------------


@pytest.fixture
def restore_modes() -> Iterator[list[Path]]:
    """Paths whose mode a test takes away; given back so pytest can clean up."""
    changed: list[Path] = []
    yield changed
    for path in changed:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _deny(path: Path, mode: int, changed: list[Path]) -> None:
    changed.append(path)
    path.chmod(mode)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_unreadable_file_is_refused(
    cli: Cli,
    warehouse: Path,
    tmp_path: Path,
    restore_modes: list[Path],
    fmt: str,
) -> None:
    folder = (write_csv if fmt == "csv" else write_parquet)(tmp_path / "export", valid_tables())
    _deny(folder / f"participants.{fmt}", 0o000, restore_modes)
    before = sha(warehouse.parent)
    refused(
        *run_unprivileged(cli, tmp_path, "--db", warehouse, "db", "import", folder),
        f"participants: cannot read participants.{fmt}: permission denied",
    )
    assert sha(warehouse.parent) == before


@pytest.mark.parametrize(
    "mode", [0o000, 0o311, 0o644], ids=["no-access", "not-listable", "not-searchable"]
)
def test_unreadable_folder_is_refused(
    cli: Cli, warehouse: Path, tmp_path: Path, restore_modes: list[Path], mode: int
) -> None:
    folder = valid_folder(tmp_path / "export")
    _deny(folder, mode, restore_modes)
    before = sha(warehouse.parent)
    refused(
        *run_unprivileged(cli, tmp_path, "--db", warehouse, "db", "import", folder),
        f"cannot read the folder {folder}: permission denied",
    )
    assert sha(warehouse.parent) == before


def test_read_only_warehouse_folder_is_refused_on_import(
    cli: Cli, warehouse: Path, tmp_path: Path, restore_modes: list[Path]
) -> None:
    folder = valid_folder(tmp_path / "export")
    _deny(warehouse.parent, 0o555, restore_modes)
    before = sha(warehouse.parent)
    refused(
        *run_unprivileged(cli, tmp_path, "--db", warehouse, "db", "import", folder),
        f"cannot write the warehouse in {warehouse.parent}: permission denied",
    )
    assert sha(warehouse.parent) == before


def test_read_only_warehouse_folder_is_refused_on_demo_init(
    cli: Cli, tmp_path: Path, restore_modes: list[Path]
) -> None:
    read_only = tmp_path / "RO"
    read_only.mkdir()
    _deny(read_only, 0o555, restore_modes)
    refused(
        *run_unprivileged(cli, tmp_path, "db", "init", "--demo", "--db", read_only / "bpu.duckdb"),
        f"cannot write the warehouse in {read_only}: permission denied",
    )
    assert list(read_only.iterdir()) == []


# -- the data contract's own document -----------------------------------------------------------


def test_data_contract_document_names_every_column() -> None:
    from bpu_reports.data.contract import TABLES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "data-contract.md").read_text()
    for table in TABLES.values():
        assert f"`{table.name}`" in doc
        for column in table.columns:
            assert f"`{column}`" in doc, column
