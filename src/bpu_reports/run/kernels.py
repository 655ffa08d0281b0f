"""Kernel managers for batch runs: each report gets a new kernel process forked from a
warmed-up server (``forkserver``) instead of a new interpreter that imports everything again.

``ForkKernelManager`` is an nbclient/papermill ``kernel_manager_class``. Its provisioner asks
the worker's fork server for the kernel process when the kernel spec would start this very
interpreter with ``-m ipykernel_launcher``; the server reports the kernel's real exit status
and delivers its signals (to the kernel's process group, as jupyter_client does). Any other
kernel spec, a platform other than Linux, a server that cannot start, or
``BPU_REPORTS_FORK_KERNELS=0``: the kernel is launched the ordinary way.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from queue import Empty
from typing import IO, Any

import zmq
import zmq.asyncio
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import DottedObjectName, Type, default

from bpu_reports.run import forkserver

_lock = threading.Lock()


class _Server:
    """One fork server process and its two channels (requests on stdin, replies on a pipe of
    their own, so the kernels keep the worker's stdout and stderr like ordinary kernels)."""

    def __init__(self) -> None:
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, forkserver.__file__, str(write)],
                stdin=subprocess.PIPE,
                pass_fds=(write,),
                text=True,
                bufsize=1,
                # debugpy (imported by ipykernel) warns about frozen modules on stderr
                env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
            )
        finally:
            os.close(write)
        self.replies: IO[str] = os.fdopen(read, "r")
        ready = self.replies.readline()
        if not ready.startswith('{"ready"'):
            self.close()
            raise OSError("the kernel fork server did not start")

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        line = self.replies.readline()
        if not line:
            raise OSError("the kernel fork server has gone")
        return dict(json.loads(line))

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """Close the request channel (the server exits at end of input) and reap it."""
        try:
            if self.process.stdin:
                self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            self.replies.close()


_server: _Server | None = None


def enabled() -> bool:
    """Forking is on (Linux only: it relies on fork without exec and on prctl)."""
    return os.environ.get("BPU_REPORTS_FORK_KERNELS", "1") != "0" and sys.platform.startswith(
        "linux"
    )


def _fork_server() -> _Server:
    global _server
    if _server is None or not _server.alive():
        _server = _Server()
    return _server


def start_server() -> None:
    """Start this process's fork server now, before its first report (a Dask worker does
    when it joins a batch); later kernels of the process are forked from it."""
    _fork_server()


@atexit.register
def _stop_fork_server() -> None:
    global _server
    server, _server = _server, None
    if server is not None:
        server.close()


def _ask(server: _Server, request: dict[str, Any]) -> dict[str, Any]:
    with _lock:
        return server.ask(request)


def forkable(cmd: list[str]) -> bool:
    """``cmd`` starts an ordinary ipykernel in this interpreter: what the server can fork."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return False
    try:
        return os.path.samefile(cmd[0], sys.executable)
    except OSError:
        return False


def fork_kernel(cmd: list[str], cwd: str | None, env: dict[str, str]) -> ForkedProcess:
    """A new kernel process started as ``cmd`` would start it, forked from the server."""
    with _lock:
        server = _fork_server()
        reply = server.ask({"op": "fork", "cmd": cmd, "cwd": cwd, "env": env})
    return ForkedProcess(int(reply["pid"]), server)


class ForkedProcess:
    """What the provisioner needs of a ``Popen``, for a kernel that is the server's child:
    the server knows its exit status and signals it only while it is not reaped."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, server: _Server):
        self.pid = pid
        self.server = server
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                status = _ask(self.server, {"op": "poll", "pid": self.pid})["status"]
            except (OSError, ValueError):
                status = -signal.SIGKILL  # the server is gone: its kernels got SIGKILL
            if status is not None:
                self.returncode = int(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(OSError, ValueError):  # the server is gone, so is the kernel
                _ask(self.server, {"op": "signal", "pid": self.pid, "signum": int(signum)})

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        if not enabled() or not forkable(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        if not kwargs.get("independent"):
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher
        # an ordinary kernel inherits this process's working folder (papermill changes it to
        # the notebook's); the fork server's is wherever it happened to start
        cwd = kwargs.get("cwd") or os.getcwd()
        try:
            process = fork_kernel(cmd, cwd, env)
        except (OSError, ValueError):
            return await super().launch_kernel(cmd, **kwargs)
        self.process = process  # type: ignore[assignment]  # Popen-like
        self.pid = process.pid
        self.pgid = None  # signals go through the server, to the kernel's process group
        self.cwd = cwd
        return self.connection_info


class ReadyClient(AsyncKernelClient):
    """A kernel client that knows at once when its kernel is ready.

    Its sockets retry every :data:`RECONNECT_MS` until the kernel listens, and its
    ``wait_for_ready`` ends when the kernel is ready, not 0,2 s later.

    jupyter_client's waits for a ``kernel_info_reply`` and one IOPub message, then reads IOPub
    until it stays silent for 0,2 s: a fifth of a report's second spent waiting for nothing.
    This one ends at the ``idle`` status of its latest ``kernel_info_request`` on IOPub, the
    last message the kernel sends for it (as JupyterLab waits): everything the kernel sent
    before is read by then. Until IOPub is subscribed (ZMQ's late joiner) that status is lost,
    and the request is sent again, as jupyter_client does."""

    IOPUB_WAIT = 0.2
    """Seconds without IOPub messages after a ``kernel_info_reply`` after which the request
    is sent again (jupyter_client's figure)."""

    RECONNECT_MS = 10
    """How often the client's sockets try again to reach a kernel that is not listening yet.
    They connect as soon as the kernel is launched, before it binds its ports; at ZMQ's
    default of 100 ms, a kernel forked in 40 ms was reached 0,1–0,3 s later."""

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True  # closed with the client, as jupyter_client's own
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, self.RECONNECT_MS)  # for every socket it makes
        return context

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            latest = self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply" and await self._idle(latest):
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _idle(self, msg_id: str) -> bool:
        """Read IOPub up to the ``idle`` status of request ``msg_id``; False when IOPub falls
        silent first (not subscribed yet when the kernel sent it)."""
        while True:
            try:
                msg = await self.iopub_channel.get_msg(timeout=self.IOPUB_WAIT)
            except Empty:
                return False
            if (
                msg["msg_type"] == "status"
                and msg["parent_header"].get("msg_id") == msg_id
                and msg["content"].get("execution_state") == "idle"
            ):
                return True


class ForkKernelManager(AsyncKernelManager):
    client_class = DottedObjectName(f"{__name__}.ReadyClient", config=True)
    client_factory = Type(klass=ReadyClient, config=True)

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)
