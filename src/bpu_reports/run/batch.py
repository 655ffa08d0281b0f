"""``bpu-reports generate``: every report of a period, in parallel, resumable, incremental.

1. lock the output folder; sweep what a killed run left (temporary files, metrics cache);
2. plan the jobs and skip those whose fingerprint is unchanged (unless ``force``);
3. compute the metrics of the whole scope once, save one slice (a branch, a region, the
   country) per report;
4. run the jobs on the executor, recording each result in the manifest as it arrives;
5. publish the portal; report "N ok, N failed, N skipped".

A range of months (``--period 2017-01..2017-12``) checks every month first, then runs each
in order as above, under one lock. ``run.selection`` reads ``--period`` and ``--scope``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpu_reports import outdir
from bpu_reports.config import BATCH_KEY_ENV, Settings
from bpu_reports.data import store
from bpu_reports.errors import BpuReportsError, Interrupted, PeriodError
from bpu_reports.metrics.scope import Scope
from bpu_reports.period import Period
from bpu_reports.run import executors, lock, manifest, month_folder, plan, spec, stop
from bpu_reports.run.job import run_job
from bpu_reports.run.selection import resolve_periods, resolve_scope

log = logging.getLogger("bpu_reports.generate")


@dataclass
class Summary:
    """What one month's batch did (or a range's, summed by ``total``): reports written,
    failed and skipped as unchanged, its seconds, and the manifest entries of the failures."""

    period: str
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def line(self) -> str:
        return f"{self.ok} ok, {self.failed} failed, {self.skipped} skipped"


def plan_jobs(
    run_spec: spec.RunSpec, scope: Scope, with_regions: bool, period: str, data_version: str
) -> list[plan.Job]:
    """The batch's jobs over ``scope`` (as ``resolve_scope`` gives it): region reports when
    ``with_regions``, the national report only when the scope is ``all`` (else one log line
    says it was left out)."""
    return plan.plan(
        run_spec, scope.rows, period, data_version, with_regions, national=scope.kind == "all"
    )


Progress = Callable[[dict[str, Any], int, int], None]
"""Called after each report of a month: its manifest entry, how many are done, how many run."""


class RangeInterrupted(Interrupted):
    """A stop in one month of a range: the counts are that month's (as ``Interrupted``
    gives them); ``later`` are the months after it, which did not start."""

    def __init__(self, cause: Interrupted, month: Period, later: list[Period]):
        super().__init__(cause.signum, cause.done, cause.not_run)
        self.month, self.later = month, later

    def __str__(self) -> str:
        if self.not_run is None:
            text = f"interrupted in {self.month} before any report ran"
        else:
            text = f"interrupted in {self.month}: {self.done} done, {self.not_run} not run"
        if self.later:
            n, span = len(self.later), f"{self.later[0]}..{self.later[-1]}"
            text += f"; {n} month{'s' if n > 1 else ''} not run ({span})"
        return f"{text}; run again to finish"


def total(summaries: list[Summary]) -> Summary:
    """The summary of a range: its counts, failures and seconds summed, ``period`` its span
    (``2017-01..2017-12``); a single month's summary is returned as it is."""
    if len(summaries) == 1:
        return summaries[0]
    span = f"{summaries[0].period}..{summaries[-1].period}" if summaries else ""
    return Summary(
        span,
        ok=sum(s.ok for s in summaries),
        failed=sum(s.failed for s in summaries),
        skipped=sum(s.skipped for s in summaries),
        seconds=sum(s.seconds for s in summaries),
        failures=[f for s in summaries for f in s.failures],
    )


