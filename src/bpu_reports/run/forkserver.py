"""A kernel fork server: one long-lived process per batch worker that has already imported
ipykernel and the report helpers, and forks a fresh kernel process for each report (Linux).

What a caller may rely on: a forked kernel is a new process (nothing of an earlier report
exists in it; the server never runs notebook code) and it starts in the state an ordinary
``python -m ipykernel_launcher`` kernel has after importing the same modules: same
``sys.argv``, ``sys.path``, environment, working directory, own session and process group,
stdin a pipe at end of file, stdout/stderr inherited from the worker, warnings filters in the
same order, and matplotlib's rc settings and backend chosen as if matplotlib had been imported
after the kernel started (so the inline backend, and figures in the notebook, as in
JupyterLab). ``tests/run/test_kernel_parity.py`` checks this against a plain kernel.

Known differences, which no notebook output depends on: the string hash seed is the
server's, ``/proc/PID/cmdline`` shows the server's command, and modules imported by the server
read the environment when the server started (the worker's, which the kernel also gets).

Started as ``python .../forkserver.py REPLY_FD`` (a file, not ``-m``, so no package module of
ours is imported beyond the preload). Requests are JSON lines on stdin, replies JSON lines on
``REPLY_FD``:

- ``{"op": "fork", "cmd": [...], "cwd": ..., "env": {...}}`` → ``{"pid": N}``
- ``{"op": "poll", "pid": N}`` → ``{"status": null | exit status}`` (``-SIG`` if signalled,
  as ``Popen.returncode``)
- ``{"op": "signal", "pid": N, "signum": S}`` → ``{"sent": bool}`` (to the kernel's process
  group; never to a pid the server has already reaped, so never to a reused pid); after
  SIGKILL the reply waits until the kernel is dead (up to ``KILL_WAIT``)

The server reaps its children only while answering a request, so a pid it has not reported
dead still belongs to its kernel. It exits at the end of its input; its kernels get SIGKILL
when it dies.
"""

from __future__ import annotations

import atexit
import gc
import importlib.util
import json
import os
import signal
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

# What an ordinary kernel imports while it starts (``python -m`` imports runpy) ...
KERNEL_MODULES = (
    "runpy",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "tornado.platform.asyncio",
)
# ... then what report notebooks import first. Nothing here may choose a matplotlib backend
# or start a thread (checked at start-up).
REPORT_MODULES = ("bpu_reports.report", "bpu_reports.report.book")
"""What a report notebook's ``from bpu_reports.report import open_report`` loads (the
package itself loads ``open_report`` on first use)."""
PRELOAD = KERNEL_MODULES + REPORT_MODULES
INLINE = "module://matplotlib_inline.backend_inline"


class Preloaded:
    """What the preload changed in the server's process state, to be replayed in a kernel at
    the point an ordinary kernel would import those modules itself: the kernel modules while
    it starts, the report modules after it has started."""

    def __init__(self) -> None:
        self.environ = dict(os.environ)
        self.path = list(sys.path)
        for name in KERNEL_MODULES:
            __import__(name)
        # the report modules' filters are put back in front of what start-up adds
        self.filters = list(warnings.filters)
        for name in REPORT_MODULES:
            __import__(name)
        env_after = dict(os.environ)
        self.env_set = {k: v for k, v in env_after.items() if self.environ.get(k) != v}
        self.env_unset = [k for k in self.environ if k not in env_after]
        self.filters_before, self.filters_after = _split(self.filters, list(warnings.filters))
        self.rc_delta = _rc_delta()
        import threading

        if threading.active_count() != 1:
            raise RuntimeError("the preload started a thread: forking would be unsafe")


def _split(before: list[Any], after: list[Any]) -> tuple[list[Any], list[Any]]:
    """The filters the preload put in front of and behind the original ones."""
    for i in range(len(after) - len(before) + 1):
        if after[i : i + len(before)] == before:
            return after[:i], after[i + len(before) :]
    return after, []  # reordered beyond recognition: keep the preload's list as it is


def _fresh_rc() -> Any:
    """rcParams as ``import matplotlib`` computes them in this process's environment and
    working directory (matplotlib/__init__.py: defaults, the matplotlibrc file, MPLBACKEND)."""
    import matplotlib as mpl

    fresh = mpl.RcParams()
    fresh._update_raw(mpl.rcParamsDefault)
    fresh._update_raw(mpl._rc_params_in_file(mpl.matplotlib_fname()))  # type: ignore[attr-defined]
    return fresh


def _rc_delta() -> dict[str, Any]:
    """rc settings a preloaded module changed at import (none today; replayed if any)."""
    mpl = sys.modules.get("matplotlib")
    if mpl is None:
        return {}
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and pyplot._backend_mod is not None:
        raise RuntimeError("the preload chose a matplotlib backend")
    fresh = _fresh_rc()
    return {
        k: v
        for k in mpl.rcParams
        if k != "backend" and (v := dict.__getitem__(mpl.rcParams, k)) != fresh.get(k)
    }


def _matplotlib_as_if_imported_now(preloaded: Preloaded) -> None:
    """Redo what ``import matplotlib`` did in the server, now, in the kernel's environment and
    working directory — after ipykernel has set MPLBACKEND to the inline backend, as it does
    before an ordinary kernel's notebook imports matplotlib. Updated in place: pyplot and
    others hold references to these dicts."""
    mpl = sys.modules.get("matplotlib")
    if mpl is None:
        return
    fresh = _fresh_rc()
    for params in (mpl.rcParams, mpl.rcParamsOrig):
        dict.clear(params)
        params._update_raw(fresh)
    if os.environ.get("MPLBACKEND"):
        mpl.rcParams["backend"] = os.environ["MPLBACKEND"]
    mpl.rcParams._update_raw(preloaded.rc_delta)


