"""Per-report cost, side by side on the same notebook, branches and warehouse:

baseline  papermill CLI → jupyter nbconvert --no-input CLI → weasyprint CLI, serial
floor     the same content in one Python process, same helpers, no kernel (bench/floor.py)
ours      bpu-reports generate --force, 1 and 2 workers
          (and at pace: reports a second once each worker has finished its first)
rerun     bpu-reports generate again, nothing changed
analyst   branch_monthly.ipynb, every cell run in a kernel already started (JupyterLab starts
          it when the notebook opens): "Run all" once after opening, and again

  .venv/bin/python bench/reports.py [--db /tmp/bench-bali.duckdb] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from batchlog import steady_rate  # noqa: E402

BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "branch_monthly.ipynb"
PERIOD = "2017-07"


def sh(*cmd: str, **kw) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def baseline(db: Path, branches: list[str], work: Path) -> float:
    def one(code: str) -> None:
        ipynb = work / f"{code}.ipynb"
        sh(
            str(BIN / "papermill"),
            str(NOTEBOOK),
            str(ipynb),
            "-p",
            "branch",
            code,
            "-p",
            "period",
            PERIOD,
            "-p",
            "db",
            str(db),
            "--no-progress-bar",
            cwd=NOTEBOOK.parent,
        )
        sh(str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(ipynb))
        sh(str(BIN / "weasyprint"), str(work / f"{code}.html"), str(work / f"{code}.pdf"))

    return timed(lambda: [one(c) for c in branches])


def floor(db: Path, branches: list[str]) -> float:
    os.chdir(ROOT)
    from floor import build

    from bpu_reports.data import store
    from bpu_reports.metrics import compute, resolve, unit
    from bpu_reports.period import Period

    def run() -> None:
        con = store.connect(db)
        ms = compute(con, Period.parse(PERIOD), resolve(con, codes=branches))
        con.close()
        for code in branches:
            build(unit(ms, "branch", code))

    build(
        unit(
            compute(
                store.connect(db),
                Period.parse(PERIOD),
                resolve(store.connect(db), branch=branches[0]),
            ),
            "branch",
            branches[0],
        )
    )  # warm imports
    return timed(run)


def ours(db: Path, branches: list[str], out: Path, workers: int, force: bool = True) -> float:
    """Wall time of ``generate`` over ``branches`` (its steady pace is in its log)."""
    args = [
        str(BIN / "bpu-reports"),
        "--quiet",
        "--db",
        str(db),
        "--out",
        str(out),
        "generate",
        "--period",
        PERIOD,
        "--spec",
        str(ROOT / "bench" / "branch-only.yaml"),
        "--scope",
        ",".join(branches),
        "--workers",
        str(workers),
    ]
    return timed(lambda: sh(*args, *(["--force"] if force else []), cwd=ROOT))


def analyst(db: Path) -> tuple[float, float, float]:
    """Kernel start, then "Run all" twice in that kernel (seconds each)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    os.environ["BPU_REPORTS_DB"] = str(db)
    client = NotebookClient(
        nb, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    started = time.perf_counter()
    with client.setup_kernel():
        start = time.perf_counter() - started

        def run_all() -> None:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)

        return start, timed(run_all), timed(run_all)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-bali.duckdb"))
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    if not args.db.exists():
        sh(str(BIN / "bpu-reports"), "--db", str(args.db), "db", "init", "--demo")
    branches = ["DPS", "BDU", "GIA", "SGR", "TAB", "JMB", "KLK", "KRA"]
    n = len(branches)
    when = time.strftime("%Y-%m-%d %H:%M")
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}, {when}"
    )
    print(f"{n} branch reports (HTML + PDF), Bali demo warehouse, {PERIOD}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = {}
        if not args.skip_baseline:
            rows["baseline (papermill+nbconvert+weasyprint CLIs)"] = baseline(
                args.db, branches, work
            )
        rows["floor (in-process, no kernel)"] = floor(args.db, branches)
        out = work / "out"
        ours(args.db, branches[:1], out, 1)  # first run: the folder, caches
        rows["ours, 1 worker"] = ours(args.db, branches, out, 1)
        paces = [steady_rate(out, PERIOD, 1)]
        rows["ours, 2 workers"] = ours(args.db, branches, out, 2)
        paces.append(steady_rate(out, PERIOD, 2))
        rerun = ours(args.db, branches, out, 2, force=False)
        shutil.rmtree(out, ignore_errors=True)
        run_all = analyst(args.db)
    fl = rows["floor (in-process, no kernel)"] / n
    for name, seconds in rows.items():
        per = seconds / n
        print(f"{name:48} {seconds:6.1f} s  {per:5.2f} s/report  {per / fl:4.2f}x floor")
    start, first, again = run_all
    print("\ntarget                                      measured   target   met")
    if "baseline (papermill+nbconvert+weasyprint CLIs)" in rows:
        base = rows["baseline (papermill+nbconvert+weasyprint CLIs)"]
        target(f"{n} reports, 2 workers vs baseline", base / rows["ours, 2 workers"], 6.0, "x")
        print(f"  (1 worker vs baseline: {base / rows['ours, 1 worker']:.2f}x)")
    target("2 workers vs 1 worker", rows["ours, 1 worker"] / rows["ours, 2 workers"], 1.8, "x")
    target("  at pace (reports/s after the first)", paces[1] / paces[0], 1.8, "x")
    print(f"  ({paces[0]:.2f} against {paces[1]:.2f} reports/s)")
    target(f"unchanged re-run of {n} reports", rerun, 5.0, "s", most=True)
    target("analyst Run-all, first after opening", first, 2.0, "s", most=True)
    print(f"  (Run-all again: {again:.2f} s; kernel start when the notebook opens: {start:.2f} s)")


def target(name: str, value: float, bound: float, unit: str, most: bool = False) -> None:
    """One line: the figure, the target (at least, or at most with ``most``), met or not."""
    met = value <= bound if most else value >= bound
    sign = "≤" if most else "≥"
    print(f"{name:42} {value:7.2f} {unit}  {sign} {bound:g} {unit}   {'yes' if met else 'NO'}")


if __name__ == "__main__":
    main()
