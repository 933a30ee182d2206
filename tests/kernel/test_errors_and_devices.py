"""Errors point at the learner's line; a missing device fails before the code runs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from kernel_helpers import collect, only

from nnlearn.kernel.events import CheckResult, RunError, RunFinished, Stream

pytestmark = pytest.mark.kernel


async def test_syntax_error_names_its_line(kernel):
    events = await collect(kernel, "import torch\n\nx = torch.zeros(3\nprint(x)\n", device="cpu")
    [error] = only(events, RunError)
    assert error.type == "SyntaxError"
    assert error.line in (3, 4)
    assert "<editor>" in error.traceback
    assert events[-1].ok is False


async def test_shape_mismatch_points_at_the_learners_line_inside_forward(kernel):
    code = (
        "import torch\n"
        "from torch import nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(2, 8)\n"
        "    def forward(self, x):\n"
        "        return self.fc(x)\n"
        "net = Net()\n"
        "net(torch.randn(4, 3))\n"
    )
    events = await collect(kernel, code, device="cpu")
    [error] = only(events, RunError)
    assert error.type == "RuntimeError"
    assert "4x3 and 2x8" in error.message
    assert error.line == 8
    assert 'File "<editor>", line 10, in <module>' in error.traceback
    assert 'File "<editor>", line 8, in forward' in error.traceback
    assert "torch/nn/modules" not in error.traceback, "torch's own frames are trimmed"
    assert isinstance(events[-1], RunFinished) and not events[-1].ok


async def test_missing_cuda_fails_before_the_code_runs(kernel):
    events = await collect(kernel, "print('ran')\n", device="cuda")
    assert not only(events, Stream), "the learner's code must not run"
    [error] = only(events, RunError)
    assert error.type == "DeviceError"
    assert "CUDA is not available" in error.message
    assert "cpu" in error.message
    assert events[-1].ok is False


async def test_unknown_device_name_is_refused(kernel):
    events = await collect(kernel, "print('ran')\n", device="tpu")
    [error] = only(events, RunError)
    assert "Unknown device 'tpu'" in error.message


async def test_check_passes_and_fails_with_the_checks_message(kernel):
    passing = await collect(kernel, "x = 2\n", device="cpu", check="assert x == 2, 'x must be 2'")
    assert only(passing, CheckResult) == [CheckResult(True, "All checks passed.")]
    failing = await collect(kernel, "x = 3\n", device="cpu", check="assert x == 2, 'x must be 2'")
    assert only(failing, CheckResult) == [CheckResult(False, "x must be 2")]
    bare = await collect(kernel, "x = 3\n", device="cpu", check="assert x == 2")
    assert only(bare, CheckResult)[0].message == "The check failed: assert x == 2"
    broken = await collect(kernel, "x = \n", device="cpu", check="assert x == 2")
    assert only(broken, CheckResult)[0].ok is False


def test_cli_run_with_cuda_on_a_cpu_machine_says_so(tmp_path):
    script = tmp_path / "model.py"
    script.write_text("print('hello')\n")
    result = subprocess.run(
        [sys.executable, "-m", "nnlearn", "run", str(script), "--device", "cuda"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "CUDA is not available" in result.stdout
    assert "hello" not in result.stdout
