"""Starts and restarts that a shutdown stops first, so the shutdown has the last word.

Why: the app quitting right after F8 shuts the session down while its restart
is still starting the new kernel. Acting on the kernel at the same time, the
two left a half-swapped session: the restart went on after the shutdown (a
spare swapped into a stopped session, a kernel launched or warmed for no one)
and raised from jupyter_client's state. ``StoppableSteps`` runs each start or
restart as a task of its own; the shutdown stops the kernel inside
``stopping()``, which cancels those under way and waits for them to unwind
first, and refuses new ones until the kernel is stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

from nnlearn.kernel.runner import StoppedByShutdown

_T = TypeVar("_T")


class StoppableSteps:
    """The starts and restarts of one session now under way."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = 0

    async def run(self, step: Coroutine[Any, Any, _T]) -> _T:
        """``step``'s result; ``StoppedByShutdown`` if a shutdown stopped it (or is under way).

        A caller that is cancelled itself cancels the step too (awaiting a task
        passes the cancel on) and gets its ``CancelledError``.
        """
        if self._stopping:
            step.close()
            raise StoppedByShutdown("The kernel is being shut down.")
        task = asyncio.ensure_future(step)
        self._tasks.add(task)
        try:
            return await task
        except asyncio.CancelledError:
            caller = asyncio.current_task()
            if caller is not None and caller.cancelling():
                raise
            raise StoppedByShutdown("The kernel was shut down while it was starting.") from None
        finally:
            self._tasks.discard(task)

    @contextlib.asynccontextmanager
    async def stopping(self) -> AsyncIterator[None]:
        """For the body that stops the kernel: the steps under way are cancelled and
        have unwound when it begins, and none begins until it ends."""
        self._stopping += 1
        try:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks)
            yield
        finally:
            self._stopping -= 1
