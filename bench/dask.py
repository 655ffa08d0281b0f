"""The same monthly batch on local worker processes and on a Dask cluster started the way an
operator starts one: a ``dask scheduler`` and two ``dask worker`` processes, each its own
command, on 127.0.0.1, dashboards off.

    .venv/bin/python bench/dask.py [--scale bali|national] [--period 2017-07]
        [--branches N] [--rounds R] [--workers 2] [--db FILE] [--keep]

Each round runs ``generate`` twice into fresh output folders, ``--executor local --workers
N`` and ``--executor dask --scheduler tcp://…`` (the order alternates from one round to the
next), and prints the wall time, reports per second and the ratio dask/local. The cluster is
started once, before the first round, so its start-up is not timed (a real cluster outlives a
batch); a worker's first report does include its imports and kernel fork server, as a local
worker's does.

``--branches N`` runs the first N branches of the warehouse only (their branch reports,
``--scope A,B,…``). Without ``--db`` the demo warehouse is built into
``/tmp/bpu-bench-SCALE.duckdb`` (up to the month after ``--period``) or reused if there.

Ctrl-C or SIGTERM stops the running batch cleanly (it gets the signal too) and the cluster;
every process this script starts dies with it even when it is killed outright (parent-death
signal), so nothing is left running.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# this file is named dask.py: its folder, first on the path, would hide the dask package
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "parameters" / "monthly.yaml"


class Stopped(Exception):
    """SIGTERM reached this script."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Stopped


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_LIBC = ctypes.CDLL("libc.so.6", use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_us() -> None:
    """In a started process, before it runs: SIGKILL when this script dies (Linux prctl;
    libc is loaded beforehand, as nothing should be loaded between fork and exec)."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def start(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    """``cmd`` in a session of its own (a Ctrl-C at the terminal is this script's to handle),
    output to ``log``, killed with this script."""
    with log.open("wb") as out:
        return subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_us,
            cwd=ROOT,
        )


def stop(proc: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """SIGTERM to the process's group (a worker's nanny and worker, their fork servers and
    kernels), SIGKILL to it after ``grace`` seconds."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of the group is left
    proc.wait()


@contextlib.contextmanager
def cluster(workers: int, logs: Path) -> Iterator[str]:
    """A scheduler and ``workers`` single-threaded worker processes, each started as its own
    command; yields the scheduler's address once every worker has joined."""
    from dask.distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(BIN / "dask")
    procs = []
    try:
        # the scheduler's HTTP routes (no dashboard without bokeh) on a free port, not 8787
        scheduler = [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                     "--no-dashboard", "--dashboard-address", "127.0.0.1:0"]  # fmt: skip
        procs.append(start(scheduler, logs / "scheduler.log"))
        for i in range(workers):
            procs.append(
                start(
                    [
                        dask, "worker", address, "--nworkers", "1", "--nthreads", "1",
                        "--host", "127.0.0.1", "--no-dashboard", "--name", f"bench-{i + 1}",
                    ],
                    logs / f"worker-{i + 1}.log",
                )
            )  # fmt: skip
        with Client(address, timeout="60s", set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):  # workers first: they leave the scheduler cleanly
            stop(proc)


def warehouse(args: argparse.Namespace) -> Path:
    from bpu_reports.period import Period

    db: Path = args.db or Path(tempfile.gettempdir()) / f"bpu-bench-{args.scale}.duckdb"
    if not db.exists():
        until = str(Period.parse(args.period).shift(1))
        print(f"building the {args.scale} demo warehouse (to {until}) into {db} …", flush=True)
        subprocess.run(
            [str(BIN / "bpu-reports"), "--db", str(db), "db", "init", "--demo",
             "--scale", args.scale, "--until", until],
            check=True,
        )  # fmt: skip
    return db


def branch_codes(db: Path, n: int) -> list[str]:
    status = subprocess.run(
        [str(BIN / "bpu-reports"), "--db", str(db), "db", "status", "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(status.stdout)
    codes = sorted(b["code"] for r in info["regions"] for b in r["branches"])
    if n > len(codes):
        sys.exit(f"--branches {n}: the warehouse has {len(codes)}")
    return codes[:n]


def generate(cmd: list[str], out: Path) -> tuple[float, int, int]:
    """Run ``cmd`` (``generate`` into ``out``); its wall seconds, reports ok and failed. A
    Ctrl-C reaches it from the terminal; on SIGTERM here it gets SIGTERM; either way it has
    stopped (cleanly, by its own handling) before this returns or raises."""
    started = time.perf_counter()
    proc = subprocess.Popen([*cmd, "--out", str(out)], cwd=ROOT, preexec_fn=_die_with_us)
    try:
        code = proc.wait()
    except BaseException:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        raise
    wall = time.perf_counter() - started
    if code == 130:  # it was stopped by a signal meant for this script too
        raise KeyboardInterrupt
    if code == 143:
        raise Stopped
    if code not in (0, 1):
        raise SystemExit(f"generate exited {code}: {' '.join(cmd)}")
    manifests = list(out.glob("*/manifest.json"))
    entries = [e for m in manifests for e in json.loads(m.read_text())["reports"]]
    ok = sum(e["status"] == "ok" for e in entries)
    return wall, ok, len(entries) - ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("bali", "national"), default="national")
    parser.add_argument("--period", default="2017-07")
    parser.add_argument("--branches", type=int, default=0, help="first N branches only")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--spec", type=Path, default=SPEC)
    parser.add_argument("--keep", action="store_true", help="keep the output folders and logs")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started in background

    db = warehouse(args)
    scope = ",".join(branch_codes(db, args.branches)) if args.branches else "all"
    base = Path(tempfile.mkdtemp(prefix="bpu-bench-dask-"))
    common = [
        str(BIN / "bpu-reports"), "--quiet", "--db", str(db), "generate",
        "--period", args.period, "--spec", str(args.spec.resolve()), "--scope", scope,
    ]  # fmt: skip
    times: dict[str, list[float]] = {"local": [], "dask": []}
    reports = 0
    try:
        with cluster(args.workers, base) as address:
            flags = {
                "local": ["--executor", "local", "--workers", str(args.workers)],
                "dask": ["--executor", "dask", "--scheduler", address],
            }
            print(
                f"{args.scale}, {args.period}, scope {scope if args.branches else 'all'}; "
                f"{args.workers} local workers vs {args.workers} Dask workers at {address}",
                flush=True,
            )
            for r in range(1, args.rounds + 1):
                order = ("local", "dask") if r % 2 else ("dask", "local")
                for executor in order:
                    out = base / f"out-{executor}-{r}"
                    wall, ok, failed = generate(common + flags[executor], out)
                    times[executor].append(wall)
                    reports = ok + failed
                    print(
                        f"round {r} {executor:5}: {ok} ok, {failed} failed in {wall:7.1f} s "
                        f"= {ok / wall:.3f} reports/s",
                        flush=True,
                    )
                    if not args.keep:
                        shutil.rmtree(out, ignore_errors=True)
    except (KeyboardInterrupt, Stopped) as exc:
        print("stopped; the cluster is down", file=sys.stderr)
        sys.exit(143 if isinstance(exc, Stopped) else 130)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print(f"outputs and cluster logs kept in {base}")
    local, dask = statistics.median(times["local"]), statistics.median(times["dask"])
    print(
        f"median of {args.rounds} round(s), {reports} reports: local {local:.1f} s "
        f"({reports / local:.3f}/s), dask {dask:.1f} s ({reports / dask:.3f}/s); "
        f"throughput dask/local = {local / dask:.3f}"
    )


if __name__ == "__main__":
    main()
