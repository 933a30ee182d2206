"""Waiting in Pilot tests for what the app does a few frames after start-up.

The kernel starts (and the results tabs mount) just after the first frame,
so a test that looks at them waits, a bounded number of pauses, until the
condition holds; the assertion that follows still decides the test.
"""

from __future__ import annotations

from collections.abc import Callable

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
