"""``bpu-reports db import DIR`` through the command line: a rejected folder is exit 2 with the
first problem on the error line and every further one listed below it, and the warehouse stays
byte for byte as it was. Each contract rule has its own test in ``tests/data/test_import.py``."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from hardening_support import fixtures_import

fx = fixtures_import()
BIN = Path(sys.executable).parent


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file in ``folder`` (the warehouse and anything beside it)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def warehouse(cli, tmp_path) -> Path:
    """A warehouse loaded from the valid export folder, through the CLI."""
    db = tmp_path / "wh" / "bpu.duckdb"
    code, out, err = cli("--db", db, "db", "import", fx.valid_folder(tmp_path / "good"))
    assert code == 0 and "imported" in out, err
    return db


def test_rejected_import_lists_every_problem(cli, warehouse, tmp_path):
    tables = fx.valid_tables()
    tables["branches"][1]["office_type"] = "KCU"
    tables["participants"][1]["registered_on"] = "2017-7-1"
    tables["contributions"][5]["participant_id"] = "99"
    before = snapshot(warehouse.parent)

    code, out, err = cli("--db", warehouse, "db", "import", fx.write_csv(tmp_path / "bad", tables))

    assert code == 2 and out == "" and "Traceback" not in err
    first, *rest = err.strip().splitlines()
    assert first == (
        "error: import rejected, nothing loaded: branches.office_type: must be one of KC, KCP"
        " — 1 row: 2; and 2 more problem(s), listed below"
    )
    listed = " ".join(line.strip() for line in rest)  # (a long line may wrap: see below)
    assert listed == (
        "participants.registered_on: not a date (YYYY-MM-DD) — 1 row: 2 "
        "contributions.participant_id: unknown participant_id (not in participants) — 1 row: 6"
    )
    assert snapshot(warehouse.parent) == before


def test_each_further_violation_is_one_line(cli, tmp_path):
    tables = fx.valid_tables()
    tables["branches"][1]["office_type"] = "KCU"
    tables["contributions"][5]["participant_id"] = "99"
    folder = fx.write_csv(tmp_path / "bad", tables)
    _, _, err = cli("--db", tmp_path / "bpu.duckdb", "db", "import", folder)
    assert err.strip().splitlines()[1:] == [
        "  contributions.participant_id: unknown participant_id (not in participants) — 1 row: 6"
    ]


def _bad_value(folder: Path) -> None:
    tables = fx.valid_tables()
    tables["contributions"][0]["months"] = "13"
    fx.write_csv(folder, tables)


def _missing_file(folder: Path) -> None:
    (folder / "targets.csv").unlink()


def _orphan(folder: Path) -> None:
    tables = fx.valid_tables()
    tables["participants"][1]["branch_code"] = "XXX"
    fx.write_csv(folder, tables)


def _binary_junk(folder: Path) -> None:
    (folder / "participants.csv").write_bytes(b"PK\x03\x04" + bytes(range(256)))


def _not_utf8(folder: Path) -> None:
    (folder / "regions.csv").write_bytes("region_code,region_name\nR,Balí\n".encode("latin-1"))


def _stray_delimiter(folder: Path) -> None:
    path = folder / "contributions.csv"
    lines = path.read_text().splitlines()
    lines[2] += ",99"
    path.write_text("\n".join(lines) + "\n")


def _path_escaping_code(folder: Path) -> None:
    tables = fx.valid_tables()
    tables["branches"][0]["branch_code"] = "../DPS"
    fx.write_csv(folder, tables)


def _headers_only(folder: Path) -> None:
    for path in folder.glob("*.csv"):
        path.write_text(path.read_text().splitlines()[0] + "\n")


def _no_participants(folder: Path) -> None:
    path = folder / "participants.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")


def _empty_folder(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()


DAMAGES = [
    (_bad_value, "contributions.months: must be between 1 and 12 — 1 row: 1"),
    (_missing_file, "targets: missing file: expected targets.csv or targets.parquet"),
    (_orphan, "participants.branch_code: unknown branch_code (not in branches) — 1 row: 2"),
    (_binary_junk, "participants: participants.csv is not a CSV text file (binary content)"),
    (_not_utf8, "regions: regions.csv is not UTF-8 text: export it as CSV UTF-8"),
    (_stray_delimiter, "contributions: wrong number of fields: expected 8 like the header"),
    (_path_escaping_code, "branches.branch_code: must be a code of letters, digits"),
    (_headers_only, "the data holds no participants or payments: nothing to load"),
    (
        _no_participants,
        "contributions.participant_id: unknown participant_id (not in participants) — 6 rows",
    ),
    (_empty_folder, "regions: missing file: expected regions.csv or regions.parquet"),
]


@pytest.mark.parametrize(("damage", "message"), DAMAGES, ids=[d.__name__[1:] for d, _ in DAMAGES])
def test_rejected_import_leaves_the_warehouse_byte_for_byte(
    cli, warehouse, tmp_path, damage, message
):
    folder = fx.valid_folder(tmp_path / "bad")
    damage(folder)
    before = snapshot(warehouse.parent)

    code, out, err = cli("--db", warehouse, "db", "import", folder)

    assert code == 2 and out == "" and "Traceback" not in err
    assert message in err.splitlines()[0] or any(
        line.strip() == message or message in line for line in err.splitlines()
    )
    assert snapshot(warehouse.parent) == before  # same bytes, and no temporary file beside it


def test_rejected_import_creates_no_warehouse(cli, tmp_path):
    folder = fx.valid_folder(tmp_path / "bad")
    _orphan(folder)
    db = tmp_path / "new" / "bpu.duckdb"
    code, _, _ = cli("--db", db, "db", "import", folder)
    assert code == 2 and not db.parent.exists()


def test_import_of_a_missing_folder(cli, warehouse, tmp_path):
    before = snapshot(warehouse.parent)
    cli.refused(
        "--db",
        warehouse,
        "db",
        "import",
        tmp_path / "nowhere",
        message="no folder " + str(tmp_path / "nowhere") + ": give the folder holding",
    )
    assert snapshot(warehouse.parent) == before


def test_import_into_a_folder_or_below_a_file(cli, tmp_path):
    folder = fx.valid_folder(tmp_path / "good")
    target = tmp_path / "is-a-folder"
    target.mkdir()
    cli.refused("--db", target, "db", "import", folder, message="is a folder: give --db a file")
    assert list(target.iterdir()) == []
    (tmp_path / "file").write_text("x")
    cli.refused(
        "--db",
        tmp_path / "file" / "bpu.duckdb",
        "db",
        "import",
        folder,
        message="cannot create the warehouse folder",
    )
    assert (tmp_path / "file").read_text() == "x"


# -- a million contributions ------------------------------------------------------------------


def write_big_export(folder: Path, payments: int = 1_000_000, people: int = 100_000) -> Path:
    """A valid export of ``people`` members paying ``payments`` monthly contributions."""
    folder.mkdir(parents=True)
    (folder / "regions.csv").write_text("region_code,region_name\nR1,Region One\n")
    (folder / "branches.csv").write_text(
        "branch_code,branch_name,region_code,office_type\nA,KC Alpha,R1,KC\nB,KCP Beta,R1,KCP\n"
    )
    (folder / "outreach_events.csv").write_text(
        "event_id,branch_code,held_on,title,venue,segment,potential\n"
        "1,A,2016-01-10,Sosialisasi,Balai Banjar,petani,40\n"
    )
    (folder / "targets.csv").write_text(
        "branch_code,year,target_registered\nA,2016,60000\nB,2016,60000\n"
    )
    ids = np.arange(1, people + 1)
    registered = np.datetime64("2016-01-05")
    pa_csv.write_csv(
        pa.table(
            {
                "participant_id": ids,
                "branch_code": np.where(ids % 2 == 1, "A", "B"),
                "registered_on": pa.array(np.full(people, registered), pa.date32()),
                "segment": np.full(people, "petani"),
                "channel": np.full(people, "kantor"),
                "declared_income": np.full(people, 1_000_000),
                "has_jht": np.zeros(people, dtype=bool),
                "event_id": pa.nulls(people, pa.int64()),
                "exited_on": pa.nulls(people, pa.date32()),
                "nik": np.char.add("5171", np.char.zfill(ids.astype(str), 12)),
                "full_name": np.full(people, "Nama Peserta"),
                "phone": np.char.add("0812", np.char.zfill(ids.astype(str), 8)),
            }
        ),
        folder / "participants.csv",
    )
    pay = np.arange(payments)
    first = np.datetime64("2016-01", "M") + (pay // people)  # month k for the k-th round
    pa_csv.write_csv(
        pa.table(
            {
                "payment_id": pay + 1,
                "participant_id": pay % people + 1,
                "paid_on": pa.array(first.astype("datetime64[D]") + 9, pa.date32()),
                "first_month": pa.array(first.astype("datetime64[D]"), pa.date32()),
                "months": np.ones(payments, dtype=np.int64),
                "amount_jkk": np.full(payments, 10_000),
                "amount_jkm": np.full(payments, 6_800),
                "amount_jht": np.zeros(payments, dtype=np.int64),
            }
        ),
        folder / "contributions.csv",
    )
    return folder


PEAK_RSS = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(done.stderr, file=sys.stderr)
"""


@pytest.mark.slow
def test_million_row_import_stays_under_2_gb(tmp_path):
    folder = write_big_export(tmp_path / "export")
    db = tmp_path / "bpu.duckdb"
    measured = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, BIN / "bpu-reports", "--db", db, "db", "import", folder],
        capture_output=True,
        text=True,
        timeout=300,
    )
    code, peak_kib = map(int, measured.stdout.split())
    assert code == 0, measured.stderr
    assert peak_kib * 1024 < 2 * 1024**3, f"peak RSS {peak_kib / 1024:.0f} MiB"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM contributions").fetchone() == (1_000_000,)
