"""Session: what every user of a kernel session relies on, as a Protocol, and its errors.

Why a Protocol: the TUI, ``nnlearn run`` and the lessons checker all drive a
``KernelSession``, and their tests drive them with small in-process fakes
instead of a real kernel. ``KernelSession`` and the fakes satisfy it without
inheriting from it. The errors live here, with no jupyter_client, so that
the session's modules (``session.py``, ``run_loop.py``, ``stoppable.py``) share
them; ``nnlearn.kernel.session`` exports them too.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Protocol

from nnlearn.kernel.events import Event, KernelInfo


class KernelError(RuntimeError):
    """The kernel could not be started, warmed or reached; the message says what to do."""


class StoppedByShutdown(KernelError):
    """``shutdown()`` came while the kernel was starting or restarting: that stopped there."""


class Session(Protocol):
    info: KernelInfo | None
    """What the warmed kernel reported; None until it is warm (and after a restart)."""

    state: str
    """The last ``KernelStatus.state``: starting, warming, idle, busy, restarting, dead, stopped."""

    async def start(self) -> object:
        """Start (or attach to) the kernel; safe to call again."""

    def run(
        self,
        code: str,
        device: str = "auto",
        check: str | None = None,
        *,
        path: str | None = None,
        argv: list[str] | None = None,
        inside: bool = True,
    ) -> AsyncGenerator[Event, None]:
        """Run ``code`` (and ``check`` after it) as a fresh script; RunFinished comes last."""

    async def interrupt(self) -> None:
        """Stop the current run; the session restarts the kernel if it does not stop."""

    async def restart(self) -> None:
        """A fresh kernel."""

    async def shutdown(self) -> None:
        """Stop the kernel."""

    async def watch(self, interval: float = 1.0) -> None:
        """Until shutdown: a kernel that dies between Runs is reported (state ``dead``)."""
