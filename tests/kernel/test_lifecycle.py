"""Interrupts, escalation to a restart, a dying kernel, and an output flood."""

from __future__ import annotations

import asyncio

import pytest
from kernel_helpers import collect, only, run_and_interrupt

from nnlearn.kernel.events import (
    KernelDied,
    KernelRestarted,
    KernelStatus,
    RunError,
    RunFinished,
    Stream,
)
from nnlearn.kernel.session import KernelSession

pytestmark = pytest.mark.kernel


async def test_busy_loop_is_interrupted_and_the_kernel_lives_on(fresh_kernel):
    events = await run_and_interrupt(
        fresh_kernel, "print('go', flush=True)\nwhile True:\n    pass\n", after=0.5
    )
    assert not only(events, KernelRestarted), "SIGINT alone must stop a plain loop"
    [error] = only(events, RunError)
    assert error.type == "KeyboardInterrupt" and error.line in (2, 3)
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.interrupted and not finished.ok
    assert await fresh_kernel.is_alive()
    again = await collect(fresh_kernel, "print(6 * 7)\n", device="cpu")
    assert only(again, Stream)[0].text == "42\n"


async def test_loop_that_swallows_keyboard_interrupt_is_stopped_by_a_restart(fresh_kernel):
    code = (
        "import time\n"
        "print('go', flush=True)\n"
        "while True:\n"
        "    try:\n"
        "        time.sleep(0.01)\n"
        "    except KeyboardInterrupt:\n"
        "        pass\n"
    )
    events = await run_and_interrupt(fresh_kernel, code, after=0.5)
    [restarted] = only(events, KernelRestarted)
    assert restarted.reason == "the code did not stop when interrupted"
    assert events[-1].interrupted
    assert fresh_kernel.state == "idle"
    again = await collect(fresh_kernel, "print('alive')\n", device="cpu")
    assert only(again, Stream)[0].text == "alive\n"


async def test_os_exit_is_reported_as_a_dead_kernel_and_restart_recovers(fresh_kernel):
    states = []
    fresh_kernel.on_status = lambda status: states.append(status.state)
    events = await collect(fresh_kernel, "import os\nos._exit(1)\n", device="cpu")
    [died] = only(events, KernelDied)
    assert "exited with code 1" in died.reason
    assert events[-1].ok is False
    assert fresh_kernel.state == "dead" and "dead" in states

    events = await collect(fresh_kernel, "print('back')\n", device="cpu")
    assert isinstance(events[0], KernelRestarted)
    assert only(events, Stream)[0].text == "back\n"
    assert fresh_kernel.state == "idle"


async def test_explicit_restart_clears_and_keeps_working(fresh_kernel):
    statuses: list[KernelStatus] = []
    fresh_kernel.on_status = statuses.append
    await fresh_kernel.restart()
    assert [s.state for s in statuses] == ["restarting", "warming", "idle"]
    events = await collect(fresh_kernel, "print(1)\n", device="cpu")
    assert events[-1].ok


@pytest.mark.slow
async def test_output_flood_keeps_its_end_and_is_not_held_in_memory(kernel):
    received_chars = 0
    last_text = ""
    biggest_message = 0
    async for event in kernel.run("for i in range(10**6):\n    print(i)\n", device="cpu"):
        if isinstance(event, Stream):
            received_chars += len(event.text)
            biggest_message = max(biggest_message, len(event.text))
            last_text = (last_text + event.text)[-100:]
        elif isinstance(event, RunFinished):
            assert event.ok
    expected = sum(len(f"{i}\n") for i in range(10**6))
    assert received_chars == expected
    assert last_text.endswith("999998\n999999\n")
    assert biggest_message < expected, "output arrives in pieces as it streams"


async def test_watch_notices_a_kernel_killed_between_runs(fresh_kernel):
    states: list[str] = []
    fresh_kernel.on_status = lambda status: states.append(status.state)
    watcher = asyncio.ensure_future(fresh_kernel.watch(interval=0.1))
    try:
        assert fresh_kernel._km is not None
        await fresh_kernel._km.signal_kernel(9)
        for _ in range(100):
            if fresh_kernel.state == "dead":
                break
            await asyncio.sleep(0.1)
        assert fresh_kernel.state == "dead"
        assert "SIGKILL" in fresh_kernel.detail and "out-of-memory" in fresh_kernel.detail
    finally:
        watcher.cancel()
    events = await collect(fresh_kernel, "print('again')\n", device="cpu")
    assert isinstance(events[0], KernelRestarted)
    assert only(events, Stream)[0].text == "again\n"


async def test_a_kernel_that_cannot_load_the_probe_says_what_to_do(monkeypatch):
    import nnlearn.kernel.session as session_module

    monkeypatch.setattr(session_module, "WARM_CODE", "import nnlearn_missing_module")
    session = KernelSession()
    try:
        events = [event async for event in session.run("print(1)\n")]
    finally:
        await session.shutdown()
    [error] = only(events, RunError)
    assert error.type == "KernelError"
    assert "could not load nnlearn's probe" in error.message
    assert "ModuleNotFoundError" in error.message
    assert isinstance(events[-1], RunFinished) and not events[-1].ok
