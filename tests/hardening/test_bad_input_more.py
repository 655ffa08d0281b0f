"""More bad input (docs/reliability.md, rows 150–179): permissions, Rich markup in names and
paths, FIFOs and devices, empty environment variables and scopes, codes with a trailing
newline, clashing reports in a spec, paths that are not UTF-8. Each is one ``error:`` line and
exit 2 — never a traceback, a hang or a crash while printing — and nothing is written.

Permission cases run as ``nobody`` in a subprocess when the tests run as root (``setpriv``);
cases that could hang (a FIFO) or need bytes in ``argv`` run in a subprocess too.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening_support import LIGHT_NB, MONTHLY, ROOT, fixtures_import
from rich.console import Console

from bpu_reports.config import Settings
from bpu_reports.run import spec
from bpu_reports.run.progress import run_with_progress
from cli_outcome import refused
from factories import build_warehouse
from handmade import handmade_tables
from unprivileged import give_to_nobody, open_folder, run_unprivileged

valid_folder = fixtures_import().valid_folder
SUBPROCESS_TIMEOUT = 120
"""Generous: only there to turn a hang into a failure."""


def run_subprocess(
    *argv: str | bytes | Path, env: dict[str, str | bytes] | None = None, cwd: Path | None = None
) -> tuple[int, str, str]:
    """``python -m bpu_reports *argv`` (bytes allowed, as a shell passes them); its output
    must be UTF-8."""
    done = subprocess.run(
        [sys.executable, "-m", "bpu_reports", *argv],
        capture_output=True,
        timeout=SUBPROCESS_TIMEOUT,
        env={**os.environb, **{k.encode(): os.fsencode(v) for k, v in (env or {}).items()}},
        cwd=cwd,
    )
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


def _run(db: Path, out: Path, notebook: Path, *extra: object) -> list[object]:
    return [
        *["--db", db, "--out", out, "run", notebook, "--period", "2017-07"],
        *["--format", "html", *extra],
    ]


def _generate(db: Path, out: Path, spec_path: Path, *extra: object) -> list[object]:
    return [
        *["--db", db, "--out", out, "generate", "--period", "2017-07"],
        *["--spec", spec_path, "--workers", "1", *extra],
    ]


def _reading(command: str, db: Path, out: Path) -> list[object]:
    """A command that reads the warehouse at ``db``."""
    if command == "metrics":
        return ["--db", db, "metrics", "--period", "2017-07", "--branch", "A"]
    if command == "db status":
        return ["--db", db, "db", "status"]
    if command == "run":
        return _run(db, out, LIGHT_NB, "--branch", "A")
    return _generate(db, out, MONTHLY, "--scope", "A")


READING = ["metrics", "run", "generate", "db status"]


# -- empty scopes ---------------------------------------------------------------------------

EMPTY_SCOPE = "--scope is empty: give all, a region code, or branch codes A,B"


@pytest.mark.parametrize("scope", ["", ",", " , ", ",,"], ids=["empty", "comma", "spaced", "two"])
def test_empty_scope(cli, handmade_db, tmp_path, scope):
    """Neither "0 reports" nor "everything": an empty list is a mistake (a cron line whose
    variable is unset)."""
    out = tmp_path / "out"
    cli.refused(*_generate(handmade_db, out, MONTHLY, "--scope", scope), message=EMPTY_SCOPE)
    assert not out.exists()


# -- codes with a trailing newline ------------------------------------------------------------

NOT_A_CODE = "is not a valid code: use letters, digits, '_' or '-' (max 32)"


def _newline_commands(db: Path, out: Path) -> dict[str, list[object]]:
    common = ["--db", db, "--out", out]
    run = _run(db, out, LIGHT_NB)
    generate = _generate(db, out, MONTHLY)
    return {
        "metrics --branch": [*common, "metrics", "--period", "2017-07", "--branch", "A\n"],
        "metrics --region": [*common, "metrics", "--period", "2017-07", "--region", "R1\n"],
        "run --branch": [*run, "--branch", "A\n"],
        "run --region": [*run, "--region", "R1\n"],
        "run -p region": [*run, "--branch", "A", "-p", "region=R1\n"],
        "generate --scope": [*generate, "--scope", "A\n"],
        "generate --scope region": [*generate, "--scope", "R1\n"],
        "generate --scope list": [*generate, "--scope", "A,B\n"],
    }


@pytest.mark.parametrize("command", list(_newline_commands(Path(), Path())))
def test_code_with_a_trailing_newline(cli, handmade_db, tmp_path, command):
    """``$`` in a pattern matched with ``re.match`` accepts ``"A\\n"``; codes become folder
    names, so the whole text must be a code."""
    out = tmp_path / "out"
    line = cli.refused(*_newline_commands(handmade_db, out)[command], message=NOT_A_CODE)
    assert "\\n'" in line  # the newline is shown, as repr shows it
    assert not out.exists()


def test_import_refuses_a_code_with_a_trailing_newline(cli, tmp_path):
    folder = valid_folder(tmp_path / "export")
    regions = folder / "regions.csv"
    regions.write_text(regions.read_text() + '"RX\n",Extra\n')
    warehouse = tmp_path / "w.duckdb"
    refused(
        *cli("--db", warehouse, "db", "import", folder),
        "regions.region_code: must be a code of letters, digits, '_' or '-' — 1 row: 2",
    )
    assert not warehouse.exists()


# -- FIFOs and devices ------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.duckdb"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", READING)
def test_fifo_as_db(tmp_path, fifo, command):
    """Opening a FIFO blocks until a writer comes: refused from its mode, in a subprocess so
    a regression fails instead of hanging."""
    out = tmp_path / "out"
    refused(
        *run_subprocess(*map(str, _reading(command, fifo, out))),
        f"{fifo} is a FIFO (named pipe), not a warehouse file: give --db a .duckdb file",
    )
    assert not out.exists()


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
@pytest.mark.parametrize("command", READING)
def test_device_as_db(cli, tmp_path, device, command):
    out = tmp_path / "out"
    cli.refused(
        *_reading(command, Path(device), out),
        message=f"{device} is a device, not a warehouse file: give --db a .duckdb file",
    )
    assert not out.exists()


@pytest.fixture
def device(tmp_path: Path) -> Iterator[Path]:
    """A character device of our own (the null device's numbers): a build that renamed its
    file over it would not harm the system's ``/dev/null``."""
    path = tmp_path / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    yield path
    path.unlink(missing_ok=True)


@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize("command", ["db init", "db import"])
def test_special_file_as_warehouse_target(tmp_path, request, kind, command):
    """A build renames its finished file over ``--db``: never over a FIFO or a device."""
    target: Path = request.getfixturevalue(kind)
    what = "a FIFO (named pipe)" if kind == "fifo" else "a device"
    argv = (
        ["--db", target, "db", "init", "--demo"]
        if command == "db init"
        else ["--db", target, "db", "import", valid_folder(tmp_path / "export")]
    )
    refused(*run_subprocess(*map(str, argv)), f"{target} is {what}, not a warehouse file")
    mode = target.lstat().st_mode
    assert stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISCHR(mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name] + (["export"] if command == "db import" else [])
    )


