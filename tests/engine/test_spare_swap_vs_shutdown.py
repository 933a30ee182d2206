"""Shutdown while a restart is taking the spare kernel: the spare is shut down, not swapped in.

The restart asks the spare whether it is alive before it swaps it in; a
shutdown that comes in that moment used to find nothing to stop, and the
restart then swapped the spare into a session already stopped (a kernel left
running). A gate holds the spare's answer (no timers, no real kernel).
"""

from __future__ import annotations

import asyncio

from nnlearn.kernel.session import KernelSession
from nnlearn.kernel.spare import SpareKernel


class HeldSpare:
    """A warm spare whose liveness check waits at a gate."""

    def __init__(self) -> None:
        self.info = object()
        self._km = self._kc = self._log = self._workdir = None
        self.reached, self.gate = asyncio.Event(), asyncio.Event()
        self.shut = False

    async def is_alive(self) -> bool:
        self.reached.set()
        await self.gate.wait()
        return not self.shut

    async def shutdown(self) -> None:
        self.shut = True


def never_made() -> KernelSession:
    raise AssertionError("no new spare is launched in this test")


async def test_shutdown_while_the_spare_is_taken_shuts_the_spare_down():
    session = KernelSession()
    pool = SpareKernel(never_made)
    spare = HeldSpare()
    pool._spare = spare  # type: ignore[assignment]
    session.spare = pool
    session.state = "idle"

    restart = asyncio.ensure_future(session.restart())
    await spare.reached.wait()
    await session.shutdown()
    spare.gate.set()
    await asyncio.wait([restart])

    assert restart.exception() is None
    assert spare.shut, "the spare taken for the restart is shut down with the session"
    assert session.state == "stopped" and session.info is None
