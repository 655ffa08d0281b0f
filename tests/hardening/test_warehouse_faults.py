"""A warehouse that cannot be used (locked, corrupt, foreign, damaged) is one line and exit 2
for ``metrics``, ``run`` and ``generate``: nothing runs and nothing is written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hardening_support import LIGHT_NB, MONTHLY

from bpu_reports.data import store

UNREADABLE = "is not a readable DuckDB file"
HOLD_A_WRITE_CONNECTION = """
import sys, time
import duckdb
con = duckdb.connect(sys.argv[1])  # read-write: DuckDB takes the file's exclusive lock
print("ready", flush=True)
time.sleep(120)
"""


def commands(db: Path, out: Path) -> dict[str, list[object]]:
    common = ["--db", db, "--out", out]
    return {
        "metrics": [*common, "metrics", "--branch", "A", "--period", "2017-07"],
        "run": [*common, "run", LIGHT_NB, "--branch", "A", "--period", "2017-07"],
        "generate": [*common, "--quiet", "generate", "--period", "2017-07", "--spec", MONTHLY],
    }


@pytest.fixture
def copy_of_handmade(handmade_db, tmp_path) -> Path:
    db = tmp_path / "wh" / "bpu.duckdb"
    db.parent.mkdir()
    shutil.copy(handmade_db, db)
    return db


@pytest.fixture
def locked(copy_of_handmade):
    """The warehouse while another process holds a DuckDB write connection to it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_WRITE_CONNECTION, str(copy_of_handmade)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield copy_of_handmade
    finally:
        holder.kill()
        holder.wait(timeout=30)
        holder.stdout.close()


@pytest.mark.parametrize("command", ["metrics", "run", "generate"])
def test_locked_warehouse(cli, locked, tmp_path, command):
    out = tmp_path / "out"
    cli.refused(
        *commands(locked, out)[command],
        message=f"warehouse {locked} is locked by another process: wait for it to finish",
    )
    assert not out.exists()


def _random_bytes(db: Path) -> None:
    db.write_bytes(os.urandom(300_000))


def _empty(db: Path) -> None:
    db.write_bytes(b"")


def _text(db: Path) -> None:
    db.write_text("region_code,region_name\nBANUSPA,Bali\n")


def _truncated(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])


def _header_overwritten(db: Path) -> None:
    with db.open("r+b") as fh:
        fh.write(os.urandom(4096))


@pytest.mark.parametrize(
    "damage",
    [_random_bytes, _empty, _text, _truncated, _header_overwritten],
    ids=lambda f: f.__name__[1:],
)
@pytest.mark.parametrize("command", ["metrics", "run", "generate"])
def test_corrupt_warehouse_file(cli, copy_of_handmade, tmp_path, damage, command):
    damage(copy_of_handmade)
    out = tmp_path / "out"
    line = cli.refused(*commands(copy_of_handmade, out)[command], message=UNREADABLE)
    assert "rebuild it with `bpu-reports db init --demo` or `bpu-reports db import DIR`" in line
    assert not out.exists()


def test_duckdb_file_that_is_not_a_warehouse(cli, tmp_path):
    db = tmp_path / "other.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE sales (id INTEGER, amount BIGINT)")
    out = tmp_path / "out"
    for argv in commands(db, out).values():
        cli.refused(
            *argv,
            message=f"{db} is a DuckDB file but not a bpu-reports warehouse (no _meta table)",
        )
    assert not out.exists()


@pytest.mark.parametrize("version", ["1", "3", "one"])  # 1: before identifiers were text
def test_warehouse_of_another_layout(cli, tmp_path, version):
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE _meta (key VARCHAR, value VARCHAR)")
        con.execute("INSERT INTO _meta VALUES ('schema_version', ?)", [version])
    cli.refused(
        *commands(db, tmp_path / "out")["metrics"],
        message=f"has warehouse layout {version}, expected {store.SCHEMA_VERSION}: rebuild it",
    )


def test_warehouse_path_is_a_folder(cli, tmp_path):
    cli.refused(
        *commands(tmp_path, tmp_path / "out")["metrics"],
        message="is a folder, not a warehouse file: give --db the .duckdb file",
    )


def test_missing_warehouse(cli, tmp_path):
    cli.refused(
        *commands(tmp_path / "none.duckdb", tmp_path / "out")["generate"],
        message="no warehouse at",
    )
    assert not (tmp_path / "out").exists()


def _damage_a_data_block(db: Path, table: str) -> None:
    """Flip bytes inside the storage blocks of ``table`` (not its catalog): the file opens, and
    the first query that reads the table fails its block checksum."""
    with duckdb.connect(str(db), read_only=True) as con:
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
        blocks = con.execute(
            f"SELECT DISTINCT block_id FROM pragma_storage_info('{table}') "
            "WHERE persistent AND block_id >= 0"
        ).fetchall()
    assert blocks
    with db.open("r+b") as fh:
        for (block,) in blocks:
            offset = 3 * 4096 + block * block_size + 8  # 3 header pages; 8-byte checksum
            fh.seek(offset)
            data = fh.read(512)
            fh.seek(offset)
            fh.write(bytes(b ^ 0xFF for b in data))


@pytest.mark.parametrize("command", ["metrics", "generate"])
def test_warehouse_with_a_damaged_data_block(cli, copy_of_handmade, tmp_path, command):
    # the payments as the metric pass reads them (in day order, data/state.py)
    _damage_a_data_block(copy_of_handmade, "state_payments")
    cli.refused(*commands(copy_of_handmade, tmp_path / "out")[command], message="it may be damaged")
