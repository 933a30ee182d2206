"""Small helpers for the real-kernel tests."""

from __future__ import annotations

from nnlearn.kernel.events import Event
from nnlearn.kernel.session import KernelSession


async def collect(session: KernelSession, code: str, **kwargs: object) -> list[Event]:
    return [event async for event in session.run(code, **kwargs)]  # type: ignore[arg-type]


def only(events: list[Event], kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]
