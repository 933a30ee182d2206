"""A real kernel with real torch (CPU), shared by the integration tests of this folder."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from nnlearn.kernel.session import KernelSession


@pytest.fixture(scope="session")
async def kernel() -> AsyncIterator[KernelSession]:
    session = KernelSession()
    await session.start()
    yield session
    await session.shutdown()


@pytest.fixture
async def fresh_kernel() -> AsyncIterator[KernelSession]:
    """A kernel of its own, for tests that interrupt, kill or restart it."""
    session = KernelSession(interrupt_grace=1.0)
    await session.start()
    yield session
    await session.shutdown()
