"""The spare kernel: swapped in on restart, death and escalated interrupt; never handed out dead.

Each test waits (in bounded polls) for the spare to be warm, then checks by
process id that the kernel the learner gets next is that very spare, that a
replacement is warmed afterwards, and that no kernel touched CUDA.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator

import pytest
from kernel_helpers import collect, only

from nnlearn.kernel.events import KernelDied, KernelRestarted, KernelStatus, RunFinished, Stream
from nnlearn.kernel.session import KernelSession
from nnlearn.kernel.spare import SpareKernel

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

POLLS = 1200  # at 0.1 s each: far beyond a kernel start on a loaded machine
PID_AND_CUDA = "import os, torch\nprint(os.getpid(), torch.cuda.is_initialized())\n"


def pid_of(session: KernelSession) -> int:
    assert session._km is not None and session._km.provisioner is not None
    return int(session._km.provisioner.pid)  # type: ignore[attr-defined]


def spare_of(session: KernelSession) -> SpareKernel:
    assert session.spare is not None
    return session.spare


async def warm_spare_pid(session: KernelSession, not_pid: int | None = None) -> int:
    """Wait until the session's spare is warm (and is not ``not_pid``); its process id."""
    pool = spare_of(session)
    for _ in range(POLLS):
        spare = pool._spare
        if spare is not None and pid_of(spare) != not_pid:
            return pid_of(spare)
        await asyncio.sleep(0.1)
    raise AssertionError("no warm spare kernel appeared")


async def gone(pid: int) -> bool:
    for _ in range(POLLS):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        await asyncio.sleep(0.1)
    return False


async def pid_and_cuda(session: KernelSession) -> tuple[list, int, bool]:
    events = await collect(session, PID_AND_CUDA, device="cpu")
    assert isinstance(events[-1], RunFinished) and events[-1].ok, events
    pid, cuda = "".join(e.text for e in only(events, Stream)).split()
    return events, int(pid), cuda == "True"


@pytest.fixture
async def spared() -> AsyncIterator[KernelSession]:
    session = KernelSession(interrupt_grace=1.0, spare=True)
    await session.start()
    yield session
    await session.shutdown()


async def test_restart_swaps_in_the_warm_spare_and_warms_another(spared):
    first = pid_of(spared)
    spare_pid = await warm_spare_pid(spared)
    statuses: list[KernelStatus] = []
    spared.on_status = statuses.append

    await spared.restart()

    assert [s.state for s in statuses] == ["restarting", "idle"], "no new start, no warm-up"
    assert spared.info is not None and spared.info.devices[0].name == "cpu"
    _, pid, cuda_initialised = await pid_and_cuda(spared)
    assert pid == spare_pid != first
    assert not cuda_initialised, "a spare must not initialise CUDA before it is used"
    assert await gone(first), "the old kernel is shut down"
    replacement = await warm_spare_pid(spared, not_pid=spare_pid)
    assert replacement not in (first, spare_pid)


async def test_a_dead_kernel_is_replaced_by_the_spare(spared):
    spare_pid = await warm_spare_pid(spared)
    events = await collect(spared, "import os\nos._exit(3)\n", device="cpu")
    assert only(events, KernelDied) and spared.state == "dead"

    events, pid, _ = await pid_and_cuda(spared)

    assert isinstance(events[0], KernelRestarted)
    assert pid == spare_pid


async def test_an_escalated_interrupt_restarts_into_the_spare(spared):
    spare_pid = await warm_spare_pid(spared)
    code = (
        "import time\nprint('go', flush=True)\nwhile True:\n"
        "    try:\n        time.sleep(0.01)\n    except KeyboardInterrupt:\n        pass\n"
    )
    events: list = []

    async def consume() -> None:
        async for event in spared.run(code, device="cpu"):
            events.append(event)

    task = asyncio.ensure_future(consume())
    while not events and not task.done():
        await asyncio.sleep(0.05)
    await spared.interrupt()
    await asyncio.wait_for(task, 120)
    assert only(events, KernelRestarted) and events[-1].interrupted

    _, pid, _ = await pid_and_cuda(spared)
    assert pid == spare_pid


async def test_a_spare_that_died_is_never_handed_out(spared):
    spare_of(spared).check_seconds = 3600  # no watching: taking it must notice
    dead = await warm_spare_pid(spared)
    os.kill(dead, signal.SIGKILL)
    assert await process_ended(spare_of(spared)._spare)

    await spared.restart()  # the spare is dead by now: an ordinary restart

    _, pid, _ = await pid_and_cuda(spared)
    assert pid != dead
    assert await warm_spare_pid(spared, not_pid=dead) != dead, "a new spare replaces it"


async def test_a_spare_that_dies_while_waiting_is_replaced(spared):
    dead = await warm_spare_pid(spared)
    os.kill(dead, signal.SIGKILL)

    replacement = await warm_spare_pid(spared, not_pid=dead)

    assert replacement != dead
    await spared.restart()
    _, pid, _ = await pid_and_cuda(spared)
    assert pid == replacement


async def process_ended(session: KernelSession | None) -> bool:
    """Until the kernel's process has ended for good (its threads take a while to die)."""
    assert session is not None
    for _ in range(POLLS):
        if not await session.is_alive():
            return True
        await asyncio.sleep(0.1)
    return False


async def test_no_spare_when_turned_off_or_attached(monkeypatch, tmp_path):
    from nnlearn.tui.kernel_runner import RealSessionFactory

    monkeypatch.setenv("NNLEARN_SPARE_KERNEL", "0")
    off = await RealSessionFactory()(on_status=lambda status: None)
    assert isinstance(off, KernelSession) and off.spare is None
    await off.start()
    try:
        await off.restart()  # the ordinary way, and nothing kept in reserve
        assert off.spare is None and off.ready
    finally:
        await off.shutdown()

    monkeypatch.delenv("NNLEARN_SPARE_KERNEL")
    attached = await RealSessionFactory(tmp_path / "kernel.json")(on_status=lambda status: None)
    assert isinstance(attached, KernelSession) and attached.spare is None
    on = await RealSessionFactory()(on_status=lambda status: None)
    assert isinstance(on, KernelSession) and on.spare is not None


async def test_shutdown_right_after_a_swap_returns():
    # The swap wakes the keeper's wait just as shutdown cancels it: Python 3.11's wait_for
    # can swallow that cancel, and shutdown used to wait for the keeper for ever (quitting
    # the app after F8 hung).
    session = KernelSession(interrupt_grace=1.0, spare=True)
    await session.start()
    await warm_spare_pid(session)
    await session.restart()
    await asyncio.wait_for(session.shutdown(), 120)  # a hang guard, not a timing
    assert session.state == "stopped"
