"""A model with thousands of modules: complete in parts, grouped in the tables, bounded text."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from kernel_helpers import collect, only

from nnlearn.kernel.events import Params, RunFinished, Shapes
from nnlearn.kernel.parts import ROWS_PER_PART, PartJoiner
from nnlearn.render.grouping import group_param_rows, group_shape_rows

pytestmark = pytest.mark.kernel

BLOCKS = 700  # 1 + 3 * 700 = 2,101 modules, 1,400 parameter tensors: both tables in parts

HUGE = f"""\
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x))


class Big(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList(Block() for _ in range({BLOCKS}))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


model = Big()
print(model(torch.zeros(2, 4)).shape)
print(len(list(model.modules())), len(list(model.parameters())))
"""

MODULES = 1 + 3 * BLOCKS
PARAMETER_TENSORS = 2 * BLOCKS


async def test_every_module_and_parameter_arrives_in_parts(kernel):
    events = await collect(kernel, HUGE, device="cpu")
    assert isinstance(events[-1], RunFinished) and events[-1].ok
    shapes_parts = only(events, Shapes)
    params_parts = only(events, Params)
    assert len(shapes_parts) == -(-MODULES // ROWS_PER_PART)
    assert all(len(part.rows) <= ROWS_PER_PART for part in shapes_parts + params_parts)
    assert [part.first_row for part in shapes_parts] == [0, 1000, 2000]
    assert {part.rows_total for part in shapes_parts} == {MODULES}

    joiner = PartJoiner()
    whole = [event for event in map(joiner.add, events) if event is not None]
    [shapes] = only(whole, Shapes)
    [params] = only(whole, Params)
    paths = [row.path for row in shapes.rows]
    assert len(paths) == len(set(paths)) == MODULES
    assert paths[:4] == ["model", "model.blocks.0", "model.blocks.0.fc", "model.blocks.0.act"]
    assert len(params.rows) == PARAMETER_TENSORS
    assert params.total == BLOCKS * (16 + 4)


async def test_identical_blocks_of_a_real_model_are_grouped(kernel):
    events = await collect(kernel, HUGE, device="cpu")
    joiner = PartJoiner()
    whole = [event for event in map(joiner.add, events) if event is not None]
    [shapes] = only(whole, Shapes)
    [params] = only(whole, Params)
    grouped = [(g.label, g.row.cls, g.copies) for g in group_shape_rows(shapes.rows)]
    top = f"model.blocks.{{0..{BLOCKS - 1}}}"
    assert grouped == [
        ("model", "Big", 1),
        (top, "Block", BLOCKS),
        (top + ".fc", "Linear", BLOCKS),
        (top + ".act", "ReLU", BLOCKS),
    ]
    grouped_params = [(g.label, g.copies) for g in group_param_rows(params.rows)]
    assert grouped_params == [
        (f"blocks.{{0..{BLOCKS - 1}}}.fc.weight", BLOCKS),
        (f"blocks.{{0..{BLOCKS - 1}}}.fc.bias", BLOCKS),
    ]


async def test_a_transformers_layers_are_grouped(kernel):
    code = (
        "import torch\nfrom torch import nn\n"
        "layer = nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32)\n"
        "model = nn.TransformerEncoder(layer, num_layers=12, enable_nested_tensor=False)\n"
        "out = model(torch.zeros(5, 2, 16))\n"
    )
    events = await collect(kernel, code, device="cpu")
    [shapes] = only(events, Shapes)
    labels = {g.label: g.copies for g in group_shape_rows(shapes.rows)}
    assert labels["model.layers.{0..11}"] == 12
    assert labels["model.layers.{0..11}.self_attn"] == 12
    assert not any(label.startswith("model.layers.3") for label in labels)


def nnlearn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nnlearn", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "COLUMNS": "160",
            "LINES": "24",
            "NO_COLOR": "1",
        },  # the cost columns need room
    )


@pytest.mark.slow
def test_run_json_streams_complete_lines_and_text_stays_bounded(tmp_path):
    path = tmp_path / "huge.py"
    path.write_text(HUGE)
    result = nnlearn("run", str(path), "--json", "--device", "cpu")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    shapes = [line for line in lines if line["kind"] == "shapes"]
    params = [line for line in lines if line["kind"] == "params"]
    assert sum(len(line["rows"]) for line in shapes) == MODULES
    assert sum(len(line["rows"]) for line in params) == PARAMETER_TENSORS
    assert all(len(line["rows"]) <= ROWS_PER_PART for line in shapes + params)
    assert [line["first_row"] for line in shapes] == [0, 1000, 2000]
    assert lines[-1]["kind"] == "done"

    text = nnlearn("run", str(path), "--device", "cpu")
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert f"model.blocks.{{0..{BLOCKS - 1}}} ×{BLOCKS}" in out
    assert f"{MODULES:,} modules" in out
    assert len(out.splitlines()) < 60
    everything = nnlearn("run", str(path), "--device", "cpu", "--all").stdout
    assert f"model.blocks.{BLOCKS - 1}.act" in everything
    assert "×" not in everything
