"""Where the warehouse is: one rule (``config.warehouse_path``) for the command line, the
library (``store.connect()``) and notebooks (``find_warehouse`` behind ``open_report``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpu_reports.config import DEFAULT_DB, Settings, warehouse_path
from bpu_reports.data import store
from bpu_reports.errors import BpuReportsError, WarehouseError
from bpu_reports.report.book import find_warehouse


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """``ROOT/data/bpu.duckdb`` (an empty file: only its presence counts here) and the
    folders ``ROOT/notebooks/deep``; the variable unset."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bpu.duckdb").write_bytes(b"")
    (tmp_path / "notebooks" / "deep").mkdir(parents=True)
    monkeypatch.delenv("BPU_REPORTS_DB", raising=False)
    return tmp_path


def test_argument_then_variable_then_default():
    env = {"BPU_REPORTS_DB": "/srv/wh.duckdb"}
    assert warehouse_path("mine.duckdb", environ=env) == Path("mine.duckdb")
    assert warehouse_path(Path("mine.duckdb"), environ=env) == Path("mine.duckdb")
    assert warehouse_path("", environ=env) == Path("/srv/wh.duckdb")
    assert warehouse_path(None, environ=env) == Path("/srv/wh.duckdb")
    assert warehouse_path("", environ={}) == DEFAULT_DB == Path("data/bpu.duckdb")


@pytest.mark.parametrize("value", ["", "   "], ids=["empty", "blank"])
def test_an_empty_variable_is_unset(value):
    assert warehouse_path(environ={"BPU_REPORTS_DB": value}) == DEFAULT_DB


def test_a_path_that_is_not_utf8_is_refused():
    with pytest.raises(BpuReportsError, match=r"^--db /x/\\xff\.duckdb is not valid UTF-8"):
        warehouse_path("/x/\udcff.duckdb", environ={})
    with pytest.raises(BpuReportsError, match=r"^BPU_REPORTS_DB /x/\\xff\.duckdb is not valid"):
        warehouse_path(environ={"BPU_REPORTS_DB": "/x/\udcff.duckdb"})


def test_look_up_finds_the_nearest_parent_with_a_warehouse(tree, monkeypatch):
    monkeypatch.chdir(tree / "notebooks" / "deep")
    assert warehouse_path(look_up=True) == tree / "data" / "bpu.duckdb"
    assert warehouse_path() == DEFAULT_DB  # without look_up: relative to here, as the CLI
    (tree / "notebooks" / "data").mkdir()
    (tree / "notebooks" / "data" / "bpu.duckdb").write_bytes(b"")
    assert warehouse_path(look_up=True) == tree / "notebooks" / "data" / "bpu.duckdb"


def test_look_up_never_overrides_an_argument_or_the_variable(tree, monkeypatch):
    monkeypatch.chdir(tree / "notebooks")
    assert warehouse_path("other.duckdb", look_up=True) == Path("other.duckdb")
    monkeypatch.setenv("BPU_REPORTS_DB", "/srv/wh.duckdb")
    assert warehouse_path(look_up=True) == Path("/srv/wh.duckdb")
    monkeypatch.setenv("BPU_REPORTS_DB", "  ")  # blank: unset, so the look-up applies
    assert warehouse_path(look_up=True) == tree / "data" / "bpu.duckdb"


@pytest.mark.parametrize(
    ("db", "variable", "expected"),
    [
        ("", None, "data/bpu.duckdb"),
        ("", "", "data/bpu.duckdb"),
        ("", "  ", "data/bpu.duckdb"),
        ("", "/srv/wh.duckdb", "/srv/wh.duckdb"),
        ("mine.duckdb", "/srv/wh.duckdb", "mine.duckdb"),
    ],
    ids=["unset", "empty", "blank", "variable", "argument"],
)
def test_the_three_entrances_agree(tree, monkeypatch, db, variable, expected):
    """The CLI's settings, the library's default and a notebook's ``db`` parameter give the
    same file for the same inputs; a notebook's default is found from the working folder up
    (here the working folder itself holds ``data/bpu.duckdb``)."""
    monkeypatch.chdir(tree)
    if variable is not None:
        monkeypatch.setenv("BPU_REPORTS_DB", variable)
    assert Settings.resolve(db=Path(db) if db else None).db == Path(expected)
    assert warehouse_path(db) == Path(expected)
    found = tree / expected if expected == "data/bpu.duckdb" else Path(expected)
    assert find_warehouse(db) == found


def test_connect_without_a_path_follows_the_variable(handmade_db, tmp_path, monkeypatch):
    monkeypatch.setenv("BPU_REPORTS_DB", str(handmade_db))
    con = store.connect()
    try:
        assert con.execute("SELECT count(*) FROM participants").fetchone() == (20,)
    finally:
        con.close()
    monkeypatch.setenv("BPU_REPORTS_DB", "")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WarehouseError, match=r"^no warehouse at data/bpu\.duckdb: build one"):
        store.connect()
