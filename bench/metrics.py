"""Benchmark: national demo build, then every metric for every branch for some months.

    .venv/bin/python bench/metrics.py [--period 2017-07,2021-07,2026-10] [--until 2018-12]
        [--db /tmp/bpu-national.duckdb] [--reuse] [--derive | --panels [MONTHS]] [--memory 7GB]

Each step runs in its own process so its wall time and peak RSS are its own. The months
(by default 2017-07, 2021-07 and 2026-10, those the history reaches) are timed side by side:
a month's cost must not grow with the years of history before it. ``--derive`` first
(re)derives the per-member state (``data.state``) of a warehouse built by an older version;
``--panels`` only the panels it keeps for the months a monthly run reports on (``--panels
2017-07,2021-07`` also those months: the panel a build up to that month keeps is the same,
as no later payment or registration enters it), so that those months are timed as a monthly
run at the time would have run them.
``--memory`` adds a run of each month with DuckDB's memory capped (``BPU_REPORTS_MEMORY``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BUILD = """
import json, resource, sys, time
from bpu_reports.data.demo import build_demo
from bpu_reports.period import Period
t = time.perf_counter()
build_demo(sys.argv[1], scale="national", until=Period.parse(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

DERIVE = """
import json, resource, sys, time
import duckdb
from bpu_reports.data import state, store
from bpu_reports.period import Period
t = time.perf_counter()
con = duckdb.connect(sys.argv[1])
con.execute("SET enable_progress_bar = false")
info = store.info(con)
months = [info.complete_through, info.last_period]  # as a build keeps them
months += [Period.parse(m) for m in sys.argv[3].split(",") if m]
if sys.argv[2] == "panels":
    state.keep_panels(con, months)
else:
    state.derive(con, months)
con.execute("CHECKPOINT")
con.close()
print(json.dumps({"seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

COUNTS = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
((members, payments),) = con.execute(
    "SELECT (SELECT count(*) FROM participants), (SELECT count(*) FROM contributions)"
).fetchall()
print(json.dumps({"members": members, "payments": payments}))
"""

TARGET_SECONDS, TARGET_MB = 30, 8 * 1024
"""One month's full metric set at today's national size: at most 30 s and 8 GB."""
BUILD_TARGET_SECONDS = 15 * 60
"""The national build up to last month, state and kept panels included: at most 15 min."""

METRICS = """
import json, resource, sys, time
t0 = time.perf_counter()
from bpu_reports.data import store
from bpu_reports.metrics import compute, resolve, unit
from bpu_reports.period import Period
t = time.perf_counter()
con = store.connect(sys.argv[1])
scope = resolve(con)
ms = compute(con, Period.parse(sys.argv[2]), scope)
regions = [unit(ms, "region", r) for r in sorted(set(ms.branches.region_code))]
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "import_seconds": t - t0,
                  "branches": len(ms.summary), "regions": len(regions),
                  "registered": int(ms.summary.registered.sum()),
                  "active": int(ms.summary.active.sum()),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def step(code: str, *args: str, memory: str | None = None) -> dict:
    wall = time.perf_counter()
    env = dict(os.environ)
    env.pop("BPU_REPORTS_MEMORY", None)
    if memory is not None:
        env["BPU_REPORTS_MEMORY"] = memory
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode:
        sys.exit(f"benchmark step failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - wall
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--period", default=None, help="months to time, comma-separated (default: see above)"
    )
    parser.add_argument("--db", default="/tmp/bpu-national.duckdb")
    parser.add_argument("--reuse", action="store_true", help="keep an existing national build")
    parser.add_argument(
        "--derive", action="store_true", help="(re)derive the state of an existing warehouse"
    )
    parser.add_argument(
        "--panels",
        nargs="?",
        const="",
        default=None,
        metavar="MONTHS",
        help="(re)fold only the kept panels (the checkpoints are this version's already): "
        "the build's two months, plus MONTHS (comma-separated), as a build up to each of "
        "them would have kept it",
    )
    parser.add_argument("--memory", help="also time each month with DuckDB capped at this")
    parser.add_argument(
        "--until",
        default="2018-12",
        help="last month of the demo history (2018-12: the size earlier figures were taken at)",
    )
    args = parser.parse_args()
    months = (
        args.period.split(",")
        if args.period
        else [m for m in ("2017-07", "2021-07", "2026-10") if m <= args.until]
    )

    print(f"machine: {platform.node()} {platform.machine()} {platform.processor() or ''}".strip())
    print(f"python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}")
    if not (args.reuse and Path(args.db).exists()):
        build = step(BUILD, args.db, args.until)
        met = "met" if build["seconds"] <= BUILD_TARGET_SECONDS else "missed"
        print(
            f"national build to {args.until}: {build['seconds']:7.1f} s   "
            f"peak RSS {build['peak_rss_mb']:7.0f} MB (state and kept panels included; "
            f"target ≤ {BUILD_TARGET_SECONDS // 60} min: {met})"
        )
    panels = args.panels is not None
    if args.derive or panels:
        derive = step(DERIVE, args.db, "panels" if panels else "all", args.panels or "")
        print(
            f"{'panels kept:' if panels else 'state derived:':17s} "
            f"{derive['seconds']:7.1f} s   "
            f"peak RSS {derive['peak_rss_mb']:7.0f} MB"
        )
    size = Path(args.db).stat().st_size / 2**20
    counts = step(COUNTS, args.db)
    print(
        f"warehouse size:   {size:7.0f} MB, {counts['members']:,} members ever registered, "
        f"{counts['payments']:,} payments"
    )
    rows = []
    runs = ["cold", "warm"] + ([f"capped {args.memory}"] if args.memory else [])
    for month in months:
        for run in runs:
            m = step(METRICS, args.db, month, memory=args.memory if "capped" in run else None)
            rows.append((month, run, m))
            print(
                f"all metrics {month} ({run}): {m['seconds']:6.1f} s   "
                f"peak RSS {m['peak_rss_mb']:7.0f} MB   {m['branches']} branches, "
                f"{m['regions']} regions, {m['registered']:,} registered, "
                f"{m['active']:,} active"
            )
    print(f"\n| month | run | wall | peak RSS | target ≤ {TARGET_SECONDS} s, ≤ 8 GB |")
    print("|---|---|---|---|---|")
    for month, run, m in rows:
        met = m["seconds"] <= TARGET_SECONDS and m["peak_rss_mb"] <= TARGET_MB
        print(
            f"| {month} | {run} | {m['seconds']:.1f} s | {m['peak_rss_mb']:,.0f} MB | "
            f"{'met' if met else 'missed'} |"
        )


if __name__ == "__main__":
    main()
