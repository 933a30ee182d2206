"""Proof on a real GPU: device choice, reports, loss capture without syncs, errors, lessons.

Every test here needs CUDA and is skipped (the reason is shown at the end of the
run) where there is none. Run them on a GPU box with ``pytest tests/gpu``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nnlearn.kernel.events import (
    CheckResult,
    Event,
    InsideSample,
    LossPoints,
    Params,
    RunError,
    RunFinished,
    Shapes,
    Stream,
)
from nnlearn.kernel.session import KernelSession

pytestmark = [pytest.mark.gpu, pytest.mark.kernel]


async def collect(session: KernelSession, code: str, **kwargs: str) -> list[Event]:
    return [event async for event in session.run(code, **kwargs)]  # type: ignore[arg-type]


def printed(events: list[Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, Stream) and e.name == "stdout")


def finished(events: list[Event]) -> RunFinished:
    last = events[-1]
    assert isinstance(last, RunFinished)
    return last


MLP = """\
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1)).to(device)
x = torch.randn(4, 3).to(device)
print(tuple(model(x).shape))
"""


async def test_auto_chooses_cuda(gpu_kernel):
    events = await collect(gpu_kernel, "print(device)\n", device="auto")
    assert printed(events) == "cuda:0\n"
    assert finished(events).ok and finished(events).device == "cuda:0"


async def test_shapes_and_params_report_the_gpu(gpu_kernel):
    events = await collect(gpu_kernel, MLP, device="cuda:0")
    assert finished(events).ok, printed(events)
    [shapes] = [e for e in events if isinstance(e, Shapes)]
    assert {row.device for row in shapes.rows} == {"cuda:0"}
    assert [row.path for row in shapes.rows][:1] == ["model"]
    [params] = [e for e in events if isinstance(e, Params)]
    assert params.total == 3 * 8 + 8 + 8 + 1
    assert {row.device for row in params.rows} == {"cuda:0"}


async def test_seeded_numbers_are_the_cpus_on_the_gpu(gpu_kernel):
    code = "import torch\ntorch.manual_seed(0)\nprint(torch.randn(5).to(device).tolist())\n"
    on_cpu = await collect(gpu_kernel, code, device="cpu")
    on_gpu = await collect(gpu_kernel, code, device="cuda")
    assert printed(on_gpu) == printed(on_cpu)


TRAINING = """\
import warnings
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 64), nn.ReLU(), nn.Linear(64, 1)).to(device)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(256, 3).to(device)
y = torch.randn(256, 1).to(device)
torch.cuda.synchronize()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch.cuda.set_sync_debug_mode("warn")
    try:
        for step in range({steps}):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            {per_step}
    finally:
        torch.cuda.set_sync_debug_mode(0)
print("SYNCS", sum("synchroniz" in str(w.message) for w in caught))
"""


def _syncs(events: list[Event]) -> int:
    text = printed(events)
    assert "SYNCS " in text, text
    return int(text.split("SYNCS ")[1].split()[0])


async def test_loss_capture_does_not_synchronise_every_step(gpu_kernel):
    steps = 3000
    # The counter counts: a loop that calls .item() every step shows a sync per step.
    control = await collect(
        gpu_kernel, TRAINING.format(steps=200, per_step="loss.item()"), device="cuda"
    )
    assert finished(control).ok, printed(control)
    assert _syncs(control) >= 200

    events = await collect(gpu_kernel, TRAINING.format(steps=steps, per_step="pass"), device="cuda")
    assert finished(events).ok, printed(events)
    points = sum(len(e.points) for e in events if isinstance(e, LossPoints) and e.series == "loss")
    assert points == steps
    # One sync per published batch (at most ten a second), none per step.
    assert _syncs(events) <= steps // 50, f"{_syncs(events)} syncs for {steps} steps"


async def test_inside_sampling_adds_no_sync_per_step(gpu_kernel):
    # Gradients, updates and activations are sampled on the device and converted with
    # the loss batches: at most one more sync per sample than with the sampling off.
    code = TRAINING.format(steps=3000, per_step="pass")
    off = await collect(gpu_kernel, code, device="cuda", inside=False)  # type: ignore[arg-type]
    on = await collect(gpu_kernel, code, device="cuda")
    assert finished(off).ok and finished(on).ok, printed(on)
    samples = [e for e in on if isinstance(e, InsideSample)]
    assert samples, "the inside views sent no sample"
    assert all(p.grad_norm is not None for s in samples for p in s.params)
    assert _syncs(on) <= _syncs(off) + len(samples) + 2, (
        f"{_syncs(on)} syncs with the sampling on, {_syncs(off)} without, {len(samples)} samples"
    )


async def test_a_gpu_number_out_of_range_is_refused_before_the_code_runs(gpu_kernel):
    events = await collect(gpu_kernel, "print('ran')\n", device="cuda:99")
    assert printed(events) == ""
    [error] = [e for e in events if isinstance(e, RunError)]
    assert error.type == "DeviceError"
    assert "There is no GPU number 99" in error.message
    assert "cuda:0" in error.message


async def test_out_of_memory_is_reported_and_the_kernel_recovers(gpu_kernel):
    code = (
        "import torch\n"
        "total = torch.cuda.get_device_properties(device).total_memory\n"
        "keep = torch.empty(2**28, dtype=torch.uint8, device=device)\n"
        "huge = torch.empty(2 * total, dtype=torch.uint8, device=device)\n"
    )
    events = await collect(gpu_kernel, code, device="cuda")
    [error] = [e for e in events if isinstance(e, RunError)]
    assert error.type == "OutOfMemoryError"
    assert error.line == 4
    assert error.message.startswith("Out of memory: the memory of cuda:0 is full.")
    assert "This step asked for" in error.message and " was free" in error.message
    assert "choose the CPU" in error.message

    # The next Run starts without the last one's 256 MiB cached and can use the GPU again
    # (cuBLAS keeps a few MiB of workspace once a matmul has run: allowed for).
    after = await collect(
        gpu_kernel,
        "import torch\n"
        "print(torch.cuda.memory_reserved(device) < 2**28)\n"
        "print(torch.ones(1000, device=device).sum().item())\n",
        device="cuda",
    )
    assert printed(after) == "True\n1000.0\n"


async def test_the_check_runs_on_the_learners_device(gpu_kernel):
    code = "import torch\nfrom torch import nn\nmodel = nn.Linear(3, 1).to(device)\n"
    check = (
        "import torch\n"
        "assert device.type == 'cuda', 'device is the GPU in the check too'\n"
        "assert next(model.parameters()).is_cuda, 'the model is on the GPU'\n"
        "assert model(torch.randn(2, 3).to(device)).is_cuda, 'and runs there'\n"
    )
    events = await collect(gpu_kernel, code, device="cuda", check=check)
    assert [e for e in events if isinstance(e, CheckResult)] == [
        CheckResult(True, "All checks passed.")
    ]


async def test_a_bare_cuda_means_the_chosen_gpu(gpu_kernel):
    import torch

    if torch.cuda.device_count() < 2:
        pytest.skip("needs two GPUs to tell cuda:1 from cuda:0")
    code = "import torch\nprint(torch.zeros(1).to('cuda').device, device)\n"
    events = await collect(gpu_kernel, code, device="cuda:1")
    assert printed(events) == "cuda:1 cuda:1\n"


@pytest.mark.slow
def test_the_bundled_lessons_hold_on_cuda():
    result = subprocess.run(
        [sys.executable, "-m", "nnlearn", "lessons", "check", "--device", "cuda"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "all checks passed" in result.stdout
