"""On a GPU box, a spare kernel in reserve holds no CUDA context.

A context holds hundreds of MiB of GPU memory. The learner's own kernel creates
one at start (describing the GPUs for the device picker does); a spare, warmed
with its optimizer steps and swapped in by a restart, must not have, until the
learner's code uses the GPU.
"""

from __future__ import annotations

import asyncio

import pytest

from nnlearn.kernel.events import RunFinished, Stream
from nnlearn.kernel.session import KernelSession

pytestmark = [pytest.mark.gpu, pytest.mark.kernel]

CUDA_STATE = "import torch\nprint(torch.cuda.is_initialized())\n"
POLLS = 1200  # at 0.1 s each


async def cuda_initialised(session: KernelSession) -> bool:
    events = [event async for event in session.run(CUDA_STATE, device="cpu")]
    assert isinstance(events[-1], RunFinished) and events[-1].ok, events
    return "".join(e.text for e in events if isinstance(e, Stream)).strip() == "True"


async def test_a_spare_kernel_holds_no_cuda_context():
    session = KernelSession(spare=True)
    try:
        await session.start()
        pool = session.spare
        assert pool is not None
        for _ in range(POLLS):
            if pool.ready:
                break
            await asyncio.sleep(0.1)
        assert pool.ready, "no warm spare kernel appeared"
        await session.restart()  # swaps the spare in
        assert not await cuda_initialised(session)
    finally:
        await session.shutdown()
