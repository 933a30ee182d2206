"""Shutdown while a start or restart is under way: it gives up, no kernel is left running.

The app quitting right after F8 calls ``shutdown()`` while ``restart()`` is
still starting the new kernel. Each test holds the restart at one point with a
gate (no timers), shuts the session down there, then lets the restart go on.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import pytest

from nnlearn.kernel.session import KernelSession, StoppedByShutdown

pytestmark = pytest.mark.kernel


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def wait_for_exit(pid: int) -> bool:
    """Until the killed process is reaped (bounded polls, not a timing)."""
    for _ in range(1200):
        if not process_exists(pid):
            return True
        await asyncio.sleep(0.1)
    return False


def hold(owner: object, name: str) -> tuple[asyncio.Event, asyncio.Event]:
    """Make ``owner.name`` stop at a gate: (reached, gate); it goes on once gate is set."""
    reached, gate = asyncio.Event(), asyncio.Event()
    original: Callable[..., Any] = getattr(owner, name)

    async def held(*args: Any, **kwargs: Any) -> Any:
        reached.set()
        await gate.wait()
        return await original(*args, **kwargs)

    setattr(owner, name, held)
    return reached, gate


@pytest.mark.parametrize(
    "where",
    [
        "manager._async_post_start_kernel",  # the new kernel's process is launched
        "session._warm",  # the new kernel answers; its warm-up is next
    ],
)
async def test_shutdown_during_a_restart_stops_it_and_leaves_no_kernel(where):
    session = KernelSession()
    await session.start()
    km = session._km
    assert km is not None
    owner_name, name = where.split(".")
    reached, gate = hold(km if owner_name == "manager" else session, name)

    restart = asyncio.ensure_future(session.restart())
    await reached.wait()
    new_pid = km.provisioner.pid  # type: ignore[union-attr]
    workdir = session._workdir
    await session.shutdown()
    gate.set()  # what the restart was doing ends now, after the shutdown
    await asyncio.wait([restart])

    assert restart.exception() is None, "the restart gives up quietly: the session is shut down"
    assert session.state == "stopped" and session._km is None and session._kc is None
    assert await wait_for_exit(new_pid), "the kernel the restart launched is stopped"
    assert workdir is not None and not workdir.exists()


async def test_shutdown_during_the_start_stops_it_and_leaves_no_kernel():
    session = KernelSession()
    reached, gate = hold(session, "_warm")  # the kernel answers; its warm-up is next

    start = asyncio.ensure_future(session.start())
    await reached.wait()
    km = session._km
    assert km is not None
    pid = km.provisioner.pid  # type: ignore[union-attr]
    await session.shutdown()
    gate.set()
    await asyncio.wait([start])

    assert isinstance(start.exception(), StoppedByShutdown)
    assert session.state == "stopped" and session._km is None
    assert await wait_for_exit(pid)
