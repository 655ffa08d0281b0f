"""One batch job, as run inside a worker process: never raises, returns a manifest entry.

The notebook gets only the parameters its ``parameters`` cell declares (so papermill has no
unknown parameter to warn about): the plan's, the batch's ``metrics_file`` and the warehouse
``db``. Its saved copies show the warehouse and no metrics file, so *Run All* on them works.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
import traceback
from pathlib import Path
from typing import Any

from bpu_reports.config import BATCH_KEY_ENV as KEY_ENV
from bpu_reports.config import Settings
from bpu_reports.errors import BpuReportsError
from bpu_reports.report import formats as fmt
from bpu_reports.run import parameters as report_parameters
from bpu_reports.run.single import ReportFailed, run_report


def job_parameters(
    notebook: Path, planned: dict[str, Any], metrics_file: str, db: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the kernel gets, and what the saved notebooks show: the names ``notebook``
    declares among the plan's parameters, ``metrics_file`` and ``db`` (the batch's own: a spec
    cannot set either); the saved notebooks show the same without ``metrics_file``."""
    declared = report_parameters.declared(notebook)
    offered = {**planned, "db": db, "metrics_file": metrics_file}
    given = {k: v for k, v in offered.items() if k in declared}
    # the batch's metrics file is deleted after the run: saved copies leave the notebook's
    # own default (empty: read the warehouse) in place
    shown = {k: v for k, v in given.items() if k != "metrics_file"}
    return given, shown


class NotShared(BpuReportsError):
    """The batch's work files are not on this worker: its output folder is not shared."""


def _check_shared(metrics_file: str) -> None:
    """The batch wrote ``metrics_file`` under OUT/PERIOD/.work before handing out the job:
    a worker that cannot see it (a Dask worker on another machine without the shared output
    folder) would write the report where the batch never looks, so the job fails instead."""
    if metrics_file and not Path(metrics_file).is_file():
        raise NotShared(
            f"the batch's metrics file {metrics_file} is not on worker "
            f"{socket.gethostname()}: every worker needs the output folder (--out) on "
            "shared storage, under the same path"
        )


def _entry(job: dict[str, Any]) -> dict[str, Any]:
    """The manifest entry of ``job`` before it runs: which report, with which parameters."""
    entry: dict[str, Any] = {
        key: job[key]
        for key in ("key", "notebook", "kind", "code", "name", "region_code", "period", "lang")
    }
    if job.get("title"):
        entry["title"] = job["title"]  # the spec's name for the report (the portal shows it)
    entry.update(
        notebook=Path(job["notebook"]).name,
        params={k: v for k, v in job["parameters"].items()},
        fingerprint=job["fingerprint"],
        outputs={},
        kpis={},
        error=None,
    )
    return entry


def lost(call: tuple[Any, ...], error: BaseException) -> dict[str, Any]:
    """The failed manifest entry of a ``run_job`` call that returned nothing: its Dask
    worker died while running it each time the scheduler tried (``KilledWorker``), or the
    call never started on a worker. Nothing of the report was published."""
    job = call[0]
    entry = _entry(job)
    entry.update(
        status="failed",
        error={
            "type": type(error).__name__,
            "message": f"{job['key']}: no result from the Dask cluster: "
            f"{type(error).__name__}: {error}",
            "cell": None,
            "notebook": None,
        },
        seconds=0.0,
        finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    return entry


def run_job(
    job: dict[str, Any],
    out: str,
    metrics_file: str,
    timeout: int,
    db: str = "",
    key: str = "",
) -> dict[str, Any]:
    """Execute and render ``job`` (a ``plan.Job`` as a dict); a failure is recorded.

    ``db`` is the warehouse the batch reads (default: as ``Settings`` resolves it here, from
    ``BPU_REPORTS_DB`` or ``data/bpu.duckdb``). ``key`` is the batch's secret for its metrics
    files; it reaches the report kernel through this worker's environment (a Dask worker
    started on another machine does not inherit the batch's)."""
    started = time.perf_counter()
    if key:
        os.environ[KEY_ENV] = key
    root = Path(out)
    entry = _entry(job)
    warehouse = str(Path(db or Settings.resolve().db).resolve())
    try:
        _check_shared(metrics_file)
        params, shown = job_parameters(
            Path(job["notebook"]), job["parameters"], metrics_file, warehouse
        )
        outcome = run_report(
            Path(job["notebook"]),
            kind=job["kind"],
            code=job["code"],
            period=job["period"],
            lang=job["lang"],
            parameters=params,
            out=root,
            formats=tuple(job["formats"]),
            title=f"{job['name']} — {fmt.month(job['period'], job['lang'])}",
            stem=job["key"].split("/", 1)[1],
            timeout=timeout,
            shown=shown,
        )
    except ReportFailed as exc:
        entry.update(
            status="failed",
            error={
                "type": exc.ename,
                "message": str(exc),
                "cell": exc.cell,
                "notebook": str(exc.kept.relative_to(root)) if exc.kept else None,
            },
        )
    except Exception as exc:  # rendering or publishing failed: still one report only
        entry.update(
            status="failed",
            error={
                "type": type(exc).__name__,
                "message": f"{job['key']}: {type(exc).__name__}: {exc}",
                "cell": None,
                "notebook": None,
                "traceback": traceback.format_exc(limit=5),
            },
        )
    else:
        entry.update(
            status="ok",
            outputs={k: str(Path(v).relative_to(root)) for k, v in outcome.outputs.items()},
            digests=outcome.digests,
            kpis=outcome.kpis,
            timings={k: round(v, 3) for k, v in outcome.seconds.items()},
        )
    entry["seconds"] = round(time.perf_counter() - started, 3)
    entry["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return entry
