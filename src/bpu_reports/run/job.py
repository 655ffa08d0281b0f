"""One batch job, as run inside a worker process: never raises, returns a manifest entry."""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import Any

from bpu_reports.report import formats as fmt
from bpu_reports.run.single import ReportFailed, run_report


def run_job(job: dict[str, Any], out: str, metrics_file: str, timeout: int) -> dict[str, Any]:
    """Execute and render ``job`` (a ``plan.Job`` as a dict); a failure is recorded."""
    started = time.perf_counter()
    root = Path(out)
    entry: dict[str, Any] = {
        key: job[key]
        for key in ("key", "notebook", "kind", "code", "name", "region_code", "period", "lang")
    }
    entry.update(
        notebook=Path(job["notebook"]).name,
        params={k: v for k, v in job["parameters"].items()},
        fingerprint=job["fingerprint"],
        outputs={},
        kpis={},
        error=None,
    )
    params = {**job["parameters"], "metrics_file": metrics_file}
    try:
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
            kpis=outcome.kpis,
            timings={k: round(v, 3) for k, v in outcome.seconds.items()},
        )
    entry["seconds"] = round(time.perf_counter() - started, 3)
    return entry
