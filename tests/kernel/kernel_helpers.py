"""Small helpers for the real-kernel tests."""

from __future__ import annotations

import asyncio

from nnlearn.kernel.events import Event, RunFinished, Stream
from nnlearn.kernel.session import KernelSession


async def collect(session: KernelSession, code: str, **kwargs: object) -> list[Event]:
    return [event async for event in session.run(code, **kwargs)]  # type: ignore[arg-type]


def only(events: list[Event], kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]


def stdout(events: list[Event]) -> str:
    """What the Run printed to stdout."""
    return "".join(e.text for e in only(events, Stream) if e.name == "stdout")


def finished(events: list[Event]) -> RunFinished:
    [done] = only(events, RunFinished)
    return done


async def run_and_interrupt(session: KernelSession, code: str, after: float = 0.0) -> list:
    """Run ``code``, interrupt it ``after`` seconds once it has printed, and return its events."""
    events: list = []

    async def consume():
        async for event in session.run(code, device="cpu"):
            events.append(event)

    task = asyncio.ensure_future(consume())
    while not events and not task.done():
        await asyncio.sleep(0.05)  # the code has started printing
    if after:
        await asyncio.sleep(after)
    await session.interrupt()
    await asyncio.wait_for(task, 120)  # a hang guard, not a timing
    return events
