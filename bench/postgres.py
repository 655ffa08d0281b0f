"""PostgreSQL import: the demo data in a throwaway PostgreSQL server, then
``bpu-reports db import postgresql://…`` timed in its own process.

    .venv/bin/python bench/postgres.py [--scale bali|national] [--demo PATH]

Builds the demo warehouse (national ≈ 75 s; ``--demo`` reuses one), starts a cluster with
``tests/pg/pgcluster.py`` (the test suite's code: needs Debian's ``postgresql``), copies the six
tables into it with ADBC (``adbc_ingest``, binary COPY) and adds their primary keys, as a
production database would have. Then runs the import once, the password in ``PGPASSWORD``,
and prints its wall time and peak RSS (``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the largest
child, which is the import; the cluster's programs are small). The import is stopped if its
RSS passes ``--max-rss-mb`` (default 8 GB), so a run cannot starve a shared machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import adbc_driver_postgresql.dbapi as pg
import duckdb

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests" / "pg"))

import pgcluster  # noqa: E402  (tests/pg: one copy of the cluster code)

from bpu_reports.data.contract import LOAD_ORDER, TABLES  # noqa: E402

TARGET_S, TARGET_MB = 180, 4096


def copy_to_postgres(warehouse: Path, url: str) -> dict[str, int]:
    """The contract columns of every table of ``warehouse`` into ``url``; row counts."""
    counts = {}
    src = duckdb.connect(str(warehouse), read_only=True)
    try:
        with pg.connect(url, autocommit=True) as con, con.cursor() as cur:
            for name in LOAD_ORDER:
                table = TABLES[name]
                columns = ", ".join(table.columns)
                reader = src.sql(f"SELECT {columns} FROM {name}").to_arrow_reader(1_000_000)
                counts[name] = cur.adbc_ingest(name, reader, mode="create")
                cur.execute(f"ALTER TABLE {name} ADD PRIMARY KEY ({', '.join(table.key)})")
            cur.execute("ANALYZE")
    finally:
        src.close()
    return counts


def _watch(child: subprocess.Popen[str], max_rss_mb: int) -> bool:
    """Wait for ``child``; kill it (our own process, by its pid) if its RSS passes the cap."""
    status = Path(f"/proc/{child.pid}/status")
    while child.poll() is None:
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
            rss_mb = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        except (OSError, ValueError):
            rss_mb = 0
        if rss_mb > max_rss_mb:
            child.kill()
            child.wait()
            return True
        time.sleep(0.5)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("bali", "national"), default="national")
    parser.add_argument("--demo", type=Path, help="reuse this demo warehouse (else build one)")
    parser.add_argument("--max-rss-mb", type=int, default=2 * TARGET_MB)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bpu-bench-pg-") as tmp:
        work = Path(tmp)
        demo = args.demo
        if demo is None:
            from bpu_reports.data.demo import build_demo

            demo = work / "demo.duckdb"
            started = time.perf_counter()
            build_demo(demo, scale=args.scale)
            print(f"demo build ({args.scale}): {time.perf_counter() - started:.1f} s")
        with pgcluster.running() as cluster:
            started = time.perf_counter()
            counts = copy_to_postgres(demo, cluster.url())
            rows = ", ".join(f"{n} {c:,}" for n, c in counts.items())
            print(f"loaded into PostgreSQL in {time.perf_counter() - started:.1f} s: {rows}")

            env = {**os.environ, "PGPASSWORD": cluster.password}
            command = [
                str(BIN / "bpu-reports"),
                "db",
                "import",
                cluster.url(password=False),
                "--db",
                str(work / "imported.duckdb"),
            ]
            started = time.perf_counter()
            child = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            stopped = _watch(child, args.max_rss_mb)
            output = child.communicate()[0]
            wall = time.perf_counter() - started
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(output.strip())
        if stopped:
            raise SystemExit(
                f"import stopped after {wall:.1f} s: RSS passed {args.max_rss_mb:,} MB "
                f"(peak {peak_mb:,.0f} MB)"
            )
        if child.returncode:
            raise SystemExit(f"import failed with exit {child.returncode} after {wall:.1f} s")
        print(
            f"db import postgresql:// ({args.scale}): wall {wall:.1f} s (target ≤ {TARGET_S} s), "
            f"peak RSS {peak_mb:,.0f} MB (target ≤ {TARGET_MB} MB)"
        )


if __name__ == "__main__":
    main()
