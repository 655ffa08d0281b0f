"""``bpu-reports db``: build the demo warehouse, import real exports, say what it holds."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from bpu_reports.cli.common import (
    GLOBAL_HELP,
    app,
    out_console,
    print_json,
    say,
    take_globals,
    with_settings,
)
from bpu_reports.config import Settings, checked_path
from bpu_reports.console_views import print_status
from bpu_reports.errors import BpuReportsError, Interrupted
from bpu_reports.period import Period

db_app = typer.Typer(
    help=f"Build or load the DuckDB warehouse.\n\n{GLOBAL_HELP}", no_args_is_help=True
)
db_app.callback()(take_globals)
app.add_typer(db_app, name="db")


@contextlib.contextmanager
def _stoppable_build(db: Path) -> Iterator[None]:
    """SIGTERM (a scheduler) or SIGINT (Ctrl-C) during a build or an import ends it as an
    error would: the half-built file is removed (``store.build``), ``db`` is as it was, and
    one line says so (exit 143 or 130)."""
    from bpu_reports.run import stop

    try:
        with stop.on_signals():
            yield
    except Interrupted as exc:
        raise Interrupted(
            exc.signum, note=f"interrupted: {db} was not changed; run the command again"
        ) from None


@db_app.command("init")
@with_settings
def db_init(
    settings: Settings,
    demo: Annotated[bool, typer.Option("--demo", help="Build the demo warehouse.")] = False,
    scale: Annotated[str, typer.Option(help="bali (8 offices) or national (306).")] = "bali",
    seed: Annotated[int | None, typer.Option(help="Random seed; same seed, same data.")] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Last month of history, YYYY-MM (default: the month before today)."),
    ] = None,
) -> None:
    """Build the demo warehouse (deterministic for a seed and --until)."""
    from bpu_reports.data import demo as demo_data
    from bpu_reports.data import store

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
    with _stoppable_build(settings.db):
        info = demo_data.build_demo(settings.db, scale=scale, **kwargs)
    say(
        settings,
        f"demo warehouse ({scale}) written to {settings.db}: data {info.first_period} … "
        f"{info.last_period}, version {info.data_version}",
    )


@db_app.command("import")
@with_settings
def db_import(
    settings: Settings,
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
) -> None:
    """Validate the contract tables of a folder or a PostgreSQL database, then load them
    (all or nothing; a database is read in one consistent snapshot)."""
    from bpu_reports.data import importer, pgsource, store

    store.check_target(settings.db)
    if pgsource.is_url(source):
        with _stoppable_build(settings.db):
            info = importer.import_postgres(
                source, settings.db, schema=schema or pgsource.DEFAULT_SCHEMA
            )
        described = pgsource.describe(source, schema or pgsource.DEFAULT_SCHEMA)
    else:
        if schema is not None:
            raise BpuReportsError(
                "--schema applies to a PostgreSQL source only (postgresql://USER@HOST/DB), "
                f"not to the folder {source}"
            )
        with _stoppable_build(settings.db):
            info = importer.import_folder(checked_path(Path(source), "SOURCE"), settings.db)
        described = source
    say(
        settings,
        f"imported {described} into {settings.db}: data {info.first_period} … "
        f"{info.last_period}, version {info.data_version}",
    )


@db_app.command("status")
@with_settings
def db_status(
    settings: Settings,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """What the warehouse holds: source, data range, row counts, branches per region."""
    from bpu_reports.data import store
    from bpu_reports.data.status import status

    con = store.connect(settings.db)
    try:
        data = status(con)
    finally:
        con.close()
    if as_json:
        print_json(data)
        return
    print_status(out_console, settings.db, data)
