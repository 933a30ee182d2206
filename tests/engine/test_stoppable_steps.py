"""StoppableSteps: a shutdown stops a start or restart under way, and refuses one while it stops.

A cancelled caller stays cancelled.
"""

from __future__ import annotations

import asyncio

import pytest

from nnlearn.kernel.runner import StoppedByShutdown
from nnlearn.kernel.stoppable import StoppableSteps


class HeldStep:
    """A step that waits at a gate and records whether it was cancelled (its clean-up ran)."""

    def __init__(self) -> None:
        self.reached, self.gate = asyncio.Event(), asyncio.Event()
        self.cancelled = False

    async def __call__(self) -> str:
        self.reached.set()
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return "started"


async def test_a_step_that_ends_gives_its_result():
    steps, step = StoppableSteps(), HeldStep()
    step.gate.set()
    assert await steps.run(step()) == "started"
    async with steps.stopping():  # nothing under way: nothing to stop
        pass
    assert not step.cancelled


async def test_stopping_cancels_the_step_and_its_caller_is_told_why():
    steps, step = StoppableSteps(), HeldStep()
    caller = asyncio.ensure_future(steps.run(step()))
    await step.reached.wait()

    async with steps.stopping():
        assert step.cancelled, "the step has unwound when the kernel is stopped"
    await asyncio.wait([caller])
    assert isinstance(caller.exception(), StoppedByShutdown)


async def test_a_cancelled_caller_cancels_the_step_and_stays_cancelled():
    steps, step = StoppableSteps(), HeldStep()
    caller = asyncio.ensure_future(steps.run(step()))
    await step.reached.wait()

    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller

    assert step.cancelled


async def test_no_step_begins_while_the_kernel_is_being_stopped():
    steps, step = StoppableSteps(), HeldStep()
    step.gate.set()  # were it let in, it would run to its end
    async with steps.stopping():
        with pytest.raises(StoppedByShutdown):
            await steps.run(step())
    assert not step.reached.is_set(), "the step never ran"
    assert await steps.run(step()) == "started", "once stopped, a new start may begin"
