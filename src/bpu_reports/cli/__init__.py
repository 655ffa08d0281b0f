"""``bpu-reports`` command line: parse, call, print. Nothing else lives here.

Exit codes (SPEC §3): 0 done; 1 a batch ran but some reports failed; 2 bad input, with one
line on stderr saying what is wrong and how to fix it (a traceback only with ``--verbose``);
130 / 143 stopped by SIGINT / SIGTERM, with one line saying what was done (``run.stop``).

``common`` holds the app and what every command shares; ``db`` and ``reports`` register
their commands on it when imported below.
"""

from __future__ import annotations

import sys
import traceback

import click
import duckdb
import typer

from bpu_reports.cli import db, reports  # noqa: F401 - importing registers the commands
from bpu_reports.cli.common import app, err_console, print_error
from bpu_reports.config import shown
from bpu_reports.errors import BpuReportsError, ContractError, Interrupted, os_error_line

__all__ = ["app", "main"]

try:  # recent Typer releases vendor their own copy of click
    from typer._click import exceptions as _typer_click

    CLICK_ERRORS: tuple[type[Exception], ...] = (
        click.ClickException,
        _typer_click.ClickException,
    )
except ImportError:  # pragma: no cover - older Typer uses click itself
    CLICK_ERRORS = (click.ClickException,)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (also used by tests, in-process)."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in args
    try:
        code = app(args=args, prog_name="bpu-reports", standalone_mode=False)
        if isinstance(code, int):  # click returns an Exit's code when not standalone
            return code
    except (typer.Exit, click.exceptions.Exit) as exc:
        return int(exc.exit_code)
    except (typer.Abort, click.exceptions.Abort):
        err_console.print("aborted")
        return 130
    except Interrupted as exc:  # SIGTERM or SIGINT: what finished is kept (run.stop)
        err_console.print(str(exc), markup=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl-C in a command that starts no process of its own
        err_console.print("interrupted")
        return 130
    except CLICK_ERRORS as exc:
        message = exc.format_message()  # type: ignore[attr-defined]
        if not message:  # a group given no command: its help is on stdout already
            return 2
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        print_error(f"{message}{hint}")
        return 2
    except ContractError as exc:
        print_error(str(exc))
        for line in exc.details()[1:]:
            err_console.print(f"  {shown(line)}", markup=False, soft_wrap=True)
        return exc.exit_code
    except BpuReportsError as exc:
        if verbose:
            traceback.print_exc()
        print_error(str(exc))
        return exc.exit_code
    except duckdb.Error as exc:  # the catalog opened, but a table's data could not be read
        if verbose:
            traceback.print_exc()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print_error(
            f"the warehouse could not be read ({first}): it may be damaged; rebuild it with "
            "`bpu-reports db init --demo` or `bpu-reports db import DIR`"
        )
        return 2
    except OSError as exc:  # a file the checks above could not foresee (its mode changed)
        if verbose:
            traceback.print_exc()
        print_error(os_error_line(exc))
        return 2
    return 0
