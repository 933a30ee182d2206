"""A spare kernel: started and warmed in the background, swapped in when a kernel must restart.

A restart (F8, a kernel that died, an interrupt that had to restart) is when a
learner waits most: a new kernel has to start and import torch again, seconds on
a small machine. ``SpareKernel`` keeps one kernel ready instead, so the swap takes
a fraction of a second, and warms a replacement after every swap.

A spare costs a second kernel's memory (see README) and little CPU the learner
needs: the first is launched a few seconds after the learner's kernel is warm
(a Run pressed at once, and that kernel's own background warm-up, come first),
a new one is only launched while no Run is going on, and its imports run
in a low-priority thread (``quiet_import``). It never
initialises CUDA, so it holds no GPU memory until it is used. A spare that dies
is replaced and never handed out. ``NNLEARN_SPARE_KERNEL=0`` (or
``nnlearn --no-spare-kernel``) turns it off; an attached kernel never has one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nnlearn.kernel.session import KernelSession

ENV_VAR = "NNLEARN_SPARE_KERNEL"
CHECK_SECONDS = 1.0
MAX_FAILED_STARTS = 3


def spare_wanted(option: bool | None = None) -> bool:
    """The command-line option if given, else ``NNLEARN_SPARE_KERNEL`` (on unless 0/no/off)."""
    if option is not None:
        return option
    value = os.environ.get(ENV_VAR, "1").strip().lower()
    return value not in ("0", "false", "no", "off")


class SpareKernel:
    """At most one warm kernel in reserve, kept alive and replaced in the background."""

    def __init__(
        self,
        make: Callable[[], KernelSession],
        check_seconds: float = CHECK_SECONDS,
        busy: Callable[[], bool] = lambda: False,
        delay: float = 0.0,
    ) -> None:
        """``make`` makes an unstarted session; ``busy`` says a Run is going on; the
        first spare is launched ``delay`` seconds after ``fill``."""
        self._make = make
        self._busy = busy
        self.check_seconds = check_seconds
        self.delay = delay
        self._spare: KernelSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._disposals: set[asyncio.Task[None]] = set()
        self._taken = asyncio.Event()
        self._closed = False
        self.failed_starts = 0

    @property
    def ready(self) -> bool:
        """A warm spare is waiting (it may still turn out dead when taken)."""
        return self._spare is not None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def fill(self) -> None:
        """Start keeping a spare (idempotent); call on the event loop."""
        if not self.running:
            self._closed = False
            self._task = asyncio.ensure_future(self._keep())

    async def take(self) -> KernelSession | None:
        """The warm spare if it is alive (a replacement starts warming), else None."""
        spare, self._spare = self._spare, None
        if spare is None:
            return None
        self._taken.set()
        try:
            alive = await spare.is_alive()
        except asyncio.CancelledError:  # the restart that took it was stopped: so is the spare
            self.shut_down_later(spare)
            raise
        if not alive:
            self.shut_down_later(spare)
            return None
        return spare

    async def close(self) -> None:
        """Stop keeping a spare and shut down the one there is."""
        # The flag, not only the cancel: on Python 3.11 asyncio.wait_for can swallow a
        # cancel that lands as its wait ends, and the loop would then go on for ever.
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        spare, self._spare = self._spare, None
        if spare is not None:
            await spare.shutdown()
        if self._disposals:
            await asyncio.gather(*self._disposals, return_exceptions=True)

    async def _keep(self) -> None:
        if self.delay > 0:  # the learner's first Run, and the kernel's warm-up, come first
            await asyncio.sleep(self.delay)
        while not self._closed and self.failed_starts < MAX_FAILED_STARTS:
            if self._spare is None:
                while self._busy():  # launching Python at full priority would slow the Run
                    await asyncio.sleep(self.check_seconds)
                spare = self._make()
                try:
                    await spare.start()
                except asyncio.CancelledError:
                    await spare.shutdown()
                    raise
                except Exception:  # no spare then: a restart starts a kernel the usual way
                    self.failed_starts += 1
                    await spare.shutdown()
                    continue
                self.failed_starts = 0
                if self._closed:
                    await spare.shutdown()
                    return
                self._spare = spare
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._taken.wait(), self.check_seconds)
            self._taken.clear()
            spare = self._spare
            if spare is not None and not await spare.is_alive() and self._spare is spare:
                self._spare = None
                self.shut_down_later(spare)

    def shut_down_later(self, session: KernelSession) -> None:
        """Shut a kernel down in the background (awaited by ``close``)."""
        task = asyncio.ensure_future(session.shutdown())
        self._disposals.add(task)
        task.add_done_callback(self._disposals.discard)
