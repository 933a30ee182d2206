"""A real kernel for the GPU tests (they skip, with the reason, where there is no CUDA)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from nnlearn.kernel.session import KernelSession


@pytest.fixture(scope="module")
async def gpu_kernel() -> AsyncIterator[KernelSession]:
    session = KernelSession()
    await session.start()
    yield session
    await session.shutdown()
