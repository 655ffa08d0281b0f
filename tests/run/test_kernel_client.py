"""A batch kernel is known ready, and known dead, from the kernel's own messages and the
fork server's reply: no poll interval or silence is waited out (``run.kernels``)."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
import zmq
from jupyter_client.kernelspec import NATIVE_KERNEL_NAME

from bpu_reports.run import kernels

pytestmark = pytest.mark.slow
EXTRA = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]


@pytest.fixture(autouse=True)
def fork_kernels(monkeypatch):
    monkeypatch.setenv("BPU_REPORTS_FORK_KERNELS", "1")


def test_the_client_is_ready_at_the_idle_status_of_its_request():
    async def session() -> dict[str, Any]:
        km = kernels.ForkKernelManager(kernel_name=NATIVE_KERNEL_NAME)
        await km.start_kernel(extra_arguments=EXTRA)
        client = km.client()
        assert isinstance(client, kernels.ReadyClient)
        client.start_channels()
        requests: list[str] = []
        iopub: list[Any] = []  # each IOPub read: the message, or Empty when it timed out
        ask, read = client.kernel_info, client.iopub_channel.get_msg

        def kernel_info() -> str:
            requests.append(ask())
            return requests[-1]

        async def get_msg(timeout: float | None = None) -> Any:
            try:
                iopub.append(await read(timeout=timeout))
            except Empty:
                iopub.append(Empty)
                raise
            return iopub[-1]

        client.kernel_info = kernel_info  # type: ignore[method-assign]
        client.iopub_channel.get_msg = get_msg  # type: ignore[method-assign]
        try:
            await client.wait_for_ready(timeout=30)
            left = await client.iopub_channel.socket.poll(timeout=100)  # anything unread?
            reconnect = client.shell_channel.socket.getsockopt(zmq.RECONNECT_IVL)
            client.execute("print('ready')")
            outputs = []
            while True:
                msg = await read(timeout=30)
                if msg["msg_type"] == "stream":
                    outputs.append(msg["content"]["text"])
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
        finally:
            client.stop_channels()
            await km.shutdown_kernel(now=True)
        return {"requests": requests, "iopub": iopub, "left": left, "reconnect": reconnect,
                "outputs": outputs}  # fmt: skip

    seen = asyncio.run(session())
    last = seen["iopub"][-1]
    # the wait ended on the last request's own idle status, not on a timeout
    assert last is not Empty
    assert last["msg_type"] == "status"
    assert last["content"]["execution_state"] == "idle"
    assert last["parent_header"]["msg_id"] == seen["requests"][-1]
    # a request is sent again only after IOPub fell silent (not subscribed yet), once each
    assert seen["iopub"].count(Empty) == len(seen["requests"]) - 1
    assert seen["left"] == 0  # IOPub was read to the end: nothing of start-up is left over
    assert seen["reconnect"] == kernels.ReadyClient.RECONNECT_MS
    assert seen["outputs"] == ["ready\n"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server is Linux's")
def test_a_killed_kernel_is_dead_when_the_server_replies():
    """jupyter_client polls a killed kernel every 0,1 s until it is gone; the server reaps it
    before replying (a server that reaps only when asked leaves a zombie in /proc), so the
    first poll already says how it ended."""

    async def killed() -> tuple[bool, int | None, int]:
        km = kernels.ForkKernelManager(kernel_name=NATIVE_KERNEL_NAME)
        await km.start_kernel(extra_arguments=EXTRA)
        process = km.provisioner.process  # type: ignore[union-attr]
        assert isinstance(process, kernels.ForkedProcess)
        client = km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=30)
            process.kill()
            gone = not Path(f"/proc/{process.pid}").exists()
            first = process.poll()
        finally:
            client.stop_channels()
            await km.shutdown_kernel(now=True)
        return gone, first, process.wait(5)

    gone, first, final = asyncio.run(killed())
    assert gone
    assert first == -signal.SIGKILL
    assert final == -signal.SIGKILL
