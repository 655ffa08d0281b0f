"""What every command shares: the Typer app, the global options and their resolution, the
two consoles, and the ways a command prints (a line, JSON, an error)."""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from bpu_reports.config import Settings, shown

GLOBAL_HELP = (
    "The global options --db, --out, --verbose and --quiet go before the command or after it: "
    "`bpu-reports --db X db status` and `bpu-reports db status --db X` are the same. A value "
    "given in both places is taken from after the command."
)
GLOBAL = "Global options"
"""The help panel that lists the global options in every command's ``--help``."""

app = typer.Typer(
    name="bpu-reports",
    help=f"Monthly BPU membership, compliance and outreach reports.\n\n{GLOBAL_HELP}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Nothing printed is Rich markup: names, codes and paths come from users and the warehouse,
# and ``[bold]`` or ``[/]`` in them must print as it is (tables style their headers themselves).
out_console = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
err_console = Console(stderr=True, highlight=False, markup=False, emoji=False)

# The global options, declared once and accepted by the app, the ``db`` group and every
# command (so they may follow the command too); ``readable=False``: a path is checked when
# it is used, with a message saying what to do.
DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Warehouse file (env BPU_REPORTS_DB; default data/bpu.duckdb).",
        readable=False,
        rich_help_panel=GLOBAL,
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Output folder (env BPU_REPORTS_OUT; default reports/).",
        readable=False,
        rich_help_panel=GLOBAL,
    ),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", help="Tracebacks and details.", rich_help_panel=GLOBAL)
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="Only errors.", rich_help_panel=GLOBAL)]


@dataclass(frozen=True)
class Given:
    """The global options as given so far on the command line, not yet resolved."""

    db: Path | None = None
    out: Path | None = None
    verbose: bool = False
    quiet: bool = False

    def then(self, db: Path | None, out: Path | None, verbose: bool, quiet: bool) -> Given:
        """These options followed by a later group's or command's: a path given later
        replaces the earlier one; a flag given anywhere is on."""
        return Given(
            db=db if db is not None else self.db,
            out=out if out is not None else self.out,
            verbose=self.verbose or verbose,
            quiet=self.quiet or quiet,
        )


def given(ctx: typer.Context) -> Given:
    """The global options given before ``ctx``'s command (none outside a command line)."""
    return ctx.obj if isinstance(ctx.obj, Given) else Given()


def take_globals(
    ctx: typer.Context,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """The callback of the app and of the ``db`` group: the global options given so far,
    those given here after those given before (none before the app)."""
    ctx.obj = given(ctx).then(db, out, verbose, quiet)


app.callback()(take_globals)


# The four global options as ``take_globals`` declares them, for ``with_settings`` to add.
_GLOBALS = [
    p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
    for p in inspect.signature(take_globals, eval_str=True).parameters.values()
    if p.name != "ctx"
]


def with_settings(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` as Typer is to see it: its ``settings`` parameter replaced by the four global
    options, listed after its own (so they may follow the command on the line), and resolved
    once into the ``Settings`` it is called with: the global options given after the command
    over those given before it, then ``BPU_REPORTS_*``, then the defaults.

    Put it under ``@app.command(...)``; the help and the options are those of ``command``.
    """
    own = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for p in inspect.signature(command, eval_str=True).parameters.values()
        if p.name != "settings"
    ]

    @functools.wraps(command)
    def resolved(ctx: typer.Context, **options: Any) -> None:
        final = given(ctx).then(
            options.pop("db"), options.pop("out"), options.pop("verbose"), options.pop("quiet")
        )
        settings = Settings.resolve(
            db=final.db, out=final.out, verbose=final.verbose, quiet=final.quiet
        )
        command(settings=settings, **options)

    context = inspect.Parameter(
        "ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
    )
    signature = inspect.Signature([context, *own, *_GLOBALS], return_annotation=None)
    resolved.__signature__ = signature  # type: ignore[attr-defined]
    resolved.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    return resolved


def say(settings: Settings, text: str) -> None:
    """One line on stdout, unless ``--quiet``."""
    if not settings.quiet:
        out_console.print(shown(text))


def print_json(data: dict[str, Any]) -> None:
    """One JSON object on stdout (``--json``), non-ASCII kept as it is."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_error(message: str) -> None:
    """``error: …`` on stderr, on one line whatever ``message`` holds."""
    text = " ".join(shown(message).splitlines())
    err_console.print(f"error: {text}", markup=False, soft_wrap=True)
