"""``bpu-reports generate``: every report of a period, in parallel, resumable, incremental.

1. lock the output folder; sweep what a killed run left (temporary files, metrics cache);
2. plan the jobs and skip those whose fingerprint is unchanged (unless ``force``);
3. compute the metrics of the whole scope once, save one slice per report;
4. run the jobs on the executor, recording each result in the manifest as it arrives;
5. publish the portal; report "N ok, N failed, N skipped".
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpu_reports import publish
from bpu_reports.config import Settings
from bpu_reports.data import store
from bpu_reports.errors import BpuReportsError
from bpu_reports.metrics import check_period, compute, resolve, unit
from bpu_reports.metrics.scope import Scope
from bpu_reports.metrics.views import KEY_ENV, new_batch_key, save_unit
from bpu_reports.period import Period
from bpu_reports.run import executors, lock, manifest, plan, spec
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
    reports belong to the batch (not for a hand-picked list of branches)."""
    text = text.strip()
    if text in ("", "all"):
        return resolve(con), True
    if "," not in text:
        regions = set(resolve(con).branches.region_code)
        if text in regions:
            return resolve(con, region=text), True
    codes = [c.strip() for c in text.split(",") if c.strip()]
    return resolve(con, codes=codes), False


def sweep(folder: Path) -> int:
    """Remove what a killed batch may have left: hidden temporary files and the work folder."""
    removed = 0
    if not folder.exists():
        return 0
    for path in folder.rglob(".*.tmp"):
        path.unlink(missing_ok=True)
        removed += 1
    for path in folder.rglob(".*.ipynb"):
        path.unlink(missing_ok=True)
        removed += 1
    if (folder / WORK).exists():
        shutil.rmtree(folder / WORK, ignore_errors=True)
        removed += 1
    return removed


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

    folder = out / str(month)
    try:
        with lock.exclusive(out):
            handler = _log_file(folder)
            try:
                swept = sweep(folder)
                if swept:
                    log.info("removed %d leftover(s) of an interrupted run", swept)
                return _run(
                    con,
                    settings,
                    month,
                    run_spec,
                    the_scope,
                    with_regions,
                    info,
                    workers,
                    executor,
                    scheduler,
                    force,
                    progress,
                    started,
                )
            finally:
                os.environ.pop(KEY_ENV, None)
                shutil.rmtree(folder / WORK, ignore_errors=True)
                log.removeHandler(handler)
                handler.close()
    finally:
        con.close()


def _run(
    con: Any,
    settings: Settings,
    month: Period,
    run_spec: spec.RunSpec,
    the_scope: Scope,
    with_regions: bool,
    info: store.WarehouseInfo,
    workers: int,
    executor: str,
    scheduler: str | None,
    force: bool,
    progress: Callable[[dict[str, Any], int, int], None] | None,
    started: float,
) -> Summary:
    out, folder, period = settings.out, settings.out / str(month), str(month)
    jobs = plan.plan(run_spec, the_scope.branches, period, info.data_version, with_regions)
    entries = manifest.load(folder)
    todo = [
        j for j in jobs if force or not manifest.is_current(entries.get(j.key), j.fingerprint, out)
    ]
    summary = Summary(period, skipped=len(jobs) - len(todo))
    log.info(
        "generate %s: %d reports, %d to run, %d unchanged; %s executor, %d worker(s)",
        period,
        len(jobs),
        len(todo),
        summary.skipped,
        executor,
        workers,
    )
    if todo:
        t = time.perf_counter()
        metrics = compute(con, month, the_scope)
        work = folder / WORK
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
                    str(out.resolve()),
                    str(path.resolve()),
                    run_spec.cell_timeout,
                    str(settings.db.resolve()),
                    key,
                )
            )
        log.info(
            "metrics for %d branches computed once in %.1f s",
            len(metrics.summary),
            time.perf_counter() - t,
        )
        results: Iterator[dict[str, Any]]
        if executor == "dask":
            results = executors.run_dask(run_job, calls, workers, scheduler)
        else:
            results = executors.run_local(run_job, calls, workers)
        for done, entry in enumerate(results, start=1):
            entries[entry["key"]] = entry
            manifest.save(folder, period, info, entries)
            if entry["status"] == "ok":
                summary.ok += 1
                log.info("ok      %-28s %6.1f s", entry["key"], entry["seconds"])
            else:
                summary.failed += 1
                summary.failures.append(entry)
                log.error("FAILED  %-28s %s", entry["key"], entry["error"]["message"])
            if progress:
                progress(entry, done, len(todo))
    else:
        manifest.save(folder, period, info, entries)
    _publish_portal(out)
    summary.seconds = time.perf_counter() - started
    log.info("%s in %.1f s", summary.line, summary.seconds)
    return summary


def _publish_portal(out: Path) -> None:
    from bpu_reports.render.portal import write_portal

    write_portal(out)


def _log_file(folder: Path) -> logging.Handler:
    logs = folder / "logs"
    publish.make_folder(logs)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    handler = logging.FileHandler(logs / f"generate-{stamp}.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler


__all__ = ["BpuReportsError", "Summary", "generate", "resolve_period"]
