"""The command line, called in-process through ``main(argv)``."""

from __future__ import annotations

import json

import pytest

from bpu_reports.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_metrics_json_has_the_spec_keys(capsys, handmade_db):
    code, out, err = run(
        capsys,
        "--db",
        str(handmade_db),
        "metrics",
        "--branch",
        "A",
        "--period",
        "2017-07",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    expected = {
        "registered": 13,
        "new_registrations": 3,
        "active": 8,
        "in_arrears": 4,
        "inactive": 1,
        "on_time": 5,
        "collected_amount": 16_800 * 14,
    }
    assert {k: data[k] for k in expected} == expected
    assert data["on_time_rate"] == pytest.approx(0.625)
    assert data["target"]["target"] == 20


def test_metrics_for_a_region(capsys, handmade_db):
    code, out, _ = run(
        capsys,
        "metrics",
        "--db",
        str(handmade_db),
        "--region",
        "R1",
        "--period",
        "2017-07",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["registered"] == 18 and data["scope"]["kind"] == "region"
    assert [b["branch_code"] for b in data["branches"]] == ["A", "B"]


def test_metrics_json_suppresses_small_breakdown_cells(capsys, handmade_db):
    _, out, _ = run(
        capsys,
        "metrics",
        "--db",
        str(handmade_db),
        "--branch",
        "B",
        "--period",
        "2017-07",
        "--json",
    )
    cells = json.loads(out)["breakdowns"]
    assert cells and all(c["registered"] == "< 5" or c["registered"] >= 5 for c in cells)
    assert "< 5" in {c["active"] for c in cells}


def test_metrics_table_in_indonesian_format(capsys, handmade_db):
    code, out, _ = run(
        capsys, "metrics", "--db", str(handmade_db), "--branch", "A", "--period", "2017-07"
    )
    assert code == 0
    assert "Juli 2017" in out and "62,5%" in out and "Rp235.200" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--branch", "NOPE", "--period", "2017-07"], "unknown branch 'NOPE'"),
        (["--region", "NOPE", "--period", "2017-07"], "unknown region 'NOPE'"),
        (["--branch", "A", "--period", "2017-13"], "not a month in the form YYYY-MM"),
        (["--branch", "A", "--period", "17-07"], "not a month in the form YYYY-MM"),
        (["--branch", "A", "--period", "2017-7"], "not a month in the form YYYY-MM"),
        (["--branch", "A", "--period", ""], "not a month in the form YYYY-MM"),
        (
            ["--branch", "A", "--period", "2019-01"],
            "outside the warehouse's data (2016-05 … 2017-08)",
        ),
        (["--branch", "A", "--period", "2014-01"], "outside the warehouse's data"),
        (["--branch", "../x", "--period", "2017-07"], "not a valid code"),
        (["--period", "2017-07"], "exactly one of --branch CODE or --region CODE"),
        (["--branch", "A", "--region", "R1", "--period", "2017-07"], "exactly one of"),
        (["--branch", "A"], "Missing option '--period'"),
        (["--brnch", "A", "--period", "2017-07"], "No such option: --brnch"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, handmade_db, argv, message):
    code, out, err = run(capsys, "metrics", "--db", str(handmade_db), *argv)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]


def test_missing_warehouse_says_how_to_build_one(capsys, tmp_path):
    code, _, err = run(
        capsys,
        "metrics",
        "--db",
        str(tmp_path / "none.duckdb"),
        "--branch",
        "A",
        "--period",
        "2017-07",
    )
    assert code == 2 and "bpu-reports db init --demo" in err


def test_db_init_without_demo_flag_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "db", "init", "--db", str(tmp_path / "x.duckdb"))
    assert code == 2 and "add --demo" in err
    assert not (tmp_path / "x.duckdb").exists()


def test_warehouse_path_from_environment(capsys, handmade_db, monkeypatch):
    monkeypatch.setenv("BPU_REPORTS_DB", str(handmade_db))
    code, out, _ = run(capsys, "metrics", "--branch", "A", "--period", "2017-07", "--json")
    assert code == 0 and json.loads(out)["registered"] == 13
