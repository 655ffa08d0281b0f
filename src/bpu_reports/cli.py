"""``bpu-reports`` command line: parse, call, print. Nothing else lives here.

Exit codes (SPEC §3): 0 done; 1 a batch ran but some reports failed; 2 bad input, with one
line on stderr saying what is wrong and how to fix it (a traceback only with ``--verbose``);
130 / 143 stopped by SIGINT / SIGTERM, with one line saying what was done (``run.stop``).
"""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import click
import duckdb
import typer
from rich.console import Console

from bpu_reports.config import Settings, checked_path, shown, writable_folder
from bpu_reports.console_views import print_metrics, print_status
from bpu_reports.errors import BpuReportsError, ContractError, Interrupted, os_error_line
from bpu_reports.period import Period

try:  # recent Typer releases vendor their own copy of click
    from typer._click import exceptions as _typer_click

    CLICK_ERRORS: tuple[type[Exception], ...] = (
        click.ClickException,
        _typer_click.ClickException,
    )
except ImportError:  # pragma: no cover - older Typer uses click itself
    CLICK_ERRORS = (click.ClickException,)

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
db_app = typer.Typer(
    help=f"Build or load the DuckDB warehouse.\n\n{GLOBAL_HELP}", no_args_is_help=True
)
app.add_typer(db_app, name="db")

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
SmtpOption = Annotated[
    str | None,
    typer.Option(
        help="Mail server smtp://[USER@]HOST:PORT, smtp+starttls://… or smtps://… "
        "(env BPU_REPORTS_SMTP; the password from BPU_REPORTS_SMTP_PASSWORD)."
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


@app.callback()
def _global(
    ctx: typer.Context,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    ctx.obj = Given().then(db, out, verbose, quiet)


@db_app.callback()
def _db_global(
    ctx: typer.Context,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    ctx.obj = _given(ctx).then(db, out, verbose, quiet)


def _given(ctx: typer.Context) -> Given:
    return ctx.obj if isinstance(ctx.obj, Given) else Given()


def _settings(
    ctx: typer.Context,
    db: Path | None = None,
    out: Path | None = None,
    verbose: bool = False,
    quiet: bool = False,
) -> Settings:
    """The settings of this command line, resolved once: the global options given after the
    command over those given before it, then ``BPU_REPORTS_*``, then the defaults."""
    given = _given(ctx).then(db, out, verbose, quiet)
    return Settings.resolve(db=given.db, out=given.out, verbose=given.verbose, quiet=given.quiet)


def _say(settings: Settings, text: str) -> None:
    if not settings.quiet:
        out_console.print(shown(text))


@db_app.command("init")
def db_init(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="Build the demo warehouse.")] = False,
    scale: Annotated[str, typer.Option(help="bali (8 offices) or national (306).")] = "bali",
    seed: Annotated[int | None, typer.Option(help="Random seed; same seed, same data.")] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Last month of history, YYYY-MM (default: the month before today)."),
    ] = None,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Build the demo warehouse (deterministic for a seed and --until)."""
    from bpu_reports.data import demo as demo_data
    from bpu_reports.data import store

    settings = _settings(ctx, db, out, verbose, quiet)
    if not demo:
        raise BpuReportsError(
            "db init only builds the demo warehouse: add --demo, "
            "or load real exports with `bpu-reports db import DIR`"
        )
    if scale not in ("bali", "national"):
        raise BpuReportsError(f"unknown --scale {scale!r}: use bali or national")
    store.check_target(settings.db)
    kwargs: dict[str, Any] = {} if seed is None else {"seed": seed}
    if until is not None:
        kwargs["until"] = Period.parse(until)
    info = demo_data.build_demo(settings.db, scale=scale, **kwargs)
    _say(
        settings,
        f"demo warehouse ({scale}) written to {settings.db}: data {info.first_period} … "
        f"{info.last_period}, version {info.data_version}",
    )


@db_app.command("import")
def db_import(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="Folder of NAME.csv / NAME.parquet files, or a PostgreSQL database "
            "postgresql://USER@HOST:PORT/DB (password from PGPASSWORD or ~/.pgpass).",
        ),
    ],
    schema: Annotated[
        str | None,
        typer.Option(
            "--schema",
            help="PostgreSQL schema holding the six tables (default public); URL sources only.",
        ),
    ] = None,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Validate the contract tables of a folder or a PostgreSQL database, then load them
    (all or nothing; a database is read in one consistent snapshot)."""
    from bpu_reports.data import importer, pgsource, store

    settings = _settings(ctx, db, out, verbose, quiet)
    store.check_target(settings.db)
    if pgsource.is_url(source):
        info = importer.import_postgres(
            source, settings.db, schema=schema or pgsource.DEFAULT_SCHEMA
        )
        shown = pgsource.describe(source, schema or pgsource.DEFAULT_SCHEMA)
    else:
        if schema is not None:
            raise BpuReportsError(
                "--schema applies to a PostgreSQL source only (postgresql://USER@HOST/DB), "
                f"not to the folder {source}"
            )
        info = importer.import_folder(checked_path(Path(source), "SOURCE"), settings.db)
        shown = source
    _say(
        settings,
        f"imported {shown} into {settings.db}: data {info.first_period} … {info.last_period}, "
        f"version {info.data_version}",
    )


@db_app.command("status")
def db_status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """What the warehouse holds: source, data range, row counts, branches per region."""
    from bpu_reports.data import store
    from bpu_reports.data.status import status

    settings = _settings(ctx, db, out, verbose, quiet)
    con = store.connect(settings.db)
    try:
        data = status(con)
    finally:
        con.close()
    if as_json:
        _print_json(data)
        return
    print_status(out_console, settings.db, data)


@app.command("metrics")
def metrics_cmd(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="Report month, YYYY-MM.")],
    branch: Annotated[str | None, typer.Option(help="Branch code, e.g. DPS.")] = None,
    region: Annotated[str | None, typer.Option(help="Region code, e.g. BANUSPA.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """The metrics of one branch or region for one month."""
    from bpu_reports.data import store
    from bpu_reports.metrics import compute, resolve, unit
    from bpu_reports.metrics.serialize import unit_to_dict

    settings = _settings(ctx, db, out, verbose, quiet)
    if (branch is None) == (region is None):
        raise BpuReportsError("give exactly one of --branch CODE or --region CODE")
    month = Period.parse(period)
    con = store.connect(settings.db)
    try:
        scope = resolve(con, branch=branch, region=region)
        result = unit(compute(con, month, scope), scope.kind, scope.code)  # type: ignore[arg-type]
    finally:
        con.close()
    data = unit_to_dict(result)
    if as_json:
        _print_json(data)
    else:
        print_metrics(out_console, data)


@app.command("run")
def run_cmd(
    ctx: typer.Context,
    notebook: Annotated[
        Path,
        typer.Argument(
            help="Report notebook, e.g. notebooks/branch_monthly.ipynb.", readable=False
        ),
    ],
    period: Annotated[str, typer.Option(help="Report month, YYYY-MM.")],
    branch: Annotated[str | None, typer.Option(help="Branch code, e.g. DPS.")] = None,
    region: Annotated[str | None, typer.Option(help="Region code, e.g. BANUSPA.")] = None,
    national: Annotated[
        bool, typer.Option("--national", help="The whole country (code NATIONAL).")
    ] = False,
    formats: Annotated[
        str,
        typer.Option(
            "--format", help="Comma-separated: html, pdf, pdfa (archival PDF/A-3b), xlsx."
        ),
    ] = "html,pdf",
    lang: Annotated[str, typer.Option(help="Report language: id or en.")] = "id",
    param: Annotated[
        list[str] | None, typer.Option("-p", "--param", help="Notebook parameter NAME=VALUE.")
    ] = None,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Execute one report notebook and render it to HTML and PDF."""
    from bpu_reports.run.oneshot import run_one

    settings = _settings(ctx, db, out, verbose, quiet)
    writable_folder(settings.out)
    outcome = run_one(
        notebook,
        settings=settings,
        branch=branch,
        region=region,
        national=national,
        period=period,
        formats=formats,
        lang=lang,
        assignments=param or [],
    )
    for kind, path in outcome.outputs.items():
        _say(settings, f"{kind:5} {path}")


@app.command("generate")
def generate_cmd(
    ctx: typer.Context,
    period: Annotated[
        str,
        typer.Option(
            help="Report month YYYY-MM, 'previous' (the month before today, for cron), "
            "'latest' (the warehouse's last complete month), or a range of months "
            "YYYY-MM..YYYY-MM run in order (either end may be previous or latest)."
        ),
    ],
    scope: Annotated[str, typer.Option(help="all, a region code, or branch codes A,B,C.")] = "all",
    spec: Annotated[Path, typer.Option(help="Run spec (YAML).", readable=False)] = Path(
        "parameters/monthly.yaml"
    ),
    workers: Annotated[
        int | None, typer.Option(help="Parallel reports (default: the CPU count).")
    ] = None,
    executor: Annotated[str, typer.Option(help="local (processes) or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler, tcp://host:8786 (default: a local cluster).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo unchanged reports too.")] = False,
    deliver: Annotated[
        bool,
        typer.Option(
            "--deliver",
            help="Then e-mail each recipient the PDF of their report, for every month run "
            "(as `bpu-reports deliver` does; not after a stop).",
        ),
    ] = False,
    smtp: SmtpOption = None,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Every report of a period or a range of months: parallel, resumable, incremental;
    writes manifests and portal; with --deliver, then e-mails them. Exit 1 when a report or
    a delivery failed."""
    from bpu_reports import deliver as mail
    from bpu_reports.deliver.plan import recipients_of
    from bpu_reports.deliver.settings import mail_config
    from bpu_reports.run.progress import run_months

    settings = _settings(ctx, db, out, verbose, quiet)
    writable_folder(settings.out)
    if deliver:  # mail settings and recipients are checked before hours of reports
        mail_config(settings, smtp, need_server=True)
        recipients_of(settings.db, scope)
    summaries = run_months(
        settings,
        console=err_console,
        period=period,
        scope=scope,
        spec_path=spec,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        force=force,
    )  # a stop (Interrupted) ends the command here: nothing is delivered
    delivered = None
    if deliver:  # a failed report has no PDF to send; the others go out
        months = [Period.parse(s.period) for s in summaries]
        delivered = mail.deliver(
            settings, months, scope=scope, smtp=smtp, say=lambda text: _say(settings, text)
        )
    mail.notify_operator(
        settings,
        smtp=smtp,
        generated=summaries,
        delivered=delivered,
        say=lambda text: err_console.print(shown(text), markup=False, soft_wrap=True),
    )
    if any(s.failed for s in summaries) or (delivered is not None and not delivered.ok):
        raise typer.Exit(1)


@app.command("demo")
def demo_cmd(
    ctx: typer.Context,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Build the Bali demo warehouse if missing and write every Bali report for July 2017."""
    from bpu_reports.run.oneshot import demo
    from bpu_reports.run.progress import run_with_progress

    settings = _settings(ctx, db, out, verbose, quiet)
    writable_folder(settings.out)
    portal = demo(
        settings,
        say=lambda text: _say(settings, text),
        run_batch=lambda s, **kw: run_with_progress(s, console=err_console, **kw),
    )
    out_console.print(shown(f"Reports for July 2017: {portal.resolve()}"))
    dps = portal.parent / "2017-07" / "DPS" / "branch_monthly.pdf"
    out_console.print(shown(f"KC Bali Denpasar (PDF): {dps.resolve()}"))


@app.command("deliver")
def deliver_cmd(
    ctx: typer.Context,
    period: Annotated[
        str,
        typer.Option(
            help="Report month YYYY-MM, 'previous', 'latest', or a range YYYY-MM..YYYY-MM."
        ),
    ],
    scope: Annotated[
        str, typer.Option(help="all, a region code (its branches too), or branch codes A,B,C.")
    ] = "all",
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Write the messages to OUT/.delivery/outbox; send nothing."),
    ] = False,
    resend: Annotated[
        bool,
        typer.Option(
            "--resend", help="Send again reports already sent (a changed one as a correction)."
        ),
    ] = False,
    smtp: SmtpOption = None,
    db: DbOption = None,
    out: OutOption = None,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """E-mail each recipient the PDF of their report; never the same report twice (see
    docs/operations.md). Exit 1 when a message failed or a recipient had no report."""
    from bpu_reports import deliver as mail
    from bpu_reports.data import store
    from bpu_reports.run.batch import resolve_periods

    settings = _settings(ctx, db, out, verbose, quiet)
    con = store.connect(settings.db)
    try:
        months = resolve_periods(period, info=store.info(con))
    finally:
        con.close()
    summary = mail.deliver(
        settings,
        months,
        scope=scope,
        smtp=smtp,
        dry_run=dry_run,
        resend=resend,
        say=lambda text: _say(settings, text),
    )
    mail.notify_operator(
        settings, smtp=smtp, delivered=summary, say=lambda text: err_console.print(shown(text))
    )
    if settings.quiet and not summary.ok:
        err_console.print(shown(summary.line))
    if not summary.ok:
        raise typer.Exit(1)


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
        _error(f"{message}{hint}")
        return 2
    except ContractError as exc:
        _error(str(exc))
        for line in exc.details()[1:]:
            err_console.print(f"  {shown(line)}", markup=False, soft_wrap=True)
        return exc.exit_code
    except BpuReportsError as exc:
        if verbose:
            traceback.print_exc()
        _error(str(exc))
        return exc.exit_code
    except duckdb.Error as exc:  # the catalog opened, but a table's data could not be read
        if verbose:
            traceback.print_exc()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _error(
            f"the warehouse could not be read ({first}): it may be damaged; rebuild it with "
            "`bpu-reports db init --demo` or `bpu-reports db import DIR`"
        )
        return 2
    except OSError as exc:  # a file the checks above could not foresee (its mode changed)
        if verbose:
            traceback.print_exc()
        _error(os_error_line(exc))
        return 2
    return 0


def _print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _error(message: str) -> None:
    text = " ".join(shown(message).splitlines())  # one line, whatever a message holds
    err_console.print(f"error: {text}", markup=False, soft_wrap=True)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
