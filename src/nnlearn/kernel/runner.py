"""RunSession: the part of a kernel session that runs blocks, as a Protocol.

Why a Protocol: the lessons validator needs only these five methods, and its
tests drive it with small in-process fakes instead of a real kernel. Both
``KernelSession`` and the fakes satisfy it without inheriting from it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from nnlearn.kernel.events import Event


class RunSession(Protocol):
    async def start(self) -> object:
        """Start (or attach to) the kernel; safe to call again."""

    def run(
        self, code: str, device: str = "auto", check: str | None = None, *, inside: bool = True
    ) -> AsyncIterator[Event]:
        """Run ``code`` (and ``check`` after it) as a fresh script; RunFinished comes last."""

    async def interrupt(self) -> None:
        """Stop the current run; the session restarts the kernel if it does not stop."""

    async def restart(self) -> None:
        """A fresh kernel."""

    async def shutdown(self) -> None:
        """Stop the kernel."""
