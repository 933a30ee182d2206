"""Cost on a real GPU: FLOPs equal FlopCounterMode's, peak memory is CUDA's (skipped without CUDA)."""

from __future__ import annotations

import pytest

from nnlearn.kernel.events import PeakMemory, RunError, Shapes, Stream
from nnlearn.kernel.session import KernelSession

pytestmark = [pytest.mark.gpu, pytest.mark.kernel]

SCRIPT = """\
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10)).to(device)
x = torch.randn(32, 64, device=device)
model(x)
with FlopCounterMode(display=False) as counter:
    model(x)
print("direct", counter.get_total_flops())
big = torch.empty(256 * 2**20, dtype=torch.uint8, device=device)
del big
"""


async def test_flops_and_peak_memory_on_cuda(gpu_kernel: KernelSession):
    events = [event async for event in gpu_kernel.run(SCRIPT, device="cuda")]
    assert not [e for e in events if isinstance(e, RunError)]
    text = "".join(e.text for e in events if isinstance(e, Stream) and e.name == "stdout")
    direct = int(text.split("direct", 1)[1].split()[0])
    shapes = [e for e in events if isinstance(e, Shapes)][-1]
    rows = {row.path: row for row in shapes.rows}
    cost = rows["model"].cost
    assert cost is not None and cost.flops == direct == 2 * 32 * (64 * 256 + 256 * 10)
    [memory] = [e for e in events if isinstance(e, PeakMemory)]
    assert memory.measure == "cuda_max_allocated" and memory.device.startswith("cuda")
    assert memory.peak_bytes >= 256 * 2**20