def test_fifo_as_notebook_or_spec(handmade_db, tmp_path, fifo):
    out = tmp_path / "out"
    refused(
        *run_subprocess(*map(str, _run(handmade_db, out, fifo, "--branch", "A"))),
        f"notebook {fifo} is not a regular file (a FIFO or a device): give an .ipynb file",
    )
    refused(
        *run_subprocess(*map(str, _generate(handmade_db, out, fifo, "--scope", "A"))),
        f"run spec {fifo} is not a regular file (a FIFO or a device): pass --spec",
    )
    assert not out.exists()


# -- empty environment variables ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   "], ids=["empty", "blank"])
def test_empty_db_variable_means_the_default(cli, tmp_path, monkeypatch, value):
    """``BPU_REPORTS_DB=`` is unset, not ``Path("")`` (the current folder)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BPU_REPORTS_DB", value)
    cli.refused(
        "db", "status", message="no warehouse at data/bpu.duckdb: build one with `bpu-reports"
    )


@pytest.mark.parametrize("value", ["", "   "], ids=["empty", "blank"])
def test_empty_out_variable_means_the_default(cli, readable, open_tmp, value):
    """``BPU_REPORTS_OUT=`` is unset: reports go to ``reports/``, which a read-only working
    folder refuses by that name (not ``.``)."""
    work = open_tmp / "work"
    work.mkdir()
    work.chmod(0o555)
    try:
        refused(
            *run_unprivileged(
                cli,
                open_tmp,
                *["run", LIGHT_NB, "--branch", "A", "--period", "2017-07"],
                cwd=work,
                env={"BPU_REPORTS_OUT": value, "BPU_REPORTS_DB": str(readable)},
            ),
            "cannot write to the output folder reports (its folder .): permission denied: "
            "make it writable, or choose another --out",
        )
    finally:
        work.chmod(0o755)
    assert list(work.iterdir()) == []
    assert Settings.resolve(environ={"BPU_REPORTS_OUT": value, "BPU_REPORTS_DB": value}) == (
        Settings()
    )


# -- Rich markup in names, codes, values and paths ----------------------------------------------

BRANCH_NAME = "[bold]KC[/] [red]x[/red]"
REGION_NAME = "[/]R [link=http://x]"
MARKUP = "[bold]x[/]"
"""In a path: the folder ``[bold]x[`` and, inside it, ``]``."""
NAMED = "[red]x[bold]"
"""In a file name (which cannot hold the ``/`` of a closing tag)."""


@pytest.fixture(scope="module")
def markup_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made warehouse with Rich markup in branch A's and region R1's names."""
    tables = handmade_tables()
    tables["regions"] = [{**r, "region_name": REGION_NAME} for r in tables["regions"]]
    tables["branches"] = [
        {**b, "branch_name": BRANCH_NAME} if b["branch_code"] == "A" else b
        for b in tables["branches"]
    ]
    return build_warehouse(tmp_path_factory.mktemp("markup") / "markup.duckdb", tables)


