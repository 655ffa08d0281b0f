"""Where report jobs run: local processes, or a Dask distributed cluster.

Both take a picklable function and its argument tuples and yield results as they finish.
Jobs catch their own errors (a failed report is a result, not an exception), so one failure
never stops the others.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import gc
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
    hold, whichever is fewer; the note says why when it caps. One worker keeps a core busy
    (its kernel and itself take turns), so more workers than cores only contend for them
    (docs/benchmarks.md), and more than memory holds swap or meet the out-of-memory killer."""
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


def check_workers(workers: int) -> int:
    """``workers`` if it is 1 or more; else the one-line refusal (exit 2)."""
    if workers < 1:
        raise ExecutorError(f"--workers {workers}: use 1 or more (default: the CPU count)")
    return workers


class LocalPool:
    """``workers`` fresh local processes (spawned: no state inherited from the parent) for
    ``jobs`` jobs, started when the pool is made: each gets ready for reports
    (``_ready``) while the batch computes its metrics, so its first report does not wait
    for its imports and fork server."""

    def __init__(self, workers: int, jobs: int):
        check_workers(workers)
        size = max(min(workers, jobs), 1)
        self._pool = cf.ProcessPoolExecutor(
            max_workers=size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_local_worker_started,
        )
        for _ in range(size):  # each call starts one more process, up to ``size``
            self._pool.submit(os.getpid)

    def run(self, fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> Iterator[Any]:
        """Run ``fn`` on every argument tuple of ``calls``; results as they finish."""
        futures = [self._pool.submit(fn, *args) for args in calls]
        for future in cf.as_completed(futures):
            yield future.result()

    def close(self) -> None:
        # on a stop (``run.stop``) the workers are already gone: nothing is left to wait for
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _local_worker_started() -> None:
    stop.worker_started()
    _ready()


def _ready() -> None:
    """Import the report modules (papermill, nbconvert, Typst), find the fonts the PDFs are
    typeset with, and start this process's kernel fork server (``run.kernels``), all kept
    for every later job of the process. Run
    in the process's main thread: the fork server's parent-death signal follows the thread
    that started it."""
    from bpu_reports.render import html, pdf, workbook
    from bpu_reports.run import job, kernels

    del job, html, workbook  # imported for their modules: the first report does not pay
    pdf.ready()
    gc.freeze()  # the imports live as long as the process: the collector need not walk them
    if kernels.enabled():
        kernels.start_server()  # started now, reused by every report of this process


def worker_ready(version: str, address: str = "") -> None:
    """Make this Dask worker process ready for reports, as a local worker is (``_ready``),
    for this batch and every later one. Refuses (``ExecutorError``) a worker whose
    bpu-reports version is not ``version``, the batch's: its reports would not be the ones
    the batch plans. Called in the worker's main thread (a plugin's ``setup``)."""
    from bpu_reports import __version__

    if __version__ != version:
        raise ExecutorError(
            f"Dask worker {address} runs bpu-reports {__version__}, the batch {version}: "
            "install the same version on every worker and restart it"
        )
    _ready()


@functools.cache
def _report_worker() -> type:
    """The Dask ``WorkerPlugin`` that runs ``worker_ready`` on every worker, those that join
    later included; a class made on first use, so distributed is imported only by Dask
    batches."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class ReportWorker(WorkerPlugin):
        name = "bpu-reports"
        idempotent = False  # set up again by every batch: the version check is per batch

        def __init__(self, version: str):
            self.version = version

        def setup(self, worker: Any) -> None:
            worker_ready(self.version, worker.address)

    return ReportWorker


Lost = Callable[[tuple[Any, ...], BaseException], Any]
"""What ``run_dask`` yields for a call whose task returned nothing (the call's arguments and
the error), typically a failed result of the same shape as ``fn``'s."""


def run_dask(
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    workers: int,
    scheduler: str | None,
    connect_timeout: float = 10.0,
    lost: Lost | None = None,
) -> Iterator[Any]:
    """Run on a Dask cluster: ``scheduler`` (``tcp://host:8786``), or a ``LocalCluster`` of
    ``workers`` single-threaded worker processes. Workers must see the same files (notebooks,
    the output folder, a warehouse a notebook opens) under the same paths, and run the same
    bpu-reports version (``worker_ready`` refuses the batch otherwise).

    A task whose worker died while running it is retried by the scheduler on another worker
    (``distributed.scheduler.allowed-failures``, 3 by default); when that is used up, or a task
    fails outside ``fn`` (it could not be unpickled on the worker, say), ``lost(call,
    error)`` is yielded in its place: by default, for ``job.run_job``, ``job.lost`` (a failed
    report, the others go on); for any other ``fn`` the error is raised."""
    from dask.distributed import Client, LocalCluster, as_completed

    from bpu_reports import __version__
    from bpu_reports.run import job

    check_workers(workers)
    if not calls:
        return
    if lost is None and fn is job.run_job:
        lost = job.lost
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
            # the scheduler serves HTTP (health, metrics) even without a dashboard: on a free
            # local port, not 8787, which another cluster on this machine may hold
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",
            )
            client = Client(cluster, set_as_default=False)
        with client:
            try:
                client.register_plugin(_report_worker()(__version__))
            except ExecutorError:
                raise
            except Exception as exc:  # a worker could not import or start what reports need
                raise ExecutorError(
                    f"a Dask worker could not get ready for reports: {type(exc).__name__}: {exc}"
                ) from exc
            futures = {client.submit(fn, *args, pure=False): args for args in calls}
            for future in as_completed(futures, loop=client.loop):
                try:
                    result = future.result()
                except Exception as exc:
                    if lost is None:
                        raise
                    result = lost(futures[future], exc)
                yield result
    finally:
        if cluster is not None:
            cluster.close()
