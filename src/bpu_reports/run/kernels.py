"""Kernel managers for batch runs: each report gets a new kernel process forked from a
warmed-up server (``forkserver``) instead of a new interpreter that imports everything again.

``ForkKernelManager`` is an nbclient/papermill ``kernel_manager_class``; its provisioner asks
the worker's fork server for the kernel process and manages it by pid (poll, signal, kill).
If the server cannot be started, kernels are launched the ordinary way.
Set ``BPU_REPORTS_FORK_KERNELS=0`` to always launch them the ordinary way.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

_lock = threading.Lock()
_server: subprocess.Popen[str] | None = None


def enabled() -> bool:
    return os.environ.get("BPU_REPORTS_FORK_KERNELS", "1") != "0" and hasattr(os, "fork")


def _fork_server() -> subprocess.Popen[str]:
    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen(
            [sys.executable, "-m", "bpu_reports.run.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            # debugpy (imported by ipykernel) warns about frozen modules on stderr
            env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
        )
        assert _server.stdout is not None
        ready = _server.stdout.readline()
        if not ready.startswith('{"ready"'):
            _server.kill()
            _server = None
            raise OSError("the kernel fork server did not start")
    return _server


@atexit.register
def _stop_fork_server() -> None:
    """Close the server's request channel (it exits at end of input) and reap it."""
    global _server
    server, _server = _server, None
    if server is None:
        return
    try:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        server.kill()
        server.wait()
    finally:
        if server.stdout:
            server.stdout.close()


def fork_kernel(argv: list[str], cwd: str | None, env: dict[str, str]) -> int:
    """A new kernel process (its pid) running ``ipykernel`` with ``argv``."""
    with _lock:
        server = _fork_server()
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(json.dumps({"argv": argv, "cwd": cwd, "env": env}) + "\n")
        reply = json.loads(server.stdout.readline())
    return int(reply["pid"])


class ForkedProcess:
    """What the provisioner needs of a ``Popen`` for a process that is not our child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
                state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                if state == "Z":
                    self.returncode = 0
            except (ProcessLookupError, FileNotFoundError):
                self.returncode = 0
            except (PermissionError, IndexError, OSError):
                pass
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
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        if not enabled() or "-f" not in cmd:
            return await super().launch_kernel(cmd, **kwargs)
        argv = cmd[cmd.index("-f") :]
        try:
            pid = fork_kernel(argv, kwargs.get("cwd"), dict(kwargs.get("env") or os.environ))
        except (OSError, ValueError):
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)  # type: ignore[assignment]  # Popen-like
        self.pid, self.pgid = pid, None
        self.cwd = kwargs.get("cwd", Path.cwd())
        return self.connection_info


class ForkKernelManager(AsyncKernelManager):
    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)
