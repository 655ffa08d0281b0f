"""What ``generate`` shows while it runs: a rich progress bar on a terminal, plain log lines
otherwise, and a summary table at the end."""

from __future__ import annotations

import logging
import sys
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from bpu_reports.config import Settings
from bpu_reports.run.batch import Summary, generate, log


def run_with_progress(settings: Settings, *, console: Console, **options: Any) -> Summary:
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
    log.addHandler(handler)
    try:
        if interactive:
            summary = _with_bar(settings, console, options)
        else:
            summary = generate(settings, **options)
    finally:
        log.removeHandler(handler)
    if not settings.quiet or summary.failed:
        _print_summary(console, summary)
    return summary


def _with_bar(settings: Settings, console: Console, options: dict[str, Any]) -> Summary:
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

        def tick(entry: dict[str, Any], done: int, total: int) -> None:
            counts["ok" if entry["status"] == "ok" else "failed"] += 1
            status = f"{counts['ok']} ok, {counts['failed']} failed, last {entry['key']}"
            bar.update(task, completed=done, total=total, status=status)

        return generate(settings, progress=tick, **options)


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
    console.print(
        Text(f"{summary.period}: {summary.line} in {summary.seconds:.1f} s"), soft_wrap=True
    )