def test_markup_in_warehouse_names_prints_as_text(cli, markup_db):
    code, out, err = cli("--db", markup_db, "metrics", "--period", "2017-07", "--branch", "A")
    assert (code, err) == (0, "")
    assert f"{BRANCH_NAME} (A)" in out
    code, out, err = cli("--db", markup_db, "db", "status")
    assert (code, err) == (0, "")
    assert f"R1 ({REGION_NAME})" in out and BRANCH_NAME in out
    code, out, err = cli("--db", markup_db, "metrics", "--period", "2017-07", "--region", "R1")
    assert (code, err) == (0, "")
    assert f"{REGION_NAME} (R1)" in out


def _markup_cases(db: Path, tmp: Path) -> dict[str, tuple[list[object], str]]:
    out = tmp / "out"
    return {
        "period": (
            ["--db", db, "metrics", "--period", "[bold]", "--branch", "A"],
            "period '[bold]' is not a month in the form YYYY-MM",
        ),
        "branch": (
            ["--db", db, "metrics", "--period", "2017-07", "--branch", "[/]"],
            f"branch '[/]' {NOT_A_CODE}",
        ),
        "region": (
            ["--db", db, "metrics", "--period", "2017-07", "--region", "[red]x[/red]"],
            f"region '[red]x[/red]' {NOT_A_CODE}",
        ),
        "scope": (
            [*_generate(db, out, MONTHLY), "--scope", "A,[link=http://x]"],
            f"branch '[link=http://x]' {NOT_A_CODE}",
        ),
        "-p value": (
            [*_run(db, out, LIGHT_NB), "--branch", "A", "-p", "top_n=[bold]"],
            "parameter top_n='[bold]': Input should be a valid integer",
        ),
        "--db path": (
            ["--db", tmp / MARKUP / "w.duckdb", "db", "status"],
            f"no warehouse at {tmp / MARKUP / 'w.duckdb'}: build one",
        ),
        "notebook path": (
            [*_run(db, out, tmp / f"{MARKUP}.ipynb"), "--branch", "A"],
            f"notebook {tmp / MARKUP}.ipynb does not exist: check the path",
        ),
        "spec path": (
            [*_generate(db, out, tmp / "[/].yaml"), "--scope", "A"],
            f"run spec {tmp / '[/].yaml'} not found: pass --spec with an existing file",
        ),
    }


@pytest.mark.parametrize("case", list(_markup_cases(Path(), Path())))
def test_markup_in_an_error_line_prints_as_text(cli, handmade_db, tmp_path, case):
    argv, message = _markup_cases(handmade_db, tmp_path)[case]
    cli.refused(*argv, message=message)
    assert not (tmp_path / "out").exists()


def test_markup_in_an_out_path_prints_as_text(cli, handmade_db, tmp_path):
    out = tmp_path / MARKUP  # "[bold]x[" / "]": markup across a folder and its file
    out.parent.mkdir()
    out.write_text("a file where the output folder goes")
    cli.refused(
        *_run(handmade_db, out, LIGHT_NB, "--branch", "A"),
        message=f"cannot create the folder {out / '2017-07' / 'A'}: Not a directory",
    )


