"""How the screen gets its kernel session: from a factory, so that tests can use a fake kernel.

The real factory imports jupyter_client (zmq, tornado) off the event loop, once
the first frame is on screen, and hands the first session the kernel that
``nnlearn`` launched before the app (``kernel/early_kernel.py``).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from nnlearn.kernel.early_kernel import EarlyStart
from nnlearn.kernel.events import KernelStatus
from nnlearn.kernel.runner import Session
from nnlearn.kernel.spare import spare_wanted

# Called as factory(on_status=callback); returns a session, or an awaitable of one.
# KernelSession itself (or a test's fake class) is such a factory.
SessionFactory = Callable[..., "Session | Awaitable[Session]"]


class RealSessionFactory:
    """Makes real KernelSessions, importing jupyter_client (zmq, tornado) off the event loop.

    The import takes a noticeable fraction of a second, so it happens in a thread
    after the first frame is on screen, never at app import. ``early`` is the kernel
    ``nnlearn`` launched before the app (``kernel/early_kernel.py``): the first
    session adopts it.
    """

    def __init__(
        self,
        connection_file: Path | None = None,
        spare: bool | None = None,
        early: EarlyStart | None = None,
    ) -> None:
        self.connection_file = connection_file
        self.spare = spare  # a spare kernel for restarts; None: NNLEARN_SPARE_KERNEL decides
        self.early = early

    async def __call__(self, on_status: Callable[[KernelStatus], None]) -> Session:
        module = await asyncio.to_thread(importlib.import_module, "nnlearn.kernel.session")
        early, self.early = self.early, None
        return module.KernelSession(
            connection_file=self.connection_file,
            on_status=on_status,
            spare=spare_wanted(self.spare),
            early=early,
        )

    def discard_early(self) -> None:
        """Stop the early kernel if no session took it (the app ended before its start)."""
        early, self.early = self.early, None
        if early is not None and early.kernel is not None:
            early.kernel.discard()
