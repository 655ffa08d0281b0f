"""The command line, called in-process through ``main(argv)``."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

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


# Global options: --db, --out, --verbose and --quiet before the command, between a group and
# its command (`db --db X status`), or after the command; given twice, the later one wins.

ROOT = Path(__file__).resolve().parents[1]
MONTHLY = ROOT / "parameters" / "monthly.yaml"


def _export_folder(folder: Path) -> Path:
    """The small valid export folder of the import tests (``tests/data/fixtures_import.py``),
    loaded under the name ``tests/data`` uses so both share one module."""
    name = "fixtures_import"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests/data/fixtures_import.py")
        assert spec and spec.loader
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name].valid_folder(folder)


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(lambda db: ["--db", db, "db", "status", "--json"], id="before"),
        pytest.param(lambda db: ["db", "--db", db, "status", "--json"], id="group"),
        pytest.param(lambda db: ["db", "status", "--db", db, "--json"], id="after"),
        pytest.param(lambda db: ["db", "status", "--json", "--db", db], id="last"),
    ],
)
def test_db_status_reads_the_db_option_wherever_it_stands(capsys, handmade_db, where):
    code, out, err = run(capsys, *where(str(handmade_db)))
    assert code == 0, err
    data = json.loads(out)
    # tests/handmade.py: members 1-15 in branch A and 101-105 in B, region R1, from 2016-05
    assert data["rows"]["participants"] == 20 and data["rows"]["branches"] == 2
    assert data["first_period"] == "2016-05"


def test_db_given_before_and_after_the_command_is_taken_from_after(capsys, handmade_db, tmp_path):
    missing = str(tmp_path / "none.duckdb")
    metrics = ["metrics", "--branch", "A", "--period", "2017-07", "--json"]
    code, out, err = run(capsys, "--db", missing, *metrics, "--db", str(handmade_db))
    assert code == 0, err
    assert json.loads(out)["registered"] == 13  # branch A's 13 registered members in July
    code, out, err = run(capsys, "--db", str(handmade_db), *metrics, "--db", missing)
    assert (code, out) == (2, "")
    assert f"no warehouse at {missing}" in err


@pytest.mark.parametrize(
    ("argv", "used"),
    [
        (["--db", "{bad}", "db", "--db", "{good}", "status"], "good"),
        (["db", "--db", "{good}", "status", "--db", "{bad}"], "bad"),
        (["--db", "{good}", "db", "--db", "{bad}", "status"], "bad"),
    ],
    ids=["group over app", "command over group", "group over app, failing"],
)
def test_db_group_sits_between_the_app_and_its_command(capsys, handmade_db, tmp_path, argv, used):
    paths = {"good": str(handmade_db), "bad": str(tmp_path / "none.duckdb")}
    code, out, err = run(capsys, *(a.format(**paths) for a in argv), "--json")
    if used == "good":
        assert code == 0, err
        assert json.loads(out)["rows"]["participants"] == 20
    else:
        assert code == 2 and f"no warehouse at {paths['bad']}" in err


def test_db_after_the_command_needs_no_readable_environment(capsys, handmade_db, monkeypatch):
    """The environment is read only when no --db is given anywhere: a variable holding bytes
    that are not UTF-8 does not stop a command that names its warehouse."""
    monkeypatch.setenv("BPU_REPORTS_DB", "/tmp/\udcff.duckdb")  # the byte 0xff
    code, out, err = run(capsys, "db", "status", "--json", "--db", str(handmade_db))
    assert code == 0, err
    assert json.loads(out)["rows"]["participants"] == 20
    code, _, err = run(capsys, "db", "status")
    assert code == 2 and "BPU_REPORTS_DB /tmp/\\xff.duckdb is not valid UTF-8" in err


@pytest.mark.parametrize(
    ("before", "after", "used"),
    [("one", None, "one"), (None, "two", "two"), ("one", "two", "two")],
    ids=["before", "after", "both"],
)
def test_out_before_or_after_generate(capsys, handmade_db, tmp_path, before, after, used):
    """``--out`` below a plain file cannot be made: the batch stops at its output folder
    (before any report runs), naming the folder it was given."""
    (tmp_path / "file").write_text("in the way\n")
    out = {name: str(tmp_path / "file" / name) for name in ("one", "two")}
    argv = ["generate", "--period", "2017-07", "--spec", str(MONTHLY), "--db", str(handmade_db)]
    argv = [*(["--out", out[before]] if before else []), *argv]
    argv = [*argv, *(["--out", out[after]] if after else [])]
    code, stdout, err = run(capsys, *argv)
    assert (code, stdout) == (2, "")
    assert err.startswith(f"error: cannot create the folder {out[used]}: Not a directory")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["--verbose", "metrics", "--db", "{db}", "--branch", "A", "--period", "2017-13"],
        ["metrics", "--db", "{db}", "--branch", "A", "--period", "2017-13", "--verbose"],
        ["metrics", "--verbose", "--db", "{db}", "--branch", "A", "--period", "2017-13"],
    ],
    ids=["before", "after", "among the command's options"],
)
def test_verbose_anywhere_adds_the_traceback(capsys, handmade_db, argv):
    code, out, err = run(capsys, *(a.format(db=handmade_db) for a in argv))
    assert (code, out) == (2, "")
    assert err.startswith("Traceback (most recent call last):")
    assert "PeriodError" in err
    assert err.strip().splitlines()[-1].startswith("error: ")
    assert "not a month in the form YYYY-MM" in err.strip().splitlines()[-1]


def test_verbose_after_a_nested_command_adds_the_traceback(capsys, tmp_path):
    missing = tmp_path / "exports"
    code, out, err = run(
        capsys, "db", "import", str(missing), "--db", str(tmp_path / "x.duckdb"), "--verbose"
    )
    assert (code, out) == (2, "")
    assert err.startswith("Traceback (most recent call last):")
    assert err.strip().splitlines()[-1].startswith(f"error: no folder {missing}: ")
    assert not (tmp_path / "x.duckdb").exists()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["db", "import", "{src}", "--db", "{db}"], True),
        (["--quiet", "db", "import", "{src}", "--db", "{db}"], False),
        (["db", "--quiet", "import", "{src}", "--db", "{db}"], False),
        (["db", "import", "{src}", "--db", "{db}", "--quiet"], False),
    ],
    ids=["loud", "before", "group", "after"],
)
def test_quiet_anywhere_silences_what_a_command_says(capsys, tmp_path, argv, says):
    src = _export_folder(tmp_path / "exports")
    db = tmp_path / "wh.duckdb"
    code, out, err = run(capsys, *(a.format(src=src, db=db) for a in argv))
    assert code == 0, err
    assert db.is_file()
    if says:
        assert out.startswith(f"imported {src} into {db}: data ")
    else:
        assert out == ""


@pytest.mark.parametrize("argv", [[], ["db"]], ids=["app", "db group"])
def test_no_command_shows_the_help_and_no_empty_error(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and err == ""
    assert f"Usage: bpu-reports {' '.join([*argv, ''])}[OPTIONS] COMMAND [ARGS]..." in out
    text = " ".join(out.split())  # Rich wraps the help to the terminal's width
    assert "A value given in both places is taken from after the command." in text
