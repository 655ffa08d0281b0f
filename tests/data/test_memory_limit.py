"""``BPU_REPORTS_MEMORY`` caps DuckDB's memory on every warehouse connection (opened or
built); a value that is not an amount of memory is refused with one line, exit 2."""

from __future__ import annotations

import pytest

from bpu_reports.cli import main
from bpu_reports.config import MEMORY_ENV, memory_limit
from bpu_reports.data import store
from bpu_reports.errors import BpuReportsError, WarehouseError
from factories import build_warehouse
from handmade import handmade_tables


def test_the_variable_is_read_as_given_and_unset_when_blank():
    assert memory_limit({MEMORY_ENV: " 7GB "}) == "7GB"
    assert memory_limit({MEMORY_ENV: "1.5 GiB"}) == "1.5 GiB"
    assert memory_limit({MEMORY_ENV: "80%"}) == "80%"
    assert memory_limit({MEMORY_ENV: "  "}) is None
    assert memory_limit({}) is None


@pytest.mark.parametrize("value", ["lots", "7", "GB", "7GB; DROP TABLE participants", "-1GB"])
def test_what_is_not_an_amount_of_memory_is_refused_by_name(value):
    with pytest.raises(BpuReportsError, match=f"^{MEMORY_ENV}=.* is not an amount of memory"):
        memory_limit({MEMORY_ENV: value})


def test_opened_and_built_warehouses_take_the_cap(handmade_db, tmp_path, monkeypatch):
    monkeypatch.setenv(MEMORY_ENV, "2GB")  # DuckDB counts in GiB: 2 GB = 1,8 GiB
    con = store.connect(handmade_db)
    try:
        assert con.execute("SELECT current_setting('memory_limit')").fetchone() == ("1.8 GiB",)
    finally:
        con.close()
    monkeypatch.setenv(MEMORY_ENV, "1GB")
    # an empty build is refused when it ends, after the setting is read back
    with (
        pytest.raises(WarehouseError),
        store.build(tmp_path / "capped.duckdb", source="test") as con,
    ):
        seen = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert seen == ("953.6 MiB",)
    assert list(tmp_path.iterdir()) == []


def test_the_cli_refuses_a_bad_value_in_one_line(handmade_db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(MEMORY_ENV, "plenty")
    assert main(["db", "status", "--db", str(handmade_db)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and MEMORY_ENV in err[0] and "Traceback" not in err[0]
    # nothing built: the value is checked before the warehouse file is created
    target = tmp_path / "new.duckdb"
    with pytest.raises(BpuReportsError):
        build_warehouse(target, handmade_tables())
    assert list(tmp_path.iterdir()) == []
