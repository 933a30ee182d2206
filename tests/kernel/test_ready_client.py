"""ReadyClient: ready without jupyter_client's iopub drain, and a kernel that dies is reported."""

from __future__ import annotations

import subprocess
import sys

import pytest
from jupyter_client.kernelspec import KernelSpec

from nnlearn.kernel.kernel_command import kernel_env
from nnlearn.kernel.manager import NnlearnKernelManager
from nnlearn.kernel.ready_client import ReadyClient

pytestmark = pytest.mark.kernel


class ExitingKernelManager(NnlearnKernelManager):
    @property
    def kernel_spec(self) -> KernelSpec:
        argv = [sys.executable, "-c", "import sys; sys.exit(3)", "-f", "{connection_file}"]
        return KernelSpec(argv=argv, display_name="exits", language="python")


async def start(manager, tmp_path):
    manager.ip = str(tmp_path / "kernel")
    await manager.start_kernel(env=kernel_env(), stdout=subprocess.DEVNULL)
    client = manager.client()
    client.start_channels()
    return client


async def test_our_kernels_use_it_and_the_first_execute_is_answered(tmp_path):
    manager = NnlearnKernelManager(transport="ipc")
    client = await start(manager, tmp_path)
    try:
        assert isinstance(client, ReadyClient)
        await client.wait_for_ready(timeout=120)
        reply = await client.execute_interactive("print(6 * 7)", timeout=60)
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


async def test_a_kernel_that_exits_is_reported_not_waited_for(tmp_path):
    manager = ExitingKernelManager(transport="ipc")
    client = await start(manager, tmp_path)
    try:
        with pytest.raises(RuntimeError, match="died before replying"):
            await client.wait_for_ready(timeout=120)
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
