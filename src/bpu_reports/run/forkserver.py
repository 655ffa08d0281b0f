"""A kernel fork server: one long-lived process per batch worker that has already imported
ipykernel and the report helpers, and forks a fresh kernel process for each report.

Each report still runs in a new, clean kernel process (nothing of a previous report's
namespace exists in it), but the kernel skips interpreter start-up and ~1 s of imports.
Started with ``python -m bpu_reports.run.forkserver``; requests and replies are JSON lines on
its stdin/stdout. The server has no threads when it forks.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "tornado.platform.asyncio",
    "matplotlib_inline.backend_inline",
    "bpu_reports.report",
    "bpu_reports.report.charts",
)


def _die_with_parent() -> None:
    """Linux: get SIGKILL when the parent dies, so no kernel outlives its batch."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _reap(_signum: int, _frame: Any) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _become_kernel(request: dict[str, Any], replies: Any) -> None:
    """In the forked child: turn into an ipykernel with the given connection file."""
    code = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        replies.close()
        _die_with_parent()
        os.environ.clear()
        os.environ.update(request["env"])
        if request.get("cwd"):
            os.chdir(request["cwd"])
        from ipykernel.kernelapp import IPKernelApp

        argv = list(request["argv"])
        sys.argv = ["ipykernel_launcher", *argv]
        IPKernelApp.launch_instance(argv=argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # the kernel could not start: the manager sees it die
        code = 1
    finally:
        os._exit(code)


def serve() -> None:
    _die_with_parent()
    for name in PRELOAD:
        __import__(name)
    signal.signal(signal.SIGCHLD, _reap)
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    # the kernels must not write into the reply channel
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    replies.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _become_kernel(request, replies)
        replies.write(json.dumps({"pid": pid}) + "\n")


if __name__ == "__main__":
    serve()