def test_markup_in_success_lines_prints_as_text(cli, tmp_path):
    target = tmp_path / "[link=http://x]w[/link].duckdb"
    folder = valid_folder(tmp_path / MARKUP)
    code, out, err = cli("--db", target, "db", "import", folder)
    assert (code, err) == (0, "")
    assert out.startswith(f"imported {folder} into {target}: data ")


@pytest.mark.slow
def test_markup_in_run_paths_prints_as_text(cli, handmade_db, tmp_path):
    """``run``'s lines name the files it wrote: an ``--out`` and a notebook named with markup."""
    notebook = tmp_path / f"{NAMED}.ipynb"
    shutil.copy(LIGHT_NB, notebook)
    out = tmp_path / MARKUP
    code, printed, err = cli(*_run(handmade_db, out, notebook, "--branch", "A"))
    assert code == 0, err
    written = out.resolve() / "2017-07" / "A" / NAMED
    assert printed.splitlines() == [f"ipynb {written}.ipynb", f"html  {written}.html"]
    assert Path(f"{written}.html").is_file()


@pytest.fixture
def markup_spec(tmp_path: Path) -> Path:
    """A spec whose report (a notebook named with markup) fails for branch A."""
    shutil.copy(LIGHT_NB, tmp_path / f"{NAMED}.ipynb")
    path = tmp_path / "spec.yaml"
    path.write_text(
        f"reports:\n  - notebook: '{NAMED}.ipynb'\n    per: branch\n    formats: [html]\n"
        "    parameters: {raise_on: A}\n"
    )
    return path


@pytest.mark.slow
def test_markup_in_generate_lines_and_summary_prints_as_text(
    cli, handmade_db, tmp_path, markup_spec
):
    out = tmp_path / MARKUP
    code, printed, err = cli(*_generate(handmade_db, out, markup_spec, "--scope", "A"))
    assert code == 1 and printed == ""
    assert "Traceback" not in err and "MarkupError" not in err
    assert f"FAILED  A/{NAMED}" in err  # the log line
    assert f"│ A/{NAMED} " in err  # the summary table's row
    assert f"│ A/{NAMED} │ {NAMED}.ipynb for A " in err


@pytest.mark.slow
def test_markup_in_the_progress_bar_prints_as_text(handmade_db, tmp_path, markup_spec):
    """On a terminal ``generate`` draws a progress bar: its status, the log and the summary
    table are text even on a console that reads markup."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=200, color_system=None)
    settings = Settings(db=handmade_db, out=tmp_path / MARKUP)
    summary = run_with_progress(
        settings, console=console, period="2017-07", scope="A", spec_path=markup_spec, workers=1
    )
    assert summary.failed == 1
    shown = buffer.getvalue()
    assert f"last A/{NAMED}" in shown and f"│ A/{NAMED} │ {NAMED}.ipynb for A " in shown


# -- permissions --------------------------------------------------------------------------------


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary folder ``nobody`` can reach (``tmp_path`` is under pytest's 0700 one)."""
    with open_folder() as path:
        yield path


@pytest.fixture
def readable(handmade_db: Path, open_tmp: Path) -> Path:
    """A copy of the hand-made warehouse that ``nobody`` may read."""
    folder = open_tmp / "readable"
    folder.mkdir()
    db = Path(shutil.copy(handmade_db, folder / "handmade.duckdb"))
    db.chmod(0o644)
    return db


@pytest.fixture
def writable(open_tmp: Path) -> Path:
    """A folder ``nobody`` may write in: where the output folder of a refused command would
    have been made."""
    folder = open_tmp / "writable"
    folder.mkdir()
    folder.chmod(0o777)
    return folder


@pytest.fixture
def read_only(open_tmp: Path) -> Iterator[Path]:
    folder = open_tmp / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def _writing(command: str, db: Path, out: Path) -> tuple[list[object], Path | None]:
    """A command that writes under ``out``; the working folder it needs."""
    if command == "run":
        return _run(db, out, LIGHT_NB, "--branch", "A"), None
    if command == "generate":
        return _generate(db, out, MONTHLY, "--scope", "A"), None
    return ["--db", db, "--out", out, "demo"], ROOT  # demo reads parameters/monthly.yaml