def _set_filters(filters: list[Any]) -> None:
    warnings.filters[:] = filters  # type: ignore[index]  # a list at run time
    warnings._filters_mutated()  # type: ignore[attr-defined]  # forget warnings already shown


def die_with_parent() -> None:
    """Get SIGKILL when the parent dies, so no kernel outlives its batch (Linux prctl)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _become_kernel(request: dict[str, Any], preloaded: Preloaded, channels: list[int]) -> None:
    """In the forked child: become what ``cmd`` (``python -m ipykernel_launcher ...``) would
    have started, then run the kernel; never returns."""
    code = 0
    try:
        os.setsid()  # as jupyter_client's launcher: interrupts reach the kernel's process group
        die_with_parent()
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as a new interpreter has
        for fd in channels:
            os.close(fd)
        # stdin: as the launcher leaves it, a pipe whose writer is closed (not our requests)
        read, write = os.pipe()
        os.close(write)
        os.dup2(read, 0)
        os.close(read)
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        if request.get("cwd"):
            os.chdir(request["cwd"])
        # what the preload's imports set in the environment (debugpy's PYDEVD_* flags), as
        # the same imports do while an ordinary kernel starts
        os.environ.update(preloaded.env_set)
        for key in preloaded.env_unset:
            os.environ.pop(key, None)
        # warnings filters as before the report modules: theirs are put back after start-up
        _set_filters(preloaded.filters)
        sys.path[:] = preloaded.path
        cmd = request["cmd"]
        launcher = importlib.util.find_spec("ipykernel_launcher")
        sys.argv = [str(launcher.origin if launcher else "ipykernel_launcher"), *cmd[3:]]
        sys.orig_argv = list(cmd)
        if "numpy" in sys.modules:  # numpy's global generator was seeded once, in the server
            sys.modules["numpy"].random.seed()

        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        # a class default read from the environment when the server imported ipykernel
        app.parent_handle = int(os.environ.get("JPY_PARENT_PID") or 0)
        app.initialize(sys.argv[1:])
        _set_filters(preloaded.filters_before + list(warnings.filters) + preloaded.filters_after)
        _matplotlib_as_if_imported_now(preloaded)
        app.start()
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # as the interpreter does: traceback on stderr, status 1
        traceback.print_exc()
        code = 1
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


KILL_WAIT = 1.0
"""Seconds the server waits for a kernel it sent SIGKILL to: dying takes it a millisecond or
two; a kernel stuck in the kernel (a hung file system) is left to a later poll."""


class Children:
    """The server's kernels: alive until reaped; exit statuses kept once reaped."""

    def __init__(self) -> None:
        self.status: dict[int, int] = {}

    def reap(self) -> None:
        while True:
            try:
                pid, raw = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.status[pid] = os.waitstatus_to_exitcode(raw)

    def poll(self, pid: int) -> int | None:
        self.reap()
        return self.status.get(pid)

    def signal(self, pid: int, signum: int) -> bool:
        if self.poll(pid) is not None:
            return False
        try:  # not reaped, so ``pid`` is still our kernel (alive or a zombie)
            os.killpg(pid, signum)
        except OSError:
            try:
                os.kill(pid, signum)  # the kernel has not called setsid yet
            except OSError:
                return False
        if signum == signal.SIGKILL:
            self.wait(pid, KILL_WAIT)
        return True

    def wait(self, pid: int, seconds: float) -> None:
        """Reap ``pid`` if it ends within ``seconds``: a kernel shut down is killed, and
        jupyter_client polls it every 0,1 s until dead; reaped here, the first poll says so."""
        end = time.monotonic() + seconds
        while self.poll(pid) is None and time.monotonic() < end:
            time.sleep(0.001)


def serve(reply_fd: int) -> None:
    die_with_parent()
    # Ctrl-C at a terminal is for the batch, which ends the server by closing its input
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # as ipykernel_launcher: the working directory (here: the script's folder) is not on the
    # path while modules load; the kernel's init_path puts '' back
    if sys.path and Path(sys.path[0]) == Path(__file__).parent:
        del sys.path[0]
    preloaded = Preloaded()
    # What the preload made lives as long as every kernel: out of the collector's sight, a
    # kernel's collections do not walk the 150 000 objects of its imports again and again
    # (a report's charts: 0,44 → 0,31 s), nor write to the pages it shares with the server.
    gc.freeze()
    replies = os.fdopen(reply_fd, "w", buffering=1)
    channels = [reply_fd]  # stdin (the requests) is replaced in the kernel
    children = Children()
    replies.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        op = request.get("op")
        reply: dict[str, Any]
        if op == "fork":
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _become_kernel(request, preloaded, channels)
            reply = {"pid": pid}
        elif op == "poll":
            reply = {"status": children.poll(int(request["pid"]))}
        elif op == "signal":
            reply = {"sent": children.signal(int(request["pid"]), int(request["signum"]))}
        else:
            reply = {"error": f"unknown op {op!r}"}
        replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    serve(int(sys.argv[1]))
