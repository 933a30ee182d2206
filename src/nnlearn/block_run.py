"""Run one lesson block in a kernel session and keep what the validator needs of it.

Why a module of its own: a block the validator runs is not ours (a lesson
folder may come from anywhere), so this is where it is held to bounds: a run
that outlives its timeout is interrupted (and the kernel restarted when the
interrupt is ignored) so that the next block runs normally, and only a
bounded amount of what it prints is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from nnlearn.kernel.consumer import EventHandler
from nnlearn.kernel.events import (
    CheckResult,
    KernelDied,
    KernelRestarted,
    RunError,
    RunFinished,
    Stream,
)
from nnlearn.kernel.runner import Session

OUTPUT_LIMIT_CHARS = 1_000_000
# After an interrupt the session itself restarts a kernel that ignores it (after its
# grace period), and the restart re-imports torch: give that time before giving up.
STOP_WAIT_S = 120.0


@dataclass
class RunOutcome:
    """What one run of a block produced, reduced to what the checks need."""

    stdout: list[str] = field(default_factory=list)
    stdout_chars: int = 0
    output_overflow: bool = False
    error: RunError | None = None
    check: CheckResult | None = None
    died: str | None = None
    restarted: bool = False
    finished: RunFinished | None = None
    timed_out: bool = False

    @property
    def printed(self) -> str:
        return "".join(self.stdout)

    def keep_stdout(self, text: str, limit: int) -> bool:
        """Keep ``text`` up to ``limit`` characters in all; False once the limit is passed."""
        room = limit - self.stdout_chars
        if len(text) > room:
            if room > 0:
                self.stdout.append(text[:room])
            self.stdout_chars = limit
            self.output_overflow = True
            return False
        self.stdout.append(text)
        self.stdout_chars += len(text)
        return True


async def run_block(
    session: Session,
    code: str,
    *,
    device: str,
    check: str | None,
    timeout: float,
    output_limit: int = OUTPUT_LIMIT_CHARS,
    stop_wait: float = STOP_WAIT_S,
) -> RunOutcome:
    """Run ``code`` (and ``check`` after it) and collect its events, within bounds.

    A run still going after ``timeout`` seconds, or printing more than
    ``output_limit`` characters, is interrupted while it is still the
    session's current run; if it has not ended ``stop_wait`` seconds later it
    is abandoned and the kernel restarted, so the next block starts clean.
    """
    outcome = RunOutcome()
    flooded = asyncio.Event()
    collector = _Collector(outcome, output_limit, flooded)

    async def consume() -> None:
        async for event in session.run(code, device=device, check=check):
            collector.handle(event)

    running = asyncio.ensure_future(consume())
    flood_watch = asyncio.ensure_future(flooded.wait())
    try:
        await asyncio.wait(
            {running, flood_watch}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if not running.done():
            outcome.timed_out = not flooded.is_set()
            with contextlib.suppress(Exception):
                await session.interrupt()
            await asyncio.wait({running}, timeout=stop_wait)
        if not running.done():
            running.cancel()
            await asyncio.wait({running})
            outcome.restarted = await _restart(session)
        elif running.exception() is not None:
            outcome.died = f"the session failed: {running.exception()}"
    finally:
        flood_watch.cancel()
        if not running.done():
            running.cancel()
    if outcome.died is not None and not outcome.restarted:
        await _restart(session)
    return outcome


class _Collector(EventHandler):
    """Keeps what the checks need of each event, and flags a flood of output."""

    def __init__(self, outcome: RunOutcome, output_limit: int, flooded: asyncio.Event) -> None:
        self.outcome = outcome
        self.output_limit = output_limit
        self.flooded = flooded

    def on_stream(self, event: Stream) -> None:
        outcome = self.outcome
        ignored = event.name != "stdout" or outcome.output_overflow
        if not ignored and not outcome.keep_stdout(event.text, self.output_limit):
            self.flooded.set()

    def on_error(self, event: RunError) -> None:
        self.outcome.error = event

    def on_check(self, event: CheckResult) -> None:
        self.outcome.check = event

    def on_kernel_died(self, event: KernelDied) -> None:
        self.outcome.died = event.reason

    def on_kernel_restarted(self, event: KernelRestarted) -> None:
        self.outcome.restarted = True

    def on_done(self, event: RunFinished) -> None:
        self.outcome.finished = event


async def _restart(session: Session) -> bool:
    with contextlib.suppress(Exception):
        await session.restart()
        return True
    return False
