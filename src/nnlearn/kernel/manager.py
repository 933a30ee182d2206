"""The kernel manager nnlearn's sessions use, and how a kernel's death is told.

Why a module of its own: ``KernelSession`` (``session.py``) is about one kernel
used for one Run at a time; what launches (or adopts) the process and names
its exit is jupyter_client's side of it, with the few changes nnlearn needs:
always this Python and our launcher whatever kernelspecs the user has, an early
launched kernel taken over (``early_kernel.py``), a faster wait for a killed
kernel, and a wait for a new kernel's IPC sockets before the client connects.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type

from nnlearn.kernel.early_kernel import EarlyKernel
from nnlearn.kernel.kernel_command import kernel_argv
from nnlearn.kernel.ready_client import ReadyClient

LISTEN_POLL_SECONDS = 0.005


class NnlearnKernelManager(AsyncKernelManager):
    """Always launches ipykernel with this Python, whatever kernelspecs the user has.

    ``torch_first``: the kernel imports torch before ipykernel starts
    (``kernel/launcher.py``). ``adopt``: the next start takes over a kernel process
    already launched (``early_kernel``) instead of launching one.
    """

    client_factory = Type(default_value=ReadyClient, klass=AsyncKernelClient)
    torch_first = False
    _adopting: EarlyKernel | None = None

    @property
    def kernel_spec(self) -> KernelSpec:
        return KernelSpec(
            argv=kernel_argv("{connection_file}", torch_first=self.torch_first),
            display_name="nnlearn",
            language="python",
        )

    def adopt(self, early: EarlyKernel) -> None:
        """Make the next ``start_kernel`` take over ``early``'s running process."""
        self.connection_file = str(early.connection_file)
        self.load_connection_file()
        # The kernel may be reading the file right now: jupyter_client must not rewrite it.
        self._connection_file_written = True
        self._adopting = early

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        early, self._adopting = self._adopting, None
        if early is None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        # What LocalProvisioner.launch_kernel records of a process it launched itself.
        provisioner: Any = self.provisioner
        provisioner.process = early.process
        provisioner.pid = early.process.pid
        with contextlib.suppress(OSError):
            provisioner.pgid = os.getpgid(early.process.pid)
        provisioner.cwd = early.cwd
        early.adopted = True
        self._reconcile_connection_info(provisioner.connection_info)

    async def until_listening(self, timeout: float) -> None:
        """Wait until the kernel has made its IPC sockets (or died, or took too long).

        A client socket connected before the kernel's exists retries only every 0.1 s:
        up to a tenth of a second lost on every start, once for the requests and once
        for iopub (our kernels import torch before they make their sockets).
        """
        if self.transport != "ipc":
            return
        sockets = [Path(f"{self.ip}-{port}") for port in (self.shell_port, self.iopub_port)]
        deadline = time.monotonic() + timeout
        while not all(socket.exists() for socket in sockets):
            if time.monotonic() > deadline or not await self.is_alive():
                return  # wait_for_ready says what went wrong
            await asyncio.sleep(LISTEN_POLL_SECONDS)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # jupyter_client polls a killed kernel every 0.1 s: a tenth of a second added to
        # every shutdown and restart, and to every ``nnlearn run``.
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))


def death_reason(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (often the out-of-memory killer)" if -code == signal.SIGKILL else ""
        return f"it was killed by {name}{hint}"
    return f"the process exited with code {code}"
