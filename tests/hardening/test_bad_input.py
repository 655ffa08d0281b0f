"""Bad command-line input: exit 2, one line saying what is wrong and how to fix it, no
traceback, no kernel started and nothing written under ``--out``.

The hand-made warehouse has branches A and B in region R1 with data 2016-05 … 2017-08.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hardening_support import FIXTURES, LIGHT_NB, MONTHLY, REGION_NB

MALFORMED = "is not a month in the form YYYY-MM"
OUTSIDE = "is outside the warehouse's data (2016-05 … 2017-08): choose a month in that range"
PERIODS = [
    ("2017-13", MALFORMED),
    ("17-07", MALFORMED),
    ("2017-7", MALFORMED),
    ("", MALFORMED),
    ("2019-01", OUTSIDE),  # beyond the data
    ("2014-01", OUTSIDE),  # before the data
]
BAD_CODES = {
    "dotdot-slash": "../x",
    "dotdot": "..",
    "slash": "A/B",
    "absolute": "/etc",
    "space": "A B",
    "nul": "A\x00B",
    "300-chars": "A" * 300,
}


def _command(kind: str, db: Path, out: Path, period: str) -> list[object]:
    common = ["--db", db, "--out", out]
    if kind == "metrics":
        return [*common, "metrics", "--branch", "A", "--period", period]
    if kind == "run":
        return [*common, "run", LIGHT_NB, "--branch", "A", "--period", period, "--format", "html"]
    return [*common, "generate", "--period", period, "--scope", "A", "--spec", MONTHLY]


@pytest.mark.parametrize("command", ["metrics", "run", "generate"])
@pytest.mark.parametrize(("period", "message"), PERIODS, ids=[p or "empty" for p, _ in PERIODS])
def test_bad_period(cli, handmade_db, tmp_path, command, period, message):
    out = tmp_path / "out"
    cli.refused(*_command(command, handmade_db, out, period), message=message)
    assert not out.exists()


def test_previous_month_outside_the_data(cli, handmade_db, tmp_path):
    """``--period previous`` (cron) on a warehouse whose data ended long ago."""
    previous = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    out = tmp_path / "out"
    cli.refused(
        *["--db", handmade_db, "--out", out, "generate", "--period", "previous"],
        *["--spec", MONTHLY],
        message=f"period {previous:%Y-%m} {OUTSIDE}",
    )
    assert not out.exists()


# -- branch, region and scope codes ---------------------------------------------------------


def _code_commands(db: Path, out: Path, code: str) -> dict[str, list[object]]:
    common = ["--db", db, "--out", out]
    run = [*common, "run", LIGHT_NB, "--period", "2017-07", "--format", "html"]
    generate = [*common, "generate", "--period", "2017-07", "--spec", MONTHLY]
    return {
        "metrics --branch": [*common, "metrics", "--period", "2017-07", "--branch", code],
        "metrics --region": [*common, "metrics", "--period", "2017-07", "--region", code],
        "run --branch": [*run, "--branch", code],
        "run --region": [*run, "--region", code],
        "generate --scope": [*generate, "--scope", code],
        "generate --scope list": [*generate, "--scope", f"A,{code}"],
    }


@pytest.mark.parametrize("option", list(_code_commands(Path(), Path(), "X")))
@pytest.mark.parametrize("code", list(BAD_CODES.values()), ids=list(BAD_CODES))
def test_code_that_could_escape_a_path(cli, handmade_db, tmp_path, option, code):
    out = tmp_path / "out"
    line = cli.refused(
        *_code_commands(handmade_db, out, code)[option],
        message="is not a valid code: use letters, digits, '_' or '-' (max 32)",
    )
    assert "\x00" not in line and len(line) < 250  # shown escaped and shortened
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing beside --out either


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("metrics --branch", "unknown branch 'NOPE': known codes include A, B"),
        ("metrics --region", "unknown region 'NOPE': known codes include R1"),
        ("run --branch", "unknown branch 'NOPE': known codes include A, B"),
        ("run --region", "unknown region 'NOPE': known codes include R1"),
        ("generate --scope", "unknown branch 'NOPE': known codes include A, B"),
        ("generate --scope list", "unknown branch 'NOPE'"),
    ],
)
def test_unknown_branch_or_region(cli, handmade_db, tmp_path, option, message):
    out = tmp_path / "out"
    cli.refused(*_code_commands(handmade_db, out, "NOPE")[option], message=message)
    assert not out.exists()


# -- report parameters and notebooks (bpu-reports run) --------------------------------------


def _run(db: Path, out: Path, notebook: Path, *extra: object) -> list[object]:
    return [
        *["--db", db, "--out", out, "run", notebook],
        *["--branch", "A", "--period", "2017-07", "--format", "html", *extra],
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-p", "colour=red"], "light_report.ipynb has no parameter 'colour': its parameters are"),
        (["-p", "top_n=ten"], "parameter top_n='ten': Input should be a valid integer"),
        (["-p", "top_n=1.5"], "parameter top_n='1.5': Input should be a valid integer"),
        (["-p", "share=half"], "parameter share='half': Input should be a valid number"),
        (["-p", "show_all=maybe"], "parameter show_all='maybe': Input should be a valid boolean"),
        (["-p", "top_n"], "-p 'top_n' is not NAME=VALUE (for example -p lang=en)"),
        (["-p", "=3"], "-p '=3' is not NAME=VALUE"),
        (["-p", "period=2017-08"], "-p period=… clashes with the --period option: use the option"),
        (["--lang", "fr"], "--lang 'fr': use id or en"),
        (["--format", "docx"], "--format 'docx': choose from html, pdf"),
    ],
    ids=[
        "unknown-name",
        "int-given-text",
        "int-given-float",
        "float-given-text",
        "bool-given-text",
        "no-equals",
        "no-name",
        "clash",
        "lang",
        "format",
    ],
)
def test_bad_report_parameter(cli, handmade_db, tmp_path, extra, message):
    out = tmp_path / "out"
    cli.refused(*_run(handmade_db, out, LIGHT_NB, *extra), message=message)
    assert not out.exists()


def test_bad_notebooks(cli, handmade_db, tmp_path):
    out = tmp_path / "out"
    cli.refused(
        *_run(handmade_db, out, tmp_path / "missing.ipynb"),
        message="missing.ipynb does not exist: check the path",
    )
    cli.refused(
        *_run(handmade_db, out, FIXTURES / "no_parameters.ipynb"),
        message="must have exactly one cell tagged 'parameters' (found 0): tag the cell",
    )
    (tmp_path / "junk.ipynb").write_text("{not json")
    cli.refused(
        *_run(handmade_db, out, tmp_path / "junk.ipynb"), message="is not a readable notebook"
    )
    cli.refused(*_run(handmade_db, out, FIXTURES), message="is not a readable notebook")
    cli.refused(
        *["--db", handmade_db, "--out", out, "run", REGION_NB],
        *["--branch", "A", "--period", "2017-07"],
        message="region_monthly.ipynb is not a branch report",
    )
    assert not out.exists()


# -- run specs (bpu-reports generate --spec) ------------------------------------------------


def _generate(db: Path, out: Path, spec: Path, *extra: object) -> list[object]:
    return [
        *["--db", db, "--out", out, "generate", "--period", "2017-07"],
        *["--scope", "A", "--spec", spec, "--workers", "1", *extra],
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("spec_typo.yaml", "spec_typo.yaml (line 5) is not valid YAML"),
        ("spec_unknown_key.yaml", "spec_unknown_key.yaml: reports.0.fromats: Extra inputs"),
        ("spec_wrong_type.yaml", "spec_wrong_type.yaml: reports.0.formats: Input should be"),
        (
            "spec_missing_notebook.yaml",
            "notebook ../../../notebooks/branch_montly.ipynb not found (looked in",
        ),
        (
            "spec_no_parameters_cell.yaml",
            "must have exactly one cell tagged 'parameters' (found 0)",
        ),
        (
            "spec_bad_parameter.yaml",
            "reports.0.parameters: parameter top_n='many': Input should be a valid integer",
        ),
        (
            "spec_unknown_parameter.yaml",
            "reports.0.parameters: light_report.ipynb has no parameter 'colour'",
        ),
    ],
)
def test_bad_spec_file(cli, handmade_db, tmp_path, name, message):
    out = tmp_path / "out"
    cli.refused(*_generate(handmade_db, out, FIXTURES / name), message=message)
    assert not out.exists()


NB = str(LIGHT_NB)
SPECS = {
    "tab-indent": ("reports:\n\t- notebook: x\n", "(line 2) is not valid YAML"),
    "unknown-top-key": (
        f"reports:\n  - notebook: {NB}\n    per: branch\ncell_timout: 5\n",
        "cell_timout: Extra inputs are not permitted",
    ),
    "format-not-allowed": (
        f"reports:\n  - notebook: {NB}\n    per: branch\n    formats: [docx]\n",
        "reports.0.formats.0: Input should be 'html', 'pdf', 'pdfa' or 'xlsx'",
    ),
    "per-not-allowed": (
        f"reports:\n  - notebook: {NB}\n    per: office\n",
        "reports.0.per: Input should be 'branch', 'region' or 'national'",
    ),
    "timeout-text": (
        f"reports:\n  - notebook: {NB}\n    per: branch\ncell_timeout: soon\n",
        "cell_timeout: Input should be a valid integer",
    ),
    "timeout-zero": (
        f"reports:\n  - notebook: {NB}\n    per: branch\ncell_timeout: 0\n",
        "cell_timeout: Input should be greater than 0",
    ),
    "no-notebook-key": ("reports:\n  - per: branch\n", "reports.0.notebook: Field required"),
    "empty-file": ("", "must be a mapping with a 'reports' list"),
    "a-list": ("- a\n- b\n", "must be a mapping with a 'reports' list"),
    "no-reports": ("reports: []\n", "reports: Tuple should have at least 1 item"),
    "notebook-is-a-folder": (
        f"reports:\n  - notebook: {FIXTURES}\n    per: branch\n",
        f"reports.0.notebook {FIXTURES} is not a file",
    ),
    "notebook-not-json": (
        "reports:\n  - notebook: junk.ipynb\n    per: branch\n",
        "junk.ipynb is not a readable notebook",
    ),
    "notebook-without-per-parameter": (
        f"reports:\n  - notebook: {REGION_NB}\n    per: branch\n",
        "region_monthly.ipynb has no 'branch' parameter, so it is not a branch report",
    ),
    "parameter-set-by-the-batch": (
        f"reports:\n  - notebook: {NB}\n    per: branch\n    parameters: {{branch: B}}\n",
        "reports.0.parameters.branch: set by the batch",
    ),
}


@pytest.mark.parametrize(("text", "message"), list(SPECS.values()), ids=list(SPECS))
def test_bad_spec_content(cli, handmade_db, tmp_path, text, message):
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    (tmp_path / "junk.ipynb").write_text("{not json")
    out = tmp_path / "out"
    cli.refused(*_generate(handmade_db, out, spec), message=message)
    assert not out.exists()


def test_spec_that_is_not_a_yaml_text_file(cli, handmade_db, tmp_path):
    out = tmp_path / "out"
    cli.refused(
        *_generate(handmade_db, out, tmp_path / "none.yaml"),
        message="run spec " + str(tmp_path / "none.yaml") + " not found: pass --spec",
    )
    cli.refused(*_generate(handmade_db, out, tmp_path), message="is a folder: pass --spec")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00\x01junk")
    cli.refused(*_generate(handmade_db, out, tmp_path / "binary.yaml"), message="is not UTF-8 text")
    assert not out.exists()


def test_spec_notebook_paths_are_relative_to_the_spec(cli, handmade_db, tmp_path):
    """A spec copied elsewhere without its notebooks names the folder it looked in."""
    shutil.copy(FIXTURES / "hostile.yaml", tmp_path / "copied.yaml")
    cli.refused(
        *_generate(handmade_db, tmp_path / "out", tmp_path / "copied.yaml"),
        message=f"notebook light_report.ipynb not found (looked in {tmp_path})",
    )


# -- executor options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--workers", "0"], "--workers 0: use 1 or more (default: the CPU count)"),
        (["--workers", "-3"], "--workers -3: use 1 or more"),
        (["--workers", "two"], "Invalid value for '--workers'"),
        (["--executor", "nope"], "--executor 'nope': use local or dask"),
    ],
    ids=["workers-0", "workers-negative", "workers-text", "executor"],
)
def test_bad_executor_option(cli, handmade_db, tmp_path, extra, message):
    out = tmp_path / "out"
    cli.refused(*_generate(handmade_db, out, MONTHLY, *extra), message=message)
    assert not out.exists()


def test_verbose_adds_the_traceback(cli, handmade_db):
    code, _, err = cli(
        "--verbose", "--db", handmade_db, "metrics", "--branch", "A", "--period", "2017-13"
    )
    assert code == 2 and "Traceback" in err
    assert err.strip().splitlines()[-1].startswith("error: period '2017-13'")


def test_out_is_a_file(cli, handmade_db, tmp_path):
    (tmp_path / "out").write_text("not a folder")
    cli.refused(
        *_run(handmade_db, tmp_path / "out", LIGHT_NB),
        message=f"cannot create the folder {tmp_path / 'out' / '2017-07' / 'A'}: Not a directory",
    )
    assert (tmp_path / "out").read_text() == "not a folder"


def test_generate_out_is_a_file(cli, handmade_db, tmp_path):
    (tmp_path / "out").write_text("not a folder")
    cli.refused(
        *_generate(handmade_db, tmp_path / "out", FIXTURES / "hostile.yaml"),
        message="--out",
    )
