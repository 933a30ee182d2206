"""``nnlearn run`` and ``nnlearn doctor`` as a user types them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.kernel

SCRIPT = """\
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
x = torch.randn(16, 3)
y = x.sum(dim=1, keepdim=True)
for step in range(20):
    loss = nn.functional.mse_loss(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("trained")
"""


def nnlearn(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nnlearn", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "80", "LINES": "24", **env},
    )


def test_run_prints_output_tables_and_plot(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    result = nnlearn("run", str(path), NO_COLOR="1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("trained\n")
    assert "model.0" in out and "(16, 3) → (16, 8)" in out
    assert "41 parameters" in out
    assert "loss: step 19" in out
    assert "\x1b[" not in out, "NO_COLOR means no escape codes"
    assert all(len(line) <= 80 for line in out.splitlines())


def test_run_json_lines_are_stable(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    result = nnlearn("run", str(path), "--json", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [line["kind"] for line in lines]
    assert kinds[-1] == "done" and lines[-1]["ok"] is True and lines[-1]["device"] == "cpu"
    assert {"stream", "shapes", "params", "loss"} <= set(kinds)
    points = [p for line in lines if line["kind"] == "loss" for p in line["points"]]
    assert [p[0] for p in points] == list(range(20))
    [params] = [line for line in lines if line["kind"] == "params"]
    assert params["total"] == 41 and params["class"] == "Sequential"
    # The last shapes line is the final count; earlier ones go out live with loss batches
    # (how many depends on the machine's speed).
    shapes = [line for line in lines if line["kind"] == "shapes"][-1]
    assert shapes["rows"][1] == {
        "path": "model.0",
        "class": "Linear",
        "inputs": [[16, 3]],
        "outputs": [[16, 8]],
        "dtype": "float32",
        "device": "cpu",
        "calls": 20,
        "kwargs": {},
        "signatures": [{"inputs": [[16, 3]], "kwargs": {}, "outputs": [[16, 8]], "calls": 20}],
        "flops": 2 * 16 * 3 * 8,
        "flops_uncounted": [],
        "output_bytes": 16 * 8 * 4,
        "params": 32,
        "trainable": 32,
        "param_bytes": 32 * 4,
    }
    assert shapes["rows"][0]["flops"] == 2 * 16 * 3 * 8 + 2 * 16 * 8 * 1
    assert shapes["rows"][2]["flops"] is None and shapes["rows"][2]["flops_uncounted"] == ["relu"]
    [memory] = [line for line in lines if line["kind"] == "memory"]
    assert memory["device"] == "cpu" and memory["peak_bytes"] > 0


def test_failing_script_exits_non_zero_with_its_line(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import torch\nx = torch.zeros(2, 3)\ny = x @ x\n")
    result = nnlearn("run", str(path), "--json")
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    [error] = [line for line in lines if line["kind"] == "error"]
    assert error["line"] == 3 and error["type"] == "RuntimeError"


def test_missing_file_is_a_clear_error(tmp_path):
    result = nnlearn("run", str(tmp_path / "nope.py"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr and "nope.py" in result.stderr


def test_doctor_reports_versions_devices_and_terminal():
    result = nnlearn("doctor")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "torch" in out and "2." in out
    assert "device cpu" in out
    assert "memory cpu" in out and " free of " in out
    assert "kernel start + warm" in out
    assert "no GPU" in out or "cuda" in out


def refuse_nan(token: str) -> float:
    raise ValueError(f"{token} is not JSON")


def test_a_run_that_turns_nan_is_reported_as_broken_in_text_and_in_strict_json(tmp_path):
    path = tmp_path / "diverge.py"
    path.write_text(SCRIPT.replace("lr=0.05", "lr=1e6").replace("range(20)", "range(60)"))
    text = nnlearn("run", str(path), "--device", "cpu", NO_COLOR="1")
    assert text.returncode == 0, text.stderr
    summary = " ".join(text.stdout.split())
    assert "✓ every parameter receives a gradient" not in summary
    assert "✗ the gradients of all 4 parameters are NaN" in summary
    assert "lower the learning rate" in summary
    result = nnlearn("run", str(path), "--json", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line, parse_constant=refuse_nan) for line in result.stdout.splitlines()]
    last = [line for line in lines if line["kind"] == "inside"][-1]
    assert {param["grad_norm"] for param in last["params"]} == {"nan"}


COMPILED_STEP = """\
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(16, 3), torch.randn(16, 1)

@torch.compile(backend="eager")
def train_step():
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    return loss

for _ in range(3):
    loss = train_step()
print(round(loss.item(), 4))
"""


def test_a_compiled_training_step_prints_what_python_prints(tmp_path):
    """Dynamo traces into Tensor.backward: ours must look like torch's to it (reading the
    loss there broke its graph, and dynamo's warning reached the learner's terminal)."""
    script = tmp_path / "compiled.py"
    script.write_text(COMPILED_STEP)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    result = nnlearn("run", str(script), "--json")
    assert result.returncode == 0, result.stderr
    printed = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    streams = [r for r in printed if r.get("kind") == "stream"]
    errors = "".join(r["text"] for r in streams if r["name"] == "stderr") + result.stderr
    assert "Graph break" not in errors and "nnlearn" not in errors
    out = "".join(r["text"] for r in streams if r["name"] == "stdout")
    assert out == plain.stdout == "0.7317\n"


RICH_SCRIPT = """\
from rich import print
from rich.progress import track
print("[bold red]hello[/] from rich")
for _ in track(range(3), description="working"):
    pass
"""


def test_rich_output_to_a_file_is_the_plain_text_python_writes(tmp_path):
    """rich printed nothing in a Run (it took the kernel for a notebook); then, with the
    colour ipykernel forces, it wrote colour codes and rewrites into a pipe or file."""
    script = tmp_path / "fancy.py"
    script.write_text(RICH_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    env["COLUMNS"] = "80"

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)

    plain = run(sys.executable, str(script))
    result = run(sys.executable, "-m", "nnlearn", "run", str(script), "--no-inside")
    assert result.returncode == 0, result.stderr
    assert "hello from rich" in plain.stdout
    assert result.stdout.startswith(plain.stdout)
