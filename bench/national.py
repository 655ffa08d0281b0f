"""National month: every branch, region and the national report of one period on the
national demo warehouse, HTML + PDF (bench/national-month.yaml), then the same command again
with nothing changed.

    .venv/bin/python bench/national.py [--db /tmp/bpu-national.duckdb] [--workers N]
        [--period 2017-07] [--executor local|dask] [--scheduler tcp://…] [--scaling]
        [--scope all|REGION|…] [--spec bench/national-month.yaml]

Prints wall time and the peak resident memory of the whole process tree (sampled), each
beside its target. ``--scaling`` runs the month with 1 worker, then with 2, each into a folder
of its own, and prints how many times faster 2 workers were (target ≥ 1,8×).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from batchlog import steady_rate  # noqa: E402


def tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, ppid = int(entry.name), int(fields["PPid"])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total / 1024


def run(args: list[str]) -> tuple[float, float]:
    peak = 0.0
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sample() -> None:
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    sampler.join()
    if code not in (0, 1):
        sys.exit(f"generate exited {code}")
    return time.perf_counter() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=Path("/tmp/bpu-national.duckdb"))
    parser.add_argument("--workers", type=int, default=None, help="default: what generate chooses")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--period", default="2017-07")
    parser.add_argument("--spec", type=Path, default=ROOT / "bench" / "national-month.yaml")
    parser.add_argument("--executor", default="local")
    parser.add_argument("--scheduler", default=None)
    parser.add_argument("--scaling", action="store_true", help="1 worker, then 2")
    parser.add_argument("--scope", default="all", help="as generate's (default: all)")
    args = parser.parse_args()
    if not args.db.exists():
        subprocess.run(
            [
                str(BIN / "bpu-reports"),
                "--db",
                str(args.db),
                "db",
                "init",
                "--demo",
                "--scale",
                "national",
            ],
            check=True,
        )
    if args.scaling:
        scaling(args)
        return
    out = args.out or Path(tempfile.mkdtemp(prefix="bpu-national-"))
    wall, peak = run(command(args, out, args.workers))
    reports = len(list(out.glob(f"{args.period}/*/*.pdf")))
    print(
        f"national month {args.period}, {args.executor}, {args.workers or 'default'} workers: "
        f"{reports} "
        f"reports (HTML + PDF) in {wall / 60:.2f} min ({wall / max(reports, 1):.2f} s/report, "
        f"{reports / wall:.2f} reports/s), peak RSS {peak:.0f} MB   target ≤ 3 min: "
        f"{'yes' if wall <= 180 else 'NO'}"
    )
    again, peak2 = run(command(args, out, args.workers))
    print(
        f"unchanged re-run: {again:.1f} s, peak RSS {peak2:.0f} MB   target ≤ 5 s: "
        f"{'yes' if again <= 5 else 'NO'}; output in {out}"
    )


def scaling(args: argparse.Namespace) -> None:
    """The month with 1 worker, then 2, side by side: the throughput 2 workers add."""
    walls, paces = {}, {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory(prefix="bpu-national-") as tmp:
            walls[workers], _ = run(command(args, Path(tmp), workers))
            reports = len(list(Path(tmp).glob(f"{args.period}/*/*.pdf")))
            paces[workers] = steady_rate(Path(tmp), args.period, workers)
        print(
            f"{args.scope} {args.period}, {workers} worker(s): {reports} reports in "
            f"{walls[workers] / 60:.2f} min ({reports / walls[workers]:.2f} reports/s; "
            f"{paces[workers]:.2f} once each worker had finished its first)"
        )
    for name, ratio in (("", walls[1] / walls[2]), (" at pace", paces[2] / paces[1])):
        met = "yes" if ratio >= 1.8 else "NO"
        print(f"2 workers vs 1 worker{name}: {ratio:.2f}x   target ≥ 1.8x: {met}")


def command(args: argparse.Namespace, out: Path, workers: int | None) -> list[str]:
    return [
        str(BIN / "bpu-reports"),
        "--quiet",
        "--db",
        str(args.db),
        "--out",
        str(out),
        "generate",
        "--period",
        args.period,
        "--spec",
        str(args.spec),
        "--scope",
        args.scope,
        *(["--workers", str(workers)] if workers else []),
        "--executor",
        args.executor,
        *(["--scheduler", args.scheduler] if args.scheduler else []),
    ]


if __name__ == "__main__":
    main()