def generate(
    settings: Settings,
    *,
    period: str,
    scope: str = "all",
    spec_path: Path = Path("parameters/monthly.yaml"),
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """One month's batch (``YYYY-MM``, ``previous`` or ``latest``); returns its summary (the
    CLI exits 1 when anything failed). A range is ``generate_range``'s."""
    if ".." in period:
        raise PeriodError(f"period {period!r} is a range: run it with generate_range")
    return generate_range(
        settings, period=period, scope=scope, spec_path=spec_path, workers=workers,
        executor=executor, scheduler=scheduler, force=force, progress=progress,
    )[0]  # fmt: skip


@stop.stoppable
def generate_range(
    settings: Settings,
    *,
    period: str,
    scope: str = "all",
    spec_path: Path = Path("parameters/monthly.yaml"),
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    month_started: Callable[[Period, int, int], None] | None = None,
    month_done: Callable[[Summary], None] | None = None,
) -> list[Summary]:
    """The batch of every month ``period`` names (``resolve_periods``), in order, each as a
    one-month run makes it: its own manifest, log file, skipped unchanged reports and
    portal update. Every month is checked against the warehouse before any runs, and the
    output folder stays locked from the first month to the last. ``month_started(month, k,
    n)`` and ``month_done(summary)`` are called around each month. Returns the summaries,
    one per month; a stop in month *k* runs no later month (``RangeInterrupted`` names
    them)."""
    started = time.perf_counter()
    if "latest" not in period:  # a malformed period is refused before the warehouse opens
        resolve_periods(period)
    run_spec = spec.load(spec_path)
    if executor not in ("local", "dask"):
        raise executors.ExecutorError(f"--executor {executor!r}: use local or dask")
    workers = executors.check_workers(executors.default_workers() if workers is None else workers)
    out = settings.out

    con = store.connect(settings.db)
    try:
        info = store.info(con)
        months = resolve_periods(period, info=info)
        for month in months:
            try:
                info.check(month)
            except PeriodError as exc:
                if len(months) == 1:
                    raise
                raise PeriodError(f"--period {period}: {exc}; nothing was run") from None
        the_scope, with_regions = resolve_scope(con, scope)
        if executor == "local" or scheduler is None:  # a remote cluster sizes itself
            workers, note = executors.cap_workers(workers)
            if note:
                log.warning(note)
        summaries: list[Summary] = []
        k = 0
        with lock.exclusive(out):
            try:
                for k, month in enumerate(months, start=1):
                    if month_started:
                        month_started(month, k, len(months))
                    batch = Batch(
                        con, settings, month, run_spec, the_scope, with_regions, info,
                        workers, executor, scheduler, progress,
                    )  # fmt: skip
                    summaries.append(_run_month(batch, force, started))
                    if month_done:
                        month_done(summaries[-1])
                    started = time.perf_counter()
            except Interrupted as exc:
                if summaries and len(summaries) == k:  # the stop came once month k was done
                    exc.done, exc.not_run = summaries[-1].ok + summaries[-1].failed, 0
                if len(months) == 1:
                    raise
                raise RangeInterrupted(exc, months[k - 1], months[k:]) from exc
            except Exception as exc:
                # a stop swallowed where it landed shows as the failure it caused (run.stop)
                stopping = stop.requested()
                if stopping is None or len(months) == 1:
                    raise
                raise RangeInterrupted(Interrupted(stopping), months[k - 1], months[k:]) from exc
        return summaries
    finally:
        con.close()


def _run_month(batch: Batch, force: bool, started: float) -> Summary:
    """One month of the batch, with the output folder locked: its log file, the sweep of
    what a killed run left, the batch, and the removal of its work files."""
    folder = batch.folder
    handler = month_folder.log_file(folder, log)
    try:
        swept = month_folder.sweep(folder)
        if swept:
            log.info("removed %d leftover(s) of an interrupted run", swept)
        return batch.run(force, started)
    finally:
        os.environ.pop(BATCH_KEY_ENV, None)
        outdir.remove_tree(folder / month_folder.WORK)
        log.removeHandler(handler)
        handler.close()


@dataclass
class Batch:
    """One period's batch once its inputs are checked: what it runs over and how."""

    con: Any
    settings: Settings
    month: Period
    run_spec: spec.RunSpec
    scope: Scope
    with_regions: bool
    info: store.WarehouseInfo
    workers: int
    executor: str
    scheduler: str | None
    progress: Callable[[dict[str, Any], int, int], None] | None

    @property
    def folder(self) -> Path:
        return self.settings.out / str(self.month)

    def run(self, force: bool, started: float) -> Summary:
        """Plan, skip the unchanged reports (unless ``force``), run the others, publish the
        portal. On a stop (``run.stop``), what finished is in the manifest and the portal,
        and ``Interrupted`` says how many did and did not run."""
        out, period = self.settings.out, str(self.month)
        jobs = plan_jobs(
            self.run_spec, self.scope, self.with_regions, period, self.info.data_version
        )
        entries = manifest.load(self.folder)
        todo = [
            j
            for j in jobs
            if force or not manifest.is_current(entries.get(j.key), j.fingerprint, out)
        ]
        summary = Summary(period, skipped=len(jobs) - len(todo))
        log.info(
            "generate %s: %d reports, %d to run, %d unchanged; %s executor, %d worker(s)",
            period,
            len(jobs),
            len(todo),
            summary.skipped,
            self.executor,
            self.workers,
        )
        from bpu_reports.render.workbook import write_kpis  # OUT/PERIOD/kpis.xlsx

        try:
            self.run_jobs(todo, entries, summary)
        except stop.Interrupted as exc:
            exc.done = summary.ok + summary.failed
            exc.not_run = len(todo) - exc.done
            log.info("%s", exc)  # the console gets it once, from the command line
            month_folder.sweep(self.folder)  # what the reports cut short had staged
            write_kpis(self.folder, entries.values(), out)
            month_folder.publish_portal(out)
            raise
        write_kpis(self.folder, entries.values(), out)
        month_folder.publish_portal(out)
        summary.seconds = time.perf_counter() - started
        log.info("%s in %.1f s", summary.line, summary.seconds)
        return summary

    def run_jobs(
        self, todo: list[plan.Job], entries: dict[str, dict[str, Any]], summary: Summary
    ) -> None:
        """Compute the scope's metrics once, run ``todo`` on the executor, and record each
        result in the manifest and ``summary`` as it arrives."""
        period = str(self.month)
        if not todo:
            manifest.save(self.folder, period, self.info, entries)
            return
        # loaded here, not with the module: a run with nothing to do never needs them
        from bpu_reports.metrics.views import new_batch_key

        # the kernels load only metrics files signed with this batch's key (never a file
        # a user points at); workers and their kernels inherit it through the environment
        key = os.environ[BATCH_KEY_ENV] = new_batch_key()
        if self.executor == "dask":
            calls = self.prepare(todo, key)
            results = executors.run_dask(run_job, calls, self.workers, self.scheduler)
            self.record(results, todo, entries, summary)
            return
        # local workers start first and get ready while the metrics are computed
        with executors.LocalPool(self.workers, len(todo)) as pool:
            calls = self.prepare(todo, key)
            self.record(pool.run(run_job, calls), todo, entries, summary)

    def prepare(self, todo: list[plan.Job], key: str) -> list[tuple[Any, ...]]:
        """Compute the scope's metrics once and save each job's slice, signed with ``key``;
        the arguments of ``run_job`` for every job."""
        from bpu_reports.metrics.metric_set import compute
        from bpu_reports.metrics.views import save_unit, unit

        t = time.perf_counter()
        metrics = compute(self.con, self.month, self.scope)
        work = self.folder / month_folder.WORK
        calls = []
        for job in todo:
            path = work / f"{job.kind}-{job.code}.pkl"
            if not path.exists():
                save_unit(unit(metrics, job.kind, job.code), path, key)  # type: ignore[arg-type]
            calls.append(
                (
                    job.to_dict(),
                    str(self.settings.out.resolve()),
                    str(path.resolve()),
                    self.run_spec.cell_timeout,
                    str(self.settings.db.resolve()),
                    key,
                )
            )
        log.info(
            "metrics for %d branches computed once in %.1f s",
            len(metrics.summary),
            time.perf_counter() - t,
        )
        return calls

    def record(
        self,
        results: Iterator[dict[str, Any]],
        todo: list[plan.Job],
        entries: dict[str, dict[str, Any]],
        summary: Summary,
    ) -> None:
        """Record each result in the manifest and ``summary`` as it arrives."""
        period = str(self.month)
        for done, entry in enumerate(results, start=1):
            if entry["status"] != "ok":
                kept = manifest.stale(entries.get(entry["key"]), self.settings.out)
                if kept:
                    entry["stale"] = kept
            entries[entry["key"]] = entry
            manifest.save(self.folder, period, self.info, entries)
            if entry["status"] == "ok":
                summary.ok += 1
                log.info("ok      %-28s %6.1f s", entry["key"], entry["seconds"])
            else:
                summary.failed += 1
                summary.failures.append(entry)
                log.error("FAILED  %-28s %s", entry["key"], entry["error"]["message"])
            if self.progress:
                self.progress(entry, done, len(todo))


__all__ = [
    "BpuReportsError",
    "RangeInterrupted",
    "Summary",
    "generate",
    "generate_range",
    "total",
]
