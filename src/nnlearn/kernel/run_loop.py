"""A Run on the session's kernel: the code sent, its messages turned into events, interrupts.

Why a module of its own: ``KernelSession`` (``session.py``) owns the kernel's
life cycle (start, warm-up, restart, spare, shutdown); this half is what one
Run does with that kernel: one Run at a time, its iopub messages read until
the kernel is idle again, a dead kernel noticed while waiting, and an
interrupt that escalates to a restart when SIGINT is ignored. ``RunLoop`` is a
base class of ``KernelSession``, which provides the life-cycle members
declared below.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, Any

from nnlearn.kernel.events import Event, KernelDied, KernelRestarted, RunError, RunFinished
from nnlearn.kernel.manager import death_reason
from nnlearn.kernel.protocol import events_in, run_code
from nnlearn.kernel.runner import KernelError, StoppedByShutdown

if TYPE_CHECKING:
    from jupyter_client.asynchronous.client import AsyncKernelClient

    from nnlearn.kernel.manager import NnlearnKernelManager

POLL_SECONDS = 0.2


class RunLoop:
    """One Run at a time on the kernel, and its interrupt (escalating to a restart)."""

    if TYPE_CHECKING:  # provided by KernelSession, the life-cycle half
        state: str
        _km: NnlearnKernelManager | None
        _kc: AsyncKernelClient | None

        @property
        def attached(self) -> bool: ...
        @property
        def ready(self) -> bool: ...
        def _set_state(self, state: str, detail: str = "") -> None: ...
        async def start(self) -> object: ...
        async def _restart(self) -> None: ...
        async def is_alive(self) -> bool: ...
        async def _exit_code(self) -> int | None: ...

    def _init_run_loop(self, interrupt_grace: float) -> None:
        self.interrupt_grace = interrupt_grace
        self._run_lock = asyncio.Lock()
        self._running = False
        self._run_done = asyncio.Event()
        self._escalate = False
        self._interrupt_task: asyncio.Task[None] | None = None

    async def interrupt(self) -> None:
        """Stop the current Run; restart the kernel if it does not stop in time."""
        if not self._running:
            return
        await self._send_interrupt()
        if self._interrupt_task is None or self._interrupt_task.done():
            self._interrupt_task = asyncio.ensure_future(self._escalate_after_grace())

    async def _send_interrupt(self) -> None:
        if self._km is not None:
            await self._km.interrupt_kernel()
        elif self._kc is not None:
            msg = self._kc.session.msg("interrupt_request", {})
            self._kc.control_channel.send(msg)

    async def _escalate_after_grace(self) -> None:
        try:
            await asyncio.wait_for(self._run_done.wait(), self.interrupt_grace)
        except TimeoutError:
            if self._running:
                self._escalate = True

    async def _execute(self, code: str) -> AsyncIterator[dict[str, Any]]:
        """Send code; yield its iopub messages until the kernel is idle again.

        Yields a synthetic ``{"msg_type": "nnlearn_died"}`` if the kernel dies,
        and ``{"msg_type": "nnlearn_escalate"}`` when an interrupt must escalate.
        """
        kc = self._kc
        if kc is None:
            raise KernelError("The kernel is not running.")
        msg_id = kc.execute(code, store_history=False, allow_stdin=False)
        while True:
            try:
                msg = await kc.get_iopub_msg(timeout=POLL_SECONDS)
            except queue.Empty:
                if self._escalate:
                    yield {"msg_type": "nnlearn_escalate", "content": {}}
                    return
                if not await self.is_alive():
                    yield {"msg_type": "nnlearn_died", "content": {}}
                    return
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                return
            yield msg

    async def run(
        self,
        code: str,
        device: str = "auto",
        check: str | None = None,
        *,
        path: str | None = None,
        argv: list[str] | None = None,
        inside: bool = True,
    ) -> AsyncGenerator[Event, None]:
        """Run ``code`` as a fresh script; yield its events, RunFinished last.

        ``path`` and ``argv`` make it the script ``path`` run with those arguments
        (``__file__``, ``sys.argv``, its folder first on ``sys.path``); the editor's
        code leaves them out. ``inside=False`` turns off the sampling of gradients,
        updates and activations (``InsideSample`` events).
        """
        async with self._run_lock:
            started = time.perf_counter()
            try:
                if self.state == "dead" and not self.attached and self._km is not None:
                    yield KernelRestarted("the kernel had died")
                    await self._restart()
                elif not self.ready:
                    await self.start()
            except KernelError as exc:
                if not isinstance(exc, StoppedByShutdown):  # a shut-down session stays stopped
                    self._set_state("dead", "could not start")
                yield RunError("KernelError", str(exc), None, "")
                yield RunFinished(False, None, time.perf_counter() - started)
                return
            self._running = True
            self._escalate = False
            self._run_done.clear()
            self._set_state("busy", device)
            finished: RunFinished | None = None
            try:
                async for msg in self._execute(run_code(code, device, check, path, argv, inside)):
                    kind = msg["msg_type"]
                    if kind == "nnlearn_died":
                        reason = death_reason(await self._exit_code())
                        self._set_state("dead", reason)
                        yield KernelDied(reason)
                        finished = RunFinished(False, None, time.perf_counter() - started)
                        break
                    if kind == "nnlearn_escalate":
                        yield KernelRestarted("the code did not stop when interrupted")
                        with contextlib.suppress(StoppedByShutdown):  # the Run ends either way
                            await self._restart()
                        finished = RunFinished(
                            False, None, time.perf_counter() - started, interrupted=True
                        )
                        break
                    for event in events_in(msg):
                        if isinstance(event, RunFinished):
                            finished = event
                        else:
                            yield event
            finally:
                self._running = False
                self._run_done.set()
                if self.state == "busy":
                    self._set_state("idle")
            if finished is None:
                yield RunError(
                    "KernelError", "The run ended without a report from the probe.", None, ""
                )
                finished = RunFinished(False, None, time.perf_counter() - started)
            yield finished