@pytest.mark.parametrize("where", ["the-folder", "below-it"])
@pytest.mark.parametrize("command", ["generate", "run", "demo"])
def test_read_only_out(cli, readable, read_only, open_tmp, command, where):
    out = read_only if where == "the-folder" else read_only / "reports"
    argv, cwd = _writing(command, readable, out)
    around = "" if where == "the-folder" else f" (its folder {read_only})"
    refused(
        *run_unprivileged(cli, open_tmp, *argv, cwd=cwd),
        f"cannot write to the output folder {out}{around}: permission denied: make it "
        "writable, or choose another --out",
    )
    assert list(read_only.iterdir()) == []


@pytest.fixture
def unreadable(tmp_path: Path) -> Iterator[list[Path]]:
    """Paths a test makes unreadable (mode 000); given back for the clean-up."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        path.chmod(0o644)


def _deny(path: Path, paths: list[Path]) -> Path:
    path.chmod(0o000)
    paths.append(path)
    return path


@pytest.mark.parametrize("command", READING)
def test_unreadable_warehouse(cli, readable, open_tmp, writable, unreadable, command):
    db = _deny(readable, unreadable)
    out = writable / "out"
    refused(
        *run_unprivileged(cli, open_tmp, *_reading(command, db, out)),
        f"cannot read the warehouse {db}: permission denied: give yourself read access to it, "
        "or give --db another warehouse",
    )
    assert not out.exists()


def test_unreadable_notebook(cli, readable, open_tmp, writable, unreadable):
    notebook = _deny(Path(shutil.copy(LIGHT_NB, readable.parent / "light.ipynb")), unreadable)
    out = writable / "out"
    refused(
        *run_unprivileged(cli, open_tmp, *_run(readable, out, notebook, "--branch", "A")),
        f"cannot read notebook {notebook}: permission denied: give yourself read access to it",
    )
    assert not out.exists()


def test_unreadable_spec(cli, readable, open_tmp, writable, unreadable):
    spec_path = _deny(Path(shutil.copy(MONTHLY, readable.parent / "monthly.yaml")), unreadable)
    out = writable / "out"
    refused(
        *run_unprivileged(cli, open_tmp, *_generate(readable, out, spec_path, "--scope", "A")),
        f"cannot read run spec {spec_path}: permission denied: give yourself read access to it",
    )
    assert not out.exists()


def test_unreadable_notebook_in_a_spec(cli, readable, open_tmp, writable, unreadable):
    folder = readable.parent
    _deny(Path(shutil.copy(LIGHT_NB, folder / "light.ipynb")), unreadable)
    spec_path = folder / "spec.yaml"
    spec_path.write_text("reports:\n  - notebook: light.ipynb\n    per: branch\n")
    out = writable / "out"
    refused(
        *run_unprivileged(cli, open_tmp, *_generate(readable, out, spec_path, "--scope", "A")),
        f"{spec_path}: reports.0.notebook: cannot read notebook {folder / 'light.ipynb'}: "
        "permission denied",
    )
    assert not out.exists()


@pytest.mark.slow
def test_read_only_report_folder_for_run(cli, readable, open_tmp):
    """The output folder is writable but the report's own folder is not: found only when the
    report is published, and still one line."""
    out = open_tmp / "out"
    (out / "2017-07").mkdir(parents=True)
    give_to_nobody(out)
    report = out / "2017-07" / "A"
    report.mkdir(mode=0o555)  # root's (when root): nobody may not write in it
    report.chmod(0o555)
    try:
        refused(
            *run_unprivileged(cli, open_tmp, *_run(readable, out, LIGHT_NB, "--branch", "A")),
            f"cannot write in the folder {report}: permission denied: make it writable, or "
            "choose another --out",
        )
    finally:
        report.chmod(0o755)
    assert list(report.iterdir()) == []


# -- paths that are not UTF-8 -------------------------------------------------------------------


def _bytes(path: Path, tail: bytes) -> bytes:
    return os.fsencode(path) + tail


def _non_utf8_cases(db: Path, tmp: Path) -> dict[str, tuple[list[str | bytes], str]]:
    bad = _bytes(tmp, b"/x\xff")
    nb = _bytes(tmp, b"/\xffx.ipynb")
    shown = f"{tmp}/x\\xff"
    run = ["run", str(LIGHT_NB), "--period", "2017-07", "--branch", "A", "--format", "html"]
    generate = ["generate", "--period", "2017-07", "--scope", "A", "--spec", str(MONTHLY)]
    return {
        "--out generate": (["--db", str(db), "--out", bad, *generate], f"--out {shown}"),
        "--out run": (["--db", str(db), "--out", bad, *run], f"--out {shown}"),
        "run --out": (["--db", str(db), *run, "--out", bad], f"--out {shown}"),
        "--db metrics": (
            ["--db", bad, "metrics", "--period", "2017-07", "--branch", "A"],
            f"--db {shown}",
        ),
        "db status --db": (["db", "status", "--db", bad], f"--db {shown}"),
        "db init --db": (["db", "init", "--demo", "--db", bad], f"--db {shown}"),
        "notebook": (
            ["--db", str(db), "--out", str(tmp / "out"), "run", nb, *run[2:]],
            f"notebook {tmp}/\\xffx.ipynb",
        ),
        "spec": (
            ["--db", str(db), "--out", str(tmp / "out"), *generate[:-1], bad],
            f"--spec {shown}",
        ),
        "import source": (["--db", str(tmp / "w.duckdb"), "db", "import", bad], f"SOURCE {shown}"),
    }


@pytest.mark.parametrize("case", list(_non_utf8_cases(Path(), Path())))
def test_path_that_is_not_utf8(handmade_db, tmp_path, case):
    """A Linux file name may hold any bytes; reports, the manifest and the portal name their
    files in UTF-8, so such a path is refused, and shown with ``\\xff`` escapes."""
    argv, message = _non_utf8_cases(handmade_db, tmp_path)[case]
    line = refused(*run_subprocess(*argv), message)
    assert line.endswith("is not valid UTF-8: rename it, or give a UTF-8 path")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_db_variable_that_is_not_utf8(tmp_path):
    refused(
        *run_subprocess("db", "status", env={"BPU_REPORTS_DB": _bytes(tmp_path, b"/\xff.duckdb")}),
        f"BPU_REPORTS_DB {tmp_path}/\\xff.duckdb is not valid UTF-8: rename it",
    )


# -- reports in a spec that would write the same files --------------------------------------------

NB = str(LIGHT_NB)


def _clash_specs(tmp: Path) -> dict[str, tuple[str, str]]:
    other = tmp / "other"
    other.mkdir(exist_ok=True)
    shutil.copy(LIGHT_NB, other / "light_report.ipynb")
    return {
        "same-twice": (
            f"reports:\n  - notebook: {NB}\n    per: branch\n"
            f"  - notebook: {NB}\n    per: branch\n    formats: [pdf]\n",
            "reports.0 and reports.1 both write the branch report light_report "
            "(light_report.ipynb)",
        ),
        "languages-overlap": (
            f"reports:\n  - notebook: {NB}\n    per: branch\n    languages: [id, en]\n"
            f"  - notebook: {NB}\n    per: branch\n    languages: [en]\n",
            "reports.0 and reports.1 both write the branch report light_report ",
        ),
        "same-name-other-folder": (
            f"reports:\n  - notebook: {NB}\n    per: region\n"
            f"  - notebook: {other / 'light_report.ipynb'}\n    per: region\n",
            "reports.0 and reports.1 both write the region report light_report ",
        ),
    }


@pytest.mark.parametrize("case", ["same-twice", "languages-overlap", "same-name-other-folder"])
def test_reports_that_would_write_the_same_files(cli, handmade_db, tmp_path, case):
    text, message = _clash_specs(tmp_path)[case]
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(text)
    out = tmp_path / "out"
    line = cli.refused(*_generate(handmade_db, out, spec_path, "--scope", "A"), message=message)
    assert line.endswith(
        "they would overwrite each other's files; remove one, or give them different languages"
    )
    assert str(spec_path) in line
    assert not out.exists()


def test_the_same_notebook_per_branch_and_per_region_is_fine(tmp_path):
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(
        f"reports:\n  - notebook: {NB}\n    per: branch\n    languages: [id, en]\n"
        f"  - notebook: {NB}\n    per: region\n    languages: [en]\n"
    )
    loaded = spec.load(spec_path)
    assert [(r.per, spec.output_stems(r)) for r in loaded.reports] == [
        ("branch", ["light_report", "light_report.en"]),
        ("region", ["light_report"]),
    ]
