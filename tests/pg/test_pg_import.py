"""``bpu-reports db import postgresql://…`` against a real PostgreSQL server (``conftest``).

The database path must give exactly what the file path gives: the same warehouse (checksums),
the same metrics, the same violations; and read its tables in one snapshot, fail in one line,
and never show a password.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from pathlib import Path

import duckdb
import pgcluster
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pgdata import arrow_tables, write_csv

from bpu_reports.data import pgsource, store
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.metrics.serialize import unit_to_dict
from bpu_reports.period import Period
from factories import member, payment
from handmade import handmade_tables

JULY = Period.parse("2017-07")


def _metrics(db: Path, branch: str) -> dict:
    con = store.connect(db)
    try:
        scope = resolve(con, branch=branch, region=None)
        data = unit_to_dict(unit(compute(con, JULY, scope), scope.kind, scope.code))
    finally:
        con.close()
    data["warehouse"].pop("source")  # names the source: differs by design
    return data


def _meta(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT key, value FROM _meta").fetchall())


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _checksums(db: Path) -> dict[str, str]:
    con = store.connect(db)
    try:
        return store.table_checksums(con)
    finally:
        con.close()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _in_key_order(tables: dict[str, list[dict]], id_type: pa.DataType) -> dict[str, list[dict]]:
    """The rows in the order the database reads them (``ORDER BY`` the key), so row numbers
    and the members' internal keys of a CSV import match the database import's."""
    text = pa.types.is_string(id_type)
    out = {}
    for name, rows in tables.items():
        key = {
            "regions": "region_code",
            "branches": "branch_code",
            "outreach_events": "event_id",
            "participants": "participant_id",
            "contributions": "payment_id",
        }.get(name)
        if key is None:
            out[name] = sorted(rows, key=lambda r: (r["branch_code"], r["year"]))
        else:
            out[name] = sorted(rows, key=lambda r, k=key: str(r[k]) if text else r[k])
    return out


# -- the same data, the same warehouse -----------------------------------------------------------


@pytest.mark.parametrize("id_type", [pa.int64(), pa.string()], ids=["bigint_ids", "text_ids"])
def test_postgres_and_csv_give_the_same_warehouse_and_metrics(pgdb, cli, tmp_path, id_type):
    tables = _in_key_order(handmade_tables(), id_type)
    pgdb.load(arrow_tables(tables, id_type))
    csv_db, pg_db = tmp_path / "csv.duckdb", tmp_path / "pg.duckdb"

    code, _, err = cli("db", "import", write_csv(tmp_path / "export", tables), "--db", csv_db)
    assert code == 0, err
    code, out, err = cli("db", "import", pgdb.url, "--db", pg_db)
    assert code == 0, err

    assert _checksums(pg_db) == _checksums(csv_db)
    assert _meta(pg_db)["data_version"] == _meta(csv_db)["data_version"]
    for branch in ("A", "B"):
        assert _metrics(pg_db, branch) == _metrics(csv_db, branch)
    # the hand-worked values of tests/handmade.py, through the database path
    a = _metrics(pg_db, "A")
    assert (a["registered"], a["active"], a["on_time"]) == (13, 8, 5)
    # identifiers are text in the warehouse, whatever their type in PostgreSQL
    assert _rows(pg_db, "SELECT participant_id FROM participants WHERE nik LIKE '%101'") == [
        ("101",)
    ]
    redacted = pgdb.url_without_password
    assert _meta(pg_db)["source"] == redacted
    assert f"imported {redacted} into {pg_db}" in out
    assert pgdb.cluster.password not in out + err


def test_identifiers_with_leading_zeros_stay_two_members(pgdb, cli, tmp_path):
    tables = handmade_tables()
    tables["participants"] += [member(0, "B", "2017-03-01"), member(0, "B", "2017-03-01")]
    tables["contributions"] += [
        payment(0, 0, "2017-03-01", "2017-03-01", 1),
        payment(0, 0, "2017-03-02", "2017-03-01", 12),
    ]
    text = arrow_tables(tables, pa.string())
    # the two new members and payments: "00123" and "123" (payment ids "007" and "7")
    ids = [*text["participants"]["participant_id"].to_pylist()[:-2], "00123", "123"]
    text["participants"] = text["participants"].set_column(
        0, "participant_id", pa.array(ids, pa.string())
    )
    pays = text["contributions"]
    pays = pays.set_column(
        0, "payment_id", pa.array([*pays["payment_id"].to_pylist()[:-2], "007", "7"])
    )
    pays = pays.set_column(
        1, "participant_id", pa.array([*pays["participant_id"].to_pylist()[:-2], "00123", "123"])
    )
    text["contributions"] = pays
    pgdb.load(text)
    db = tmp_path / "pg.duckdb"

    code, _, err = cli("db", "import", pgdb.url, "--db", db)

    assert code == 0, err
    rows = _rows(
        db,
        "SELECT c.payment_id, c.participant_id, c.months, p.participant_id "
        "FROM contributions c JOIN participants p USING (member_key) "
        "WHERE c.payment_id IN ('007', '7') ORDER BY c.payment_id",
    )
    assert rows == [("007", "00123", 1, "00123"), ("7", "123", 12, "123")]


# -- one consistent snapshot ---------------------------------------------------------------------


def test_rows_committed_during_the_import_are_not_half_seen(pgdb, cli, tmp_path, monkeypatch):
    """A payment and its new member are committed after ``participants`` was read and before
    ``contributions`` is: read outside one snapshot, the payment would be an orphan."""
    pgdb.load(arrow_tables(handmade_tables(), pa.int64()))
    seen_by_others: list[int] = []

    def commit_between_reads(table: str) -> None:
        if table != "participants":
            return
        pgdb.execute(  # a second connection, in its own committed transaction
            "BEGIN",
            "INSERT INTO participants (participant_id, branch_code, registered_on, segment, "
            "channel, declared_income, has_jht) "
            "VALUES (999, 'A', '2017-07-03', 'petani', 'kantor', 1000000, false)",
            "INSERT INTO contributions VALUES (99901, 999, '2017-07-03', '2017-07-01', 1, "
            "10000, 6800, 0)",
            "COMMIT",
        )
        seen_by_others.append(pgdb.query("SELECT count(*) FROM contributions")[0][0])

    monkeypatch.setattr(pgsource, "after_table_read", commit_between_reads)
    db = tmp_path / "pg.duckdb"

    code, _, err = cli("db", "import", pgdb.url, "--db", db)

    assert code == 0, err
    paid = len(handmade_tables()["contributions"])
    assert seen_by_others == [paid + 1]  # committed and visible outside the import's snapshot
    assert _rows(db, "SELECT count(*) FROM contributions") == [(paid,)]
    assert _rows(db, "SELECT count(*) FROM participants WHERE participant_id = '999'") == [(0,)]


# -- violations: as for files ---------------------------------------------------------------------


def test_missing_table_is_one_violation_among_all_problems(pgdb, cli, tmp_path):
    tables = arrow_tables(handmade_tables(), pa.int64())
    del tables["targets"]
    bad = tables["branches"].set_column(3, "office_type", pa.array(["KC", "KANWIL"], pa.string()))
    tables["branches"] = bad
    pgdb.load(tables)

    code, out, err = cli("db", "import", pgdb.url, "--db", tmp_path / "pg.duckdb")

    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert lines[0] == (
        "error: import rejected, nothing loaded: branches.office_type: must be one of KC, KCP "
        "— 1 row: 2; and 1 more problem(s), listed below"
    )
    assert lines[1:] == ["  targets: missing table"]
    assert not (tmp_path / "pg.duckdb").exists()


def _violations(cli, *argv) -> list[str]:
    code, out, err = cli(*argv)
    assert code == 2 and out == "", err
    lines = err.strip().splitlines()
    first = lines[0].removeprefix("error: import rejected, nothing loaded: ")
    return [first.split("; and ")[0], *(line.strip() for line in lines[1:])]


def test_integer_paid_on_gives_the_parquet_violation(pgdb, cli, tmp_path):
    tables = _in_key_order(handmade_tables(), pa.int64())
    arrow = arrow_tables(tables, pa.int64())
    days = [d.toordinal() for d in arrow["contributions"]["paid_on"].to_pylist()]
    arrow["contributions"] = arrow["contributions"].set_column(
        2, "paid_on", pa.array(days, pa.int64())
    )
    pgdb.load(arrow)
    assert pgdb.query(
        "SELECT data_type FROM information_schema.columns WHERE column_name = 'paid_on'"
    ) == [("bigint",)]
    export = write_csv(tmp_path / "export", tables)
    (export / "contributions.csv").unlink()
    pq.write_table(arrow["contributions"], export / "contributions.parquet")

    from_pg = _violations(cli, "db", "import", pgdb.url, "--db", tmp_path / "pg.duckdb")
    from_files = _violations(cli, "db", "import", export, "--db", tmp_path / "files.duckdb")

    assert from_pg == from_files
    paid = len(tables["contributions"])
    shown = ", ".join(str(n) for n in range(1, 21))
    assert from_pg[0] == (
        f"contributions.paid_on: not a date (YYYY-MM-DD) — {paid} rows: {shown} (+{paid - 20} more)"
    )


def test_text_with_non_dates_gives_the_csv_violation(pgdb, cli, tmp_path):
    tables = _in_key_order(handmade_tables(), pa.int64())
    broken = copy.deepcopy(tables)
    for row in broken["contributions"]:
        row["paid_on"] = row["paid_on"].isoformat()
    broken["contributions"][2]["paid_on"] = "10/03/2017"
    broken["contributions"][4]["paid_on"] = "kemarin"
    arrow = arrow_tables(tables, pa.int64())
    paid_on = pa.array([r["paid_on"] for r in broken["contributions"]], pa.string())
    arrow["contributions"] = arrow["contributions"].set_column(2, "paid_on", paid_on)
    pgdb.load(arrow)
    export = write_csv(tmp_path / "export", broken)

    from_pg = _violations(cli, "db", "import", pgdb.url, "--db", tmp_path / "pg.duckdb")
    from_files = _violations(cli, "db", "import", export, "--db", tmp_path / "files.duckdb")

    assert (
        from_pg == from_files == ["contributions.paid_on: not a date (YYYY-MM-DD) — 2 rows: 3, 5"]
    )


def test_extra_columns_and_other_types_are_read_like_files(pgdb, cli, tmp_path):
    """Columns outside the contract are ignored; ``numeric`` money reads as its text."""
    pgdb.load(arrow_tables(handmade_tables(), pa.int64()))
    pgdb.execute(
        "ALTER TABLE participants ADD COLUMN notes jsonb DEFAULT '{\"x\": 1}'",
        "ALTER TABLE participants ALTER COLUMN declared_income TYPE numeric(14, 0)",
    )
    db = tmp_path / "pg.duckdb"

    code, _, err = cli("db", "import", pgdb.url, "--db", db)

    assert code == 0, err
    assert _rows(db, "SELECT sum(declared_income) FROM participants") == [(20_000_000,)]


# -- schemas --------------------------------------------------------------------------------------


def test_schema_other_than_public(pgdb, cli, tmp_path):
    pgdb.load(arrow_tables(handmade_tables(), pa.int64()), schema="ekspor")
    db = tmp_path / "pg.duckdb"

    assert _violations(cli, "db", "import", pgdb.url, "--db", db) == [
        f"{name}: missing table"
        for name in (
            "regions",
            "branches",
            "outreach_events",
            "participants",
            "contributions",
            "targets",
        )
    ]
    code, _, err = cli("db", "import", pgdb.url, "--schema", "ekspor", "--db", db)

    assert code == 0, err
    assert _meta(db)["source"] == f"{pgdb.url_without_password} (schema ekspor)"
    assert _rows(db, "SELECT count(*) FROM participants") == [(20,)]


def test_unknown_schema_is_one_line(pgdb, cli, tmp_path):
    code, out, err = cli("db", "import", pgdb.url, "--schema", "tidak_ada", "--db", tmp_path / "x")

    assert code == 2 and out == ""
    assert err.strip() == (
        f"error: no schema 'tidak_ada' in database {pgdb.name} at 127.0.0.1:"
        f"{pgdb.cluster.port}: give the schema holding the six tables with --schema "
        "(default public)"
    )


def test_schema_option_with_a_folder_is_refused(cli, tmp_path):
    code, _, err = cli("db", "import", tmp_path, "--schema", "x", "--db", tmp_path / "w.duckdb")

    assert code == 2
    assert err.startswith("error: --schema applies to a PostgreSQL source only")


# -- connecting: one line, quickly, no password ---------------------------------------------------


def test_server_down_is_one_line_within_seconds(cli, tmp_path):
    port = pgcluster.free_port()  # nothing listens there
    started = time.monotonic()

    code, out, err = cli(
        "db", "import", f"postgresql://bpu:pw-down@127.0.0.1:{port}/bpu", "--db", tmp_path / "w"
    )

    assert time.monotonic() - started < 15
    assert code == 2 and out == ""
    assert err.strip() == (
        f"error: cannot connect to PostgreSQL at 127.0.0.1:{port} (connection refused): check "
        "that the server is running and that host, port and database in the URL are right"
    )
    assert "pw-down" not in err


def test_wrong_password_says_authentication_failed(pgdb, cli, tmp_path):
    wrong = "Wr0ng-Secret%21"  # percent-encoded "!" too
    url = pgdb.url.replace(pgdb.cluster.password, wrong)

    code, out, err = cli("db", "import", url, "--db", tmp_path / "w.duckdb")

    assert code == 2 and out == ""
    assert err.strip() == (
        f"error: PostgreSQL at 127.0.0.1:{pgdb.cluster.port} refused user bpu: authentication "
        "failed (check the password given in the URL, PGPASSWORD or ~/.pgpass)"
    )
    for secret in (wrong, "Wr0ng-Secret!", pgdb.cluster.password):
        assert secret not in out + err


def test_no_password_anywhere(pgdb, cli, tmp_path, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))

    code, _, err = cli("db", "import", pgdb.url_without_password, "--db", tmp_path / "w.duckdb")

    assert code == 2
    assert "asks user bpu for a password and none was given" in err


@pytest.mark.parametrize("where", ["PGPASSWORD", "PGPASSFILE", "HOME"])
def test_password_from_the_environment_or_pgpass(pgdb, cli, tmp_path, monkeypatch, where):
    """libpq inside the ADBC driver finds the password; it shows up nowhere."""
    pgdb.load(arrow_tables(handmade_tables(), pa.int64()))
    password = pgdb.cluster.password
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("PGPASSFILE", raising=False)
    pgpass = tmp_path / "home" / ".pgpass"
    pgpass.parent.mkdir()
    pgpass.write_text(f"127.0.0.1:{pgdb.cluster.port}:*:bpu:{password}\n")
    pgpass.chmod(0o600)
    if where == "PGPASSWORD":
        monkeypatch.setenv("PGPASSWORD", password)
    elif where == "PGPASSFILE":
        monkeypatch.setenv("PGPASSFILE", str(pgpass))
    else:
        monkeypatch.setenv("HOME", str(pgpass.parent))
    db = tmp_path / "pg.duckdb"

    code, out, err = cli("--verbose", "db", "import", pgdb.url_without_password, "--db", db)

    assert code == 0, err
    assert password not in out + err
    assert password not in json.dumps(_meta(db))
    assert password.encode() not in db.read_bytes()


def test_password_in_the_url_is_in_no_output_nor_the_warehouse(pgdb, cli, tmp_path):
    tables = arrow_tables(handmade_tables(), pa.int64())
    pgdb.load(tables)
    db = tmp_path / "pg.duckdb"
    password = pgdb.cluster.password

    code, out, err = cli("--verbose", "db", "import", pgdb.url, "--db", db)
    assert code == 0, err
    bad = tables["targets"].set_column(1, "year", pa.array([1999, 2017], pa.int32()))
    pgdb.execute("DROP TABLE targets")
    pgdb.load({"targets": bad})
    code2, out2, err2 = cli("--verbose", "db", "import", pgdb.url, "--db", tmp_path / "x.duckdb")

    assert code2 == 2 and "targets.year: must be between 2000 and 2100 — 1 row: 1" in err2
    for text in (out, err, out2, err2, json.dumps(_meta(db))):
        assert password not in text
    assert password.encode() not in db.read_bytes()


# -- the warehouse is untouched by a rejected import ----------------------------------------------


def test_rejected_postgres_import_leaves_the_warehouse_as_it_was(pgdb, cli, tmp_path):
    db = tmp_path / "bpu.duckdb"
    tables = handmade_tables()
    code, _, err = cli("db", "import", write_csv(tmp_path / "export", tables), "--db", db)
    assert code == 0, err
    before = _sha256(db)
    arrow = arrow_tables(tables, pa.int64())
    pays = arrow["contributions"]
    ids = pays["participant_id"].to_pylist()
    arrow["contributions"] = pays.set_column(1, "participant_id", pa.array([77, *ids[1:]]))
    pgdb.load(arrow)

    code, _, err = cli("db", "import", pgdb.url, "--db", db)
    assert code == 2
    assert "contributions.participant_id: unknown participant_id (not in participants)" in err
    code, _, err = cli("db", "import", pgdb.url, "--schema", "nope", "--db", db)
    assert code == 2 and "no schema 'nope'" in err
    port = pgcluster.free_port()
    code, _, err = cli("db", "import", f"postgresql://bpu@127.0.0.1:{port}/bpu", "--db", db)
    assert code == 2 and "connection refused" in err

    assert _sha256(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bpu.duckdb", "export"]


# -- redacting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://bpu:secret@127.0.0.1:5432/bpu", "postgresql://bpu@127.0.0.1:5432/bpu"),
        ("postgres://bpu:p%40ss@db.example/bpu", "postgres://bpu@db.example/bpu"),
        ("postgresql://bpu@[::1]:5433/bpu", "postgresql://bpu@[::1]:5433/bpu"),
        (
            "postgresql://h/bpu?user=bpu&password=secret&sslmode=require",
            "postgresql://h/bpu?user=bpu&sslmode=require",
        ),
        ("postgresql://bpu:secret@host:notaport/bpu", "postgresql://…"),
    ],
)
def test_redact(url, shown):
    assert pgsource.redact(url) == shown
    assert "secret" not in pgsource.redact(url)


def test_is_url():
    assert pgsource.is_url("postgresql://h/db") and pgsource.is_url("POSTGRES://h/db")
    assert not pgsource.is_url("exports/2017-07") and not pgsource.is_url("mysql://h/db")
