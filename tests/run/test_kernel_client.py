"""A batch kernel is known ready, and known dead, from the kernel's own messages and the
fork server's reply: no poll interval or silence is waited out (``run.kernels``). Its exit
status is the real one, as a ``Popen``'s."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
import zmq
from jupyter_client.kernelspec import NATIVE_KERNEL_NAME

from bpu_reports.run import kernels

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not kernels.enabled(), reason="the fork server is Linux's"),
]
EXTRA = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]


@pytest.fixture(autouse=True)
def fork_kernels(monkeypatch):
    monkeypatch.setenv("BPU_REPORTS_FORK_KERNELS", "1")


@contextlib.asynccontextmanager
async def forked_kernel(
    before_ready: Callable[[kernels.ReadyClient], None] = lambda client: None,
) -> AsyncIterator[tuple[kernels.ReadyClient, kernels.ForkedProcess]]:
    """A kernel forked by the server, its client ready (``before_ready`` sees the client
    first); shut down at the end."""
    km = kernels.ForkKernelManager(kernel_name=NATIVE_KERNEL_NAME)
    await km.start_kernel(extra_arguments=EXTRA)
    process = km.provisioner.process  # type: ignore[union-attr]
    assert isinstance(process, kernels.ForkedProcess)
    client = km.client()
    assert isinstance(client, kernels.ReadyClient)
    client.start_channels()
    try:
        before_ready(client)
        await client.wait_for_ready(timeout=30)
        yield client, process
    finally:
        client.stop_channels()
        await km.shutdown_kernel(now=True)


def test_the_client_is_ready_at_the_idle_status_of_its_request():
    requests: list[str] = []
    iopub: list[Any] = []  # each IOPub read: the message, or Empty when it timed out

    def record(client: kernels.ReadyClient) -> None:
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
        client.iopub_channel.get_msg = get_msg

    async def session() -> dict[str, Any]:
        async with forked_kernel(record) as (client, _):
            waited = list(iopub)  # the wait's own reads
            left = await client.iopub_channel.socket.poll(timeout=100)  # anything unread?
            reconnect = client.shell_channel.socket.getsockopt(zmq.RECONNECT_IVL)
            client.execute("print('ready')")
            outputs = []
            while True:
                msg = await client.iopub_channel.get_msg(timeout=30)
                if msg["msg_type"] == "stream":
                    outputs.append(msg["content"]["text"])
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
        return {"waited": waited, "left": left, "reconnect": reconnect, "outputs": outputs}

    seen = asyncio.run(session())
    last_wait = seen["waited"]
    # the wait ended on the last request's own idle status, not on a timeout
    assert last_wait[-1] is not Empty
    assert last_wait[-1]["msg_type"] == "status"
    assert last_wait[-1]["content"]["execution_state"] == "idle"
    assert last_wait[-1]["parent_header"]["msg_id"] == requests[-1]
    # a request is sent again only after IOPub fell silent (not subscribed yet), once each
    assert last_wait.count(Empty) == len(requests) - 1
    assert seen["left"] == 0  # IOPub was read to the end: nothing of start-up is left over
    assert seen["reconnect"] == kernels.ReadyClient.RECONNECT_MS
    assert seen["outputs"] == ["ready\n"]


def test_a_killed_kernel_is_dead_when_the_server_replies():
    """jupyter_client polls a killed kernel every 0,1 s until it is gone; the server reaps it
    before replying (a server that reaps only when asked leaves a zombie in /proc), so the
    first poll already says how it ended."""

    async def killed() -> tuple[bool, int | None, int]:
        async with forked_kernel() as (_, process):
            process.kill()
            gone = not Path(f"/proc/{process.pid}").exists()
            first = process.poll()
        return gone, first, process.wait(5)

    gone, first, final = asyncio.run(killed())
    assert gone
    assert first == -signal.SIGKILL
    assert final == -signal.SIGKILL


def test_a_forked_kernel_reports_its_real_exit_status():
    """The kernel is the server's child; its exit status (or the signal that ended it) is
    what the kernel manager sees, as with a Popen."""

    async def status(code: str | None) -> int | None:
        async with forked_kernel() as (client, process):
            if code is None:
                process.kill()
            else:
                client.execute(code)
            return await asyncio.to_thread(process.wait, 30)

    assert asyncio.run(status("import os; os._exit(3)")) == 3
    assert asyncio.run(status(None)) == -9
