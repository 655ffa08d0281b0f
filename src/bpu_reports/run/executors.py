"""Where report jobs run: local processes, or a Dask distributed cluster.

Both take a picklable function and its argument tuples and yield results as they finish.
Jobs catch their own errors (a failed report is a result, not an exception), so one failure
never stops the others.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psutil

from bpu_reports.errors import BpuReportsError
from bpu_reports.run import stop


class ExecutorError(BpuReportsError):
    """The executor could not be started (bad worker count, unreachable scheduler, …)."""


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


WORKER_MEMORY = 512 * 2**20
"""What one local worker needs at its peak: the worker, its kernel server and a kernel
rendering a report (430 MiB proportional set size measured on the Bali monthly reports)."""


def cap_workers(requested: int) -> tuple[int, str | None]:
    """``requested`` local workers, or as many as this machine's cores and available memory
    hold, whichever is fewer; the note says why when it caps. More workers than cores only
    contend for them, and more than memory holds swap or meet the out-of-memory killer."""
    cores = default_workers()
    available = psutil.virtual_memory().available
    cap = max(1, min(cores, available // WORKER_MEMORY))
    if requested <= cap:
        return requested, None
    return cap, (
        f"--workers {requested}: using {cap} ({cores} core(s), "
        f"{available / 2**30:.1f} GiB of memory available, about "
        f"{WORKER_MEMORY / 2**30:.1f} GiB per worker)"
    )


def _check_workers(workers: int) -> int:
    if workers < 1:
        raise ExecutorError(f"--workers {workers}: use 1 or more (default: the CPU count)")
    return workers


def run_local(
    fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], workers: int
) -> Iterator[Any]:
    """Run in ``workers`` fresh processes (spawned: no state inherited from the parent)."""
    _check_workers(workers)
    if not calls:
        return
    context = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(
        max_workers=min(workers, len(calls)),
        mp_context=context,
        initializer=stop.worker_started,
    )
    try:
        futures = [pool.submit(fn, *args) for args in calls]
        for future in cf.as_completed(futures):
            yield future.result()
    finally:
        # on a stop (``run.stop``) the workers are already gone: nothing is left to wait for
        pool.shutdown(wait=True, cancel_futures=True)


def run_dask(
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    workers: int,
    scheduler: str | None,
    connect_timeout: float = 10.0,
) -> Iterator[Any]:
    """Run on a Dask cluster: ``scheduler`` (``tcp://host:8786``), or a ``LocalCluster`` of
    ``workers`` single-threaded worker processes. Workers must see the same files (notebooks,
    warehouse, output folder) under the same paths."""
    from dask.distributed import Client, LocalCluster, as_completed

    _check_workers(workers)
    if not calls:
        return
    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout=f"{connect_timeout}s", set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ExecutorError(
                    f"cannot reach the Dask scheduler at {scheduler} "
                    f"within {connect_timeout:.0f} s: "
                    "check the address and that `dask scheduler` is running"
                ) from exc
        else:
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster, set_as_default=False)
        with client:
            futures = [client.submit(fn, *args, pure=False) for args in calls]
            for future in as_completed(futures, loop=client.loop):
                yield future.result()
    finally:
        if cluster is not None:
            cluster.close()
