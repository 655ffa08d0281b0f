"""Benchmark: national demo build, then every metric for every branch for one month.

    .venv/bin/python bench/metrics.py [--period 2017-07] [--until 2018-12]
        [--db /tmp/bpu-national.duckdb] [--reuse]

Each step runs in its own process so its wall time and peak RSS are its own. Prints one
line per step and a summary to paste into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
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


def step(code: str, *args: str) -> dict:
    wall = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"benchmark step failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - wall
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--period", default="2017-07")
    parser.add_argument("--db", default="/tmp/bpu-national.duckdb")
    parser.add_argument("--reuse", action="store_true", help="keep an existing national build")
    parser.add_argument(
        "--until",
        default="2018-12",
        help="last month of the demo history (2018-12: the size earlier figures were taken at)",
    )
    args = parser.parse_args()

    print(f"machine: {platform.node()} {platform.machine()} {platform.processor() or ''}".strip())
    print(f"python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}")
    if not (args.reuse and Path(args.db).exists()):
        build = step(BUILD, args.db, args.until)
        print(
            f"national build to {args.until}: {build['seconds']:7.1f} s   "
            f"peak RSS {build['peak_rss_mb']:7.0f} MB"
        )
    size = Path(args.db).stat().st_size / 2**20
    print(f"warehouse size:   {size:7.0f} MB")
    for run in ("cold", "warm"):
        m = step(METRICS, args.db, args.period)
        print(
            f"all metrics ({run}): {m['seconds']:6.1f} s   peak RSS {m['peak_rss_mb']:7.0f} MB   "
            f"{m['branches']} branches, {m['regions']} regions, "
            f"{m['registered']:,} registered, {m['active']:,} active at {args.period}"
        )


if __name__ == "__main__":
    main()
