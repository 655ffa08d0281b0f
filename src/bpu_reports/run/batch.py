"""``bpu-reports generate``: every report of a period, in parallel, resumable, incremental.

1. lock the output folder; sweep what a killed run left (temporary files, metrics cache);
2. plan the jobs and skip those whose fingerprint is unchanged (unless ``force``);
3. compute the metrics of the whole scope once, save one slice (a branch, a region, the
   country) per report;
4. run the jobs on the executor, recording each result in the manifest as it arrives;
5. publish the portal; report "N ok, N failed, N skipped".
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpu_reports import outdir, publish
from bpu_reports.config import Settings
from bpu_reports.data import store
from bpu_reports.errors import BpuReportsError
from bpu_reports.metrics import check_period, compute, resolve, unit
from bpu_reports.metrics.scope import Scope
from bpu_reports.metrics.views import KEY_ENV, new_batch_key, save_unit
from bpu_reports.period import Period
from bpu_reports.run import executors, lock, manifest, plan, spec, stop
from bpu_reports.run.job import run_job

log = logging.getLogger("bpu_reports.generate")
WORK = ".work"


@dataclass
class Summary:
    period: str
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def line(self) -> str:
        return f"{self.ok} ok, {self.failed} failed, {self.skipped} skipped"


def resolve_period(
    text: str, today: dt.date | None = None, info: store.WarehouseInfo | None = None
) -> Period:
    """``YYYY-MM``; ``previous`` (the month before today, for cron); ``latest`` (the
    warehouse's last complete month — needs ``info``)."""
    if text == "previous":
        return Period.previous_to(today or dt.date.today())
    if text == "latest" and info is not None:
        return info.complete_through
    return Period.parse(text)


def resolve_scope(con: Any, text: str) -> tuple[Scope, bool]:
    """``all``, a region code, or comma-separated branch codes; the flag says whether region
    reports belong to the batch (not for a hand-picked list of branches). The national
    report belongs to a batch whose scope is ``all`` only (the returned scope's kind)."""
    from bpu_reports.errors import ScopeError

    text = text.strip(" ")  # spaces around codes are fine; any other character is refused
    codes = [c.strip(" ") for c in text.split(",") if c.strip(" ")]
    if not codes:  # neither "0 reports" nor "everything"
        raise ScopeError("--scope is empty: give all, a region code, or branch codes A,B")
    if text == "all":
        return resolve(con), True
    if "," not in text:
        regions = set(resolve(con).branches.region_code)
        if text in regions:
            return resolve(con, region=text), True
    return resolve(con, codes=codes), False


def plan_jobs(
    run_spec: spec.RunSpec, scope: Scope, with_regions: bool, period: str, data_version: str
) -> list[plan.Job]:
    """The batch's jobs over ``scope`` (as ``resolve_scope`` gives it): region reports when
    ``with_regions``, the national report only when the scope is ``all`` (else one log line
    says it was left out)."""
    return plan.plan(
        run_spec, scope.branches, period, data_version, with_regions, national=scope.kind == "all"
    )


def sweep(folder: Path) -> int:
    """Remove what a killed batch may have left: hidden temporary files and the work folder
    (its metrics files hold unsuppressed small counts). Links are removed, never followed."""
    removed = outdir.remove_hidden(folder, (".tmp", ".ipynb"))
    if outdir.remove_tree(folder / WORK):
        removed += 1
    return removed


@stop.stoppable
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
    progress: Callable[[dict[str, Any], int, int], None] | None = None,
) -> Summary:
    """Run the batch; returns the summary (the CLI exits 1 when anything failed)."""
    started = time.perf_counter()
    if period != "latest":
        month = resolve_period(period)
    run_spec = spec.load(spec_path)
    if executor not in ("local", "dask"):
        raise executors.ExecutorError(f"--executor {executor!r}: use local or dask")
    workers = executors.default_workers() if workers is None else workers
    if workers < 1:
        raise executors.ExecutorError(
            f"--workers {workers}: use 1 or more (default: the CPU count)"
        )
    out = settings.out

    con = store.connect(settings.db)
    try:
        info = store.info(con)
        month = resolve_period(period, info=info)
        check_period(info, month)
        the_scope, with_regions = resolve_scope(con, scope)
    except BaseException:
        con.close()
        raise

    if executor == "local" or scheduler is None:  # a remote cluster sizes itself
        workers, note = executors.cap_workers(workers)
        if note:
            log.warning(note)
    folder = out / str(month)
    try:
        with lock.exclusive(out):
            handler = _log_file(folder)
            try:
                swept = sweep(folder)
                if swept:
                    log.info("removed %d leftover(s) of an interrupted run", swept)
                batch = Batch(
                    con, settings, month, run_spec, the_scope, with_regions, info,
                    workers, executor, scheduler, progress,
                )  # fmt: skip
                return batch.run(force, started)
            finally:
                os.environ.pop(KEY_ENV, None)
                outdir.remove_tree(folder / WORK)
                log.removeHandler(handler)
                handler.close()
    finally:
        con.close()


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
        try:
            self.run_jobs(todo, entries, summary)
        except stop.Interrupted as exc:
            exc.done = summary.ok + summary.failed
            exc.not_run = len(todo) - exc.done
            log.info("%s", exc)  # the console gets it once, from the command line
            sweep(self.folder)  # what the reports cut short had staged
            _publish_portal(out)
            raise
        _publish_portal(out)
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
        t = time.perf_counter()
        metrics = compute(self.con, self.month, self.scope)
        work = self.folder / WORK
        # the kernels load only metrics files signed with this batch's key (never a file
        # a user points at); workers and their kernels inherit it through the environment
        key = os.environ[KEY_ENV] = new_batch_key()
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
        results: Iterator[dict[str, Any]]
        if self.executor == "dask":
            results = executors.run_dask(run_job, calls, self.workers, self.scheduler)
        else:
            results = executors.run_local(run_job, calls, self.workers)
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


def _publish_portal(out: Path) -> None:
    from bpu_reports.render.portal import write_portal

    write_portal(out)


def _log_file(folder: Path) -> logging.Handler:
    """The batch's log file. The first thing the batch writes after the lock, so it checks
    first the paths every report of the period shares: a symbolic link at any of them would
    lead the batch's writes and deletions elsewhere, and refuses the batch (nothing written)."""
    from bpu_reports.render.portal import NAME as PORTAL

    out, logs = folder.parent, folder / "logs"
    shared = (logs, folder / WORK, folder / manifest.NAME, folder / "_failed", out / PORTAL)
    outdir.refuse_links(out, *shared)
    publish.make_folder(logs, out)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    path = logs / f"generate-{stamp}.log"
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    fd = outdir.open_file(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    handler.stream = os.fdopen(fd, "a", encoding="utf-8")  # opened here: never through a link
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler


__all__ = ["BpuReportsError", "Summary", "generate", "resolve_period"]
