"""Waiting in Pilot tests for what the app does a few frames after start-up.

The kernel starts (and the results tabs mount) just after the first frame,
so a test that looks at them waits, a bounded number of pauses, until the
condition holds; the assertion that follows still decides the test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from textual.worker import WorkerCancelled, WorkerState

from nnlearn.tui.widgets.status_bar import StatusBar

MAX_PAUSES = 200


async def pause_until(pilot, condition: Callable[[], bool]) -> None:
    for _ in range(MAX_PAUSES):
        if condition():
            return
        await pilot.pause()


async def until_started(pilot) -> None:
    """Until the results tabs are mounted and the kernel's start has finished."""
    screen = pilot.app.main_screen
    await pause_until(pilot, lambda: screen.results is not None and screen.runner.started)


async def wait_for(pilot, condition, what: str, tries: int = 1200) -> None:
    """Until ``condition`` holds, for what takes a real kernel (pauses of 0.1 s)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def until_kernel_warm(pilot) -> StatusBar:
    """Until the app's real kernel has warmed up (its status is idle); the status bar."""
    status = pilot.app.main_screen.query_one(StatusBar)
    await wait_for(pilot, lambda: status.state == "idle", "the kernel to warm up")
    return status


async def until_prepared(pilot, *views) -> None:
    """Until the tables that the views make in thread workers are shown.

    The views' running workers are awaited (no clock), then a pause lets each
    view handle the table its worker posted. A superseded worker (cancelled)
    is not waited for: what it makes is never shown.
    """
    for _ in range(MAX_PAUSES):
        if not any(view.preparing for view in views):
            return
        for worker in list(pilot.app.workers):
            if worker.node in views and worker.state is WorkerState.RUNNING:
                with contextlib.suppress(WorkerCancelled):
                    await worker.wait()
        await pilot.pause()
