"""Attaching to a kernel that runs elsewhere, through its connection file."""

from __future__ import annotations

import asyncio

import pytest
from jupyter_client.manager import AsyncKernelManager
from kernel_helpers import collect, only

from nnlearn.kernel.events import Params, RunError, Stream
from nnlearn.kernel.kernel_command import kernel_env
from nnlearn.kernel.session import KernelError, KernelSession

pytestmark = pytest.mark.kernel


@pytest.fixture
async def outside_kernel(tmp_path):
    """A kernel nnlearn did not start, as on a GPU box."""
    km = AsyncKernelManager(connection_file=str(tmp_path / "kernel.json"))
    km.kernel_name = "python3"
    await km.start_kernel(env=kernel_env(), extra_arguments=[])
    yield km
    await km.shutdown_kernel(now=True)


async def test_attached_session_runs_and_interrupts(outside_kernel):
    session = KernelSession(connection_file=outside_kernel.connection_file, interrupt_grace=5)
    info = await session.start()
    assert info.devices[0].name == "cpu"
    events = await collect(
        session, "import torch\nmodel = torch.nn.Linear(3, 1)\nprint('remote')\n", device="cpu"
    )
    assert only(events, Stream)[0].text == "remote\n"
    assert only(events, Params)[0].total == 4

    async def consume():
        return [e async for e in session.run("import time\nwhile True: time.sleep(0.01)\n")]

    task = asyncio.ensure_future(consume())
    await asyncio.sleep(1.0)
    await session.interrupt()
    events = await asyncio.wait_for(task, 60)
    assert only(events, RunError)[0].type == "KeyboardInterrupt"
    assert events[-1].interrupted
    with pytest.raises(KernelError, match="restart it on that machine"):
        await session.restart()
    await session.shutdown()
    assert await outside_kernel.is_alive(), "detaching must not stop a kernel we do not own"


async def test_missing_connection_file_says_what_to_do(tmp_path):
    session = KernelSession(connection_file=tmp_path / "nope.json")
    with pytest.raises(KernelError, match="No kernel connection file"):
        await session.start()
    assert session.state == "dead"
