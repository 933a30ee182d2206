"""Shutdown and restart at once, with fakes in place of kernels: the shutdown has the last word.

* The restart asks the spare whether it is alive before it swaps it in; a
  shutdown that came in that moment found nothing to stop, and the restart then
  swapped the spare into a session already stopped (a kernel left running).
* A restart asked for while the shutdown stops the kernel restarted that very
  kernel, as it was being stopped.

Gates hold each side at the point in question (no timers, no real kernel).
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


class HeldManager:
    """A kernel manager whose shutdown waits at a gate; it records what is asked of it."""

    def __init__(self) -> None:
        self.reached, self.gate = asyncio.Event(), asyncio.Event()
        self.asked: list[str] = []

    async def shutdown_kernel(self, now: bool = False) -> None:
        self.asked.append("shutdown")
        self.reached.set()
        await self.gate.wait()

    async def restart_kernel(self, now: bool = False) -> None:
        self.asked.append("restart")


async def test_a_restart_asked_for_while_the_kernel_is_stopped_does_nothing():
    session = KernelSession()
    manager = HeldManager()
    session._km = manager  # type: ignore[assignment]
    session.state = "idle"

    shutdown = asyncio.ensure_future(session.shutdown())
    await manager.reached.wait()
    await session.restart()  # F8 while the app quits
    manager.gate.set()
    await shutdown

    assert manager.asked == ["shutdown"], "the kernel being stopped is not restarted"
    assert session.state == "stopped" and session._km is None
