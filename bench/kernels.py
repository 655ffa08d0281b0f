"""Kernel start, side by side: (a) a plain ipykernel started by jupyter_client (nbclient's
default kernel manager) and (b) the batch's kernel (``ForkKernelManager``, forked from the
worker's fork server), from the kernel request to the first cell starting to execute in the
kernel (the cell's ``iopub.execute_input`` time that nbclient records).

    .venv/bin/python bench/kernels.py [-n 10]

Runs alternate a/b so that noise from other work on the machine falls on both; prints the
median and the spread of each and the ratio. The fork server's own start (once per batch
worker) is measured apart and not counted in (b).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

import nbformat
from nbclient import NotebookClient

from bpu_reports.run import kernels

EXTRA = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]


def first_cell_start(manager: type | None) -> float:
    """Seconds from the kernel request to the first cell's execution start in the kernel."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    options = {"kernel_manager_class": manager} if manager else {}
    client = NotebookClient(nb, kernel_name="python3", extra_arguments=EXTRA, **options)
    requested = dt.datetime.now(dt.UTC)
    client.execute()
    started = dt.datetime.fromisoformat(
        nb.cells[0].metadata.execution["iopub.execute_input"].replace("Z", "+00:00")
    )
    return (started - requested).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="runs of each (default 10)")
    n = parser.parse_args().n
    os.environ["BPU_REPORTS_FORK_KERNELS"] = "1"

    t = time.perf_counter()
    kernels._fork_server()  # what a batch worker pays once, before its first report
    server_start = time.perf_counter() - t

    first_cell_start(None)  # warm the page cache for both
    first_cell_start(kernels.ForkKernelManager)
    plain: list[float] = []
    forked: list[float] = []
    for _ in range(n):
        plain.append(first_cell_start(None))
        forked.append(first_cell_start(kernels.ForkKernelManager))

    def line(name: str, values: list[float]) -> str:
        return (
            f"{name:<34} median {statistics.median(values):6.3f} s   "
            f"min {min(values):6.3f}   max {max(values):6.3f}"
        )

    print(f"kernel request → first cell executing, {n} runs each (alternating)")
    print(line("(a) plain ipykernel (jupyter_client)", plain))
    print(line("(b) batch kernel (forked)", forked))
    print(f"ratio a/b: {statistics.median(plain) / statistics.median(forked):.1f}×")
    print(f"fork server start (once per worker, not in b): {server_start:.2f} s")


if __name__ == "__main__":
    main()
