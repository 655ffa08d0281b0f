"""What ``generate`` shows while it runs: a rich progress bar on a terminal, plain log lines
otherwise; after each month its failed reports (a table) and its summary line, and after a
range of months one line of totals."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from bpu_reports.config import Settings
from bpu_reports.period import Period
from bpu_reports.run.batch import Summary, generate_range, log, total


def run_months(settings: Settings, *, console: Console, **options: Any) -> list[Summary]:
    """``generate_range(settings, **options)`` with its progress on ``console``: one bar for
    the whole range on a terminal (its description names the month being run, "2017-03
    (3/12)"), log lines otherwise. Each month's summary is printed as the month ends, the
    range's total at the end; with ``--quiet`` only those holding a failure. Returns the
    summaries, one per month."""
    interactive = console.is_terminal and not settings.quiet
    handler: logging.Handler
    if interactive:
        handler = RichHandler(
            console=console, show_path=False, show_time=False, level=logging.WARNING
        )
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        handler.setLevel(logging.WARNING if settings.quiet else logging.INFO)

    def month_done(summary: Summary) -> None:
        if not settings.quiet or summary.failed:
            _print_summary(console, summary)

    log.addHandler(handler)
    try:
        if interactive:
            summaries = _with_bar(settings, console, month_done, options)
        else:
            summaries = generate_range(settings, month_done=month_done, **options)
    finally:
        log.removeHandler(handler)
    if len(summaries) > 1:
        overall = total(summaries)
        if not settings.quiet or overall.failed:
            _print_line(console, overall)
    return summaries


def run_with_progress(settings: Settings, *, console: Console, **options: Any) -> Summary:
    """``run_months``, returning one summary: the month's, or a range's total."""
    return total(run_months(settings, console=console, **options))


def _with_bar(
    settings: Settings,
    console: Console,
    month_done: Callable[[Summary], None],
    options: dict[str, Any],
) -> list[Summary]:
    counts = {"ok": 0, "failed": 0}
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}", markup=False),  # holds report keys: plain text
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("reports", total=None, status="planning…")

        def month_started(month: Period, k: int, n: int) -> None:
            counts.update(ok=0, failed=0)
            described = f"{month} ({k}/{n})" if n > 1 else str(month)
            bar.reset(task, total=None, description=described, status="planning…")

        def tick(entry: dict[str, Any], done: int, total: int) -> None:
            counts["ok" if entry["status"] == "ok" else "failed"] += 1
            status = f"{counts['ok']} ok, {counts['failed']} failed, last {entry['key']}"
            bar.update(task, completed=done, total=total, status=status)

        return generate_range(
            settings,
            progress=tick,
            month_started=month_started,
            month_done=month_done,
            **options,
        )


def _print_summary(console: Console, summary: Summary) -> None:
    if summary.failures:
        table = Table(title=f"Failed reports, {summary.period}", show_lines=False)
        table.add_column("report")
        table.add_column("error")
        table.add_column("executed notebook")
        for f in summary.failures:
            err = f["error"]
            # keys, messages and paths are text, never markup ("[/]" in a name must not crash)
            table.add_row(Text(f["key"]), Text(err["message"]), Text(err.get("notebook") or "—"))
        console.print(table)
    _print_line(console, summary)


def _print_line(console: Console, summary: Summary) -> None:
    console.print(
        Text(f"{summary.period}: {summary.line} in {summary.seconds:.1f} s"), soft_wrap=True
    )
