"""The device design in a real kernel: ``device`` is offered, nothing is moved for the learner.

On this CPU machine these pin the CPU side; tests/gpu/ proves the CUDA side.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from kernel_helpers import collect, only, stdout

from nnlearn.doctor import memory_table_rows
from nnlearn.kernel.events import CheckResult, MemoryRow, RunError, RunFinished

pytestmark = pytest.mark.kernel


async def test_device_is_offered_and_new_tensors_stay_on_the_cpu(kernel):
    code = (
        "import torch\n"
        "from torch import nn\n"
        "print(type(device).__name__, device)\n"
        "print(torch.zeros(1).device, nn.Linear(2, 2).weight.device)\n"
        "print(torch.get_default_device())\n"
        "torch.manual_seed(0)\n"
        "print(torch.randn(3).tolist())\n"
    )
    events = await collect(kernel, code, device="auto")
    import torch  # the test process, as plain python: the seeded numbers must agree

    torch.manual_seed(0)
    expected = torch.randn(3).tolist()
    assert stdout(events) == f"device cpu\ncpu cpu\ncpu\n{expected}\n"
    assert events[-1].ok and events[-1].device == "cpu"


async def test_the_check_sees_device_and_the_learners_model_on_it(kernel):
    code = "import torch\nfrom torch import nn\nmodel = nn.Linear(3, 1).to(device)\n"
    check = (
        "import torch\n"
        "assert isinstance(device, torch.device), 'device is offered to the check'\n"
        "out = model(torch.randn(2, 3).to(device))\n"
        "assert out.device.type == device.type, 'the check runs where the model is'\n"
        "assert out.shape == (2, 1), 'shape'\n"
    )
    events = await collect(kernel, code, device="cpu", check=check)
    assert only(events, CheckResult) == [CheckResult(True, "All checks passed.")]


async def test_running_out_of_memory_is_reported_as_such_and_the_kernel_goes_on(kernel):
    code = "import torch\n\nhuge = torch.empty(2**62, dtype=torch.uint8)\n"
    events = await collect(kernel, code, device="cpu")
    [error] = only(events, RunError)
    assert error.type == "RuntimeError"
    assert error.line == 3
    assert error.message.startswith("Out of memory: the CPU's memory (RAM) is full.")
    assert "This step asked for 4096.0 PiB" in error.message
    assert "smaller batch" in error.message
    assert "DefaultCPUAllocator" in error.traceback, "torch's own words stay in the traceback"
    assert isinstance(events[-1], RunFinished) and not events[-1].ok

    after = await collect(kernel, "import torch\nprint(torch.ones(4).sum().item())\n")
    assert stdout(after) == "4.0\n"
    assert after[-1].ok


async def test_the_memory_doctor_shows_comes_from_the_kernel(kernel):
    from nnlearn.doctor import _memory_rows

    rows = dict(await _memory_rows(kernel))
    assert " free of " in rows["memory cpu"]


def test_memory_rows_for_the_doctor_table():
    rows = memory_table_rows(
        [
            MemoryRow("cpu", 2**30, 4 * 2**30),
            MemoryRow("cuda:0", None, 80 * 2**30),
            MemoryRow("cuda:1", error="CUDA error: uncorrectable ECC error"),
            MemoryRow("mps"),
        ]
    )
    assert rows == [
        ("memory cpu", "1.0 GiB free of 4.0 GiB"),
        ("memory cuda:0", "80.0 GiB (free memory unknown here)"),
        ("memory cuda:1", "cannot be read: CUDA error: uncorrectable ECC error"),
        ("memory mps", "unknown on this system"),
    ]


def test_lessons_check_on_a_missing_device_says_so_once():
    result = subprocess.run(
        [sys.executable, "-m", "nnlearn", "lessons", "check", "--device", "cuda"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if "cannot check on device" in line]
    assert len(problems) == 1, result.stdout
    assert "CUDA is not available" in problems[0]
