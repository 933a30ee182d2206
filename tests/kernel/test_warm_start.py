"""A kernel is ready before the optimizers' imports finish: a Run at once still works."""

from __future__ import annotations

import pytest
from kernel_helpers import collect, only

from nnlearn.kernel.events import RunFinished, Stream
from nnlearn.kernel.session import KernelSession

pytestmark = pytest.mark.kernel

TRAIN_ONE_STEP = """\
import torch
model = torch.nn.Linear(2, 1)
optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
model(torch.ones(4, 2)).pow(2).mean().backward()
optimizer.step()
print("stepped", round(model.bias.item(), 4) != 0.0)
"""


async def test_first_run_at_ready_may_step_an_optimizer():
    session = KernelSession()
    try:
        await session.start()
        events = await collect(session, TRAIN_ONE_STEP, device="cpu")
        again = await collect(session, TRAIN_ONE_STEP, device="cpu")
    finally:
        await session.shutdown()
    for run in (events, again):
        assert isinstance(run[-1], RunFinished) and run[-1].ok, run
        assert "".join(e.text for e in only(run, Stream)) == "stepped True\n"
