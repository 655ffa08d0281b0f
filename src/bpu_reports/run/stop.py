"""Clean stops under a scheduler. systemd and cron end a job with SIGTERM, a person at a
terminal with Ctrl-C (SIGINT); either ends a batch the same way:

1. no more work is handed out, and every process the batch started — workers, their kernel
   servers and kernels, a local Dask cluster — is frozen (so none can start another) and
   killed; reports are published atomically, so one cut short leaves no file behind;
2. what finished is already in the manifest; the batch sweeps its temporary files, removes
   its work folder and rewrites the portal;
3. one line, ``interrupted: N done, M not run; run again to finish``, and the shell's exit
   code for the signal (130 for SIGINT, 143 for SIGTERM). The next run does what is left.

Workers run in their own process group (Ctrl-C at a terminal reaches the batch only, which
then ends them) and die with the batch even when it is killed outright (``kill -9``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
from collections.abc import Callable, Iterator
from multiprocessing import resource_tracker
from types import FrameType
from typing import ParamSpec, TypeVar

import psutil

from bpu_reports.errors import Interrupted
from bpu_reports.run.forkserver import die_with_parent

SIGNALS = (signal.SIGTERM, signal.SIGINT)
P = ParamSpec("P")
R = TypeVar("R")


_received: list[int] = []
"""The signal of a stop in progress in this process (main thread), while it lasts."""


def requested() -> int | None:
    """The signal that is stopping this process, if one is: what failed after it (a kernel the
    stop killed, say) failed because of the stop, not on its own."""
    return _received[-1] if _received else None


@contextlib.contextmanager
def on_signals() -> Iterator[None]:
    """Within: SIGTERM or SIGINT ends every process started since entering and raises
    ``Interrupted`` in the main thread. A second signal while the batch cleans up is ignored
    (the cleanup takes a second); the previous handlers are back on exit. Outside the main
    thread (where Python cannot install handlers) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # multiprocessing's resource tracker (one per process, started on first use) outlives
    # the batch's workers: started now, it is spared
    resource_tracker.ensure_running()
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}

    def stop(signum: int, frame: FrameType | None) -> None:
        for other in SIGNALS:
            signal.signal(other, signal.SIG_IGN)
        _received.append(signum)
        end_processes(spare=before)
        raise Interrupted(signum)

    for signum in SIGNALS:
        signal.signal(signum, stop)
    try:
        yield
    except Interrupted:
        raise
    except Exception as exc:
        # the handler's Interrupted can be swallowed by the code it lands in (an event loop),
        # which then fails on the processes the stop ended: that failure is the stop
        stopping = requested()
        if stopping is None:
            raise
        raise Interrupted(stopping) from exc
    finally:
        _received.clear()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def stoppable(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` run within ``on_signals()``."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with on_signals():
            return fn(*args, **kwargs)

    return wrapper


def end_processes(spare: set[int] | None = None) -> int:
    """Kill every descendant of this process but those in ``spare``: all are stopped first,
    round after round until none is left running (a stopped process cannot fork), then
    killed. Our own children are left for their owners (the process pool) to reap. Returns
    how many were killed."""
    me = psutil.Process()
    seen = set(spare or ())
    frozen: list[psutil.Process] = []
    while True:
        found = [p for p in me.children(recursive=True) if p.pid not in seen]
        if not found:
            break
        for process in found:
            seen.add(process.pid)  # a zombie cannot be stopped: it is not tried twice
            with contextlib.suppress(psutil.Error):
                process.suspend()
                frozen.append(process)
    for process in frozen:
        with contextlib.suppress(psutil.Error):
            process.kill()
    return len(frozen)


def worker_started() -> None:
    """In a worker process, first thing: its own process group (Ctrl-C at the terminal goes
    to the batch, which ends the worker), and death with the batch (Linux)."""
    os.setpgrp()
    die_with_parent()
