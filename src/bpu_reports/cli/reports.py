"""The report commands: ``metrics`` (one unit's figures), ``run`` (one notebook), ``generate``
(a month's batch), ``demo`` (the Bali showcase) and ``deliver`` (e-mail the PDFs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bpu_reports.cli.common import (
    app,
    err_console,
    out_console,
    print_json,
    say,
    with_settings,
)
from bpu_reports.config import Settings, shown, writable_folder
from bpu_reports.console_views import print_metrics
from bpu_reports.errors import BpuReportsError
from bpu_reports.period import Period

SmtpOption = Annotated[
    str | None,
    typer.Option(
        help="Mail server smtp://[USER@]HOST:PORT, smtp+starttls://… or smtps://… "
        "(env BPU_REPORTS_SMTP; the password from BPU_REPORTS_SMTP_PASSWORD)."
    ),
]


@app.command("metrics")
@with_settings
def metrics_cmd(
    settings: Settings,
    period: Annotated[str, typer.Option(help="Report month, YYYY-MM.")],
    branch: Annotated[str | None, typer.Option(help="Branch code, e.g. DPS.")] = None,
    region: Annotated[str | None, typer.Option(help="Region code, e.g. BANUSPA.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """The metrics of one branch or region for one month."""
    from bpu_reports.data import store
    from bpu_reports.metrics import compute, resolve, unit
    from bpu_reports.metrics.serialize import unit_to_dict

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
        print_json(data)
    else:
        print_metrics(out_console, data)


@app.command("run")
@with_settings
def run_cmd(
    settings: Settings,
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
) -> None:
    """Execute one report notebook and render it to HTML and PDF."""
    from bpu_reports.run.oneshot import run_one

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
        say(settings, f"{kind:5} {path}")


@app.command("generate")
@with_settings
def generate_cmd(
    settings: Settings,
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
        int | None,
        typer.Option(
            help="Parallel reports (default: the CPU count, one more for 8 or more reports "
            "per core)."
        ),
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
) -> None:
    """Every report of a period or a range of months: parallel, resumable, incremental;
    writes manifests and portal; with --deliver, then e-mails them. Exit 1 when a report or
    a delivery failed."""
    from bpu_reports import deliver as mail
    from bpu_reports.deliver.plan import recipients_of
    from bpu_reports.deliver.settings import mail_config
    from bpu_reports.run.progress import run_months

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
            settings, months, scope=scope, smtp=smtp, say=lambda text: say(settings, text)
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
@with_settings
def demo_cmd(
    settings: Settings,
) -> None:
    """Build the Bali demo warehouse if missing and write every Bali report for July 2017."""
    from bpu_reports.run.oneshot import demo
    from bpu_reports.run.progress import run_with_progress

    writable_folder(settings.out)
    portal = demo(
        settings,
        say=lambda text: say(settings, text),
        run_batch=lambda s, **kw: run_with_progress(s, console=err_console, **kw),
    )
    out_console.print(shown(f"Reports for July 2017: {portal.resolve()}"))
    dps = portal.parent / "2017-07" / "DPS" / "branch_monthly.pdf"
    out_console.print(shown(f"KC Bali Denpasar (PDF): {dps.resolve()}"))


@app.command("deliver")
@with_settings
def deliver_cmd(
    settings: Settings,
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
) -> None:
    """E-mail each recipient the PDF of their report; never the same report twice (see
    docs/operations.md). Exit 1 when a message failed or a recipient had no report."""
    from bpu_reports import deliver as mail
    from bpu_reports.data import store
    from bpu_reports.run.selection import resolve_periods

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
        say=lambda text: say(settings, text),
    )
    mail.notify_operator(
        settings, smtp=smtp, delivered=summary, say=lambda text: err_console.print(shown(text))
    )
    if settings.quiet and not summary.ok:
        err_console.print(shown(summary.line))
    if not summary.ok:
        raise typer.Exit(1)
