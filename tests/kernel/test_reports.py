"""Shapes, parameters and loss reported by a real kernel running real torch on the CPU."""

from __future__ import annotations

import pytest
from kernel_helpers import collect, only

from nnlearn.kernel.events import LossPoints, Params, RunError, RunFinished, Shapes, Stream

pytestmark = pytest.mark.kernel


def shape_rows(events):
    [shapes] = only(events, Shapes)
    return {row.path: row for row in shapes.rows}


def params_by_model(events):
    return {p.model: p for p in only(events, Params)}


async def test_three_to_one_model_keeps_the_batch_dimension(kernel):
    events = await collect(
        kernel,
        "import torch\nfrom torch import nn\n"
        "class Tiny(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.layer = nn.Linear(3, 1)\n"
        "    def forward(self, x):\n"
        "        return self.layer(x)\n"
        "model = Tiny()\n"
        "out = model(torch.randn(4, 3))\n",
        device="cpu",
    )
    rows = shape_rows(events)
    assert rows["model"].cls == "Tiny"
    assert rows["model"].inputs == [[4, 3]]
    assert rows["model"].outputs == [[4, 1]]
    assert rows["model.layer"].outputs == [[4, 1]]
    assert rows["model.layer"].dtype == "float32" and rows["model.layer"].device == "cpu"
    assert events[-1] == RunFinished(True, "cpu", events[-1].seconds)


MLP = """\
import torch
from torch import nn

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 8)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))

model = MLP()
print(model(torch.randn(4, 3)).shape)
"""


async def test_mlp_has_41_parameters_and_every_layer_shape(kernel):
    events = await collect(kernel, MLP, device="cpu")
    assert "".join(e.text for e in only(events, Stream)) == "torch.Size([4, 1])\n"
    params = params_by_model(events)["model"]
    assert (params.cls, params.total, params.trainable, params.frozen) == ("MLP", 41, 41, 0)
    assert [(r.name, r.shape, r.numel) for r in params.rows] == [
        ("fc1.weight", [8, 3], 24),
        ("fc1.bias", [8], 8),
        ("fc2.weight", [1, 8], 8),
        ("fc2.bias", [1], 1),
    ]
    assert params.bytes == 41 * 4
    rows = shape_rows(events)
    assert list(rows) == ["model", "model.fc1", "model.act", "model.fc2"]
    assert rows["model.fc1"].outputs == [[4, 8]]
    assert rows["model.act"].cls == "ReLU"


async def test_sequential_stack_has_108_parameters(kernel):
    events = await collect(
        kernel,
        "import torch\nfrom torch import nn\n"
        "net = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 10), nn.ReLU(),"
        " nn.Linear(10, 3))\n"
        "net(torch.randn(7, 2))\n",
        device="cpu",
    )
    assert params_by_model(events)["net"].total == 108
    rows = shape_rows(events)
    assert rows["net.4"].outputs == [[7, 3]]
    assert rows["net"].cls == "Sequential"


async def test_linear_acts_on_the_last_dimension_and_counts_calls(kernel):
    events = await collect(
        kernel,
        "import torch\nfrom torch import nn\n"
        "layer = nn.Linear(2, 3)\n"
        "a = layer(torch.randn(5, 2))\n"
        "b = layer(torch.randn(4, 5, 2))\n"
        "c = layer(torch.randn(2))\n"
        "print(tuple(a.shape), tuple(b.shape), tuple(c.shape))\n",
        device="cpu",
    )
    text = "".join(e.text for e in only(events, Stream))
    assert text == "(5, 3) (4, 5, 3) (3,)\n"
    row = shape_rows(events)["layer"]
    assert row.inputs == [[5, 2]] and row.outputs == [[5, 3]]
    assert row.calls == 3
    params = params_by_model(events)["layer"]
    assert [(r.name, r.shape) for r in params.rows] == [("weight", [3, 2]), ("bias", [3])]


async def test_batchnorm_buffers_are_state_but_not_parameters(kernel):
    events = await collect(
        kernel,
        "import torch\nfrom torch import nn\n"
        "model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6))\n"
        "model(torch.randn(8, 4))\n",
        device="cpu",
    )
    params = params_by_model(events)["model"]
    assert params.total == 4 * 6 + 6 + 6 + 6
    buffers = {r.name: r for r in params.rows if r.buffer}
    assert set(buffers) == {"1.running_mean", "1.running_var", "1.num_batches_tracked"}
    assert params.buffers == 6 + 6 + 1
    assert not buffers["1.running_mean"].requires_grad
    assert buffers["1.num_batches_tracked"].dtype == "int64"


async def test_tied_weights_count_once(kernel):
    events = await collect(
        kernel,
        "import torch\nfrom torch import nn\n"
        "class Tied(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.embed = nn.Embedding(10, 4)\n"
        "        self.out = nn.Linear(4, 10, bias=False)\n"
        "        self.out.weight = self.embed.weight\n"
        "    def forward(self, ids):\n"
        "        return self.out(self.embed(ids))\n"
        "model = Tied()\n"
        "model(torch.tensor([1, 2, 3]))\n"
        "expected = sum(p.numel() for p in model.parameters())\n"
        "print(expected)\n",
        device="cpu",
    )
    params = params_by_model(events)["model"]
    assert params.total == 40
    assert "".join(e.text for e in only(events, Stream)).strip() == "40"
    assert len(params.rows) == 1


async def test_frozen_backbone_is_split_from_trainable_head(kernel):
    events = await collect(
        kernel,
        "import torch\nfrom torch import nn\n"
        "backbone = nn.Linear(10, 20)\n"
        "head = nn.Linear(20, 2)\n"
        "model = nn.Sequential(backbone, nn.ReLU(), head)\n"
        "backbone.requires_grad_(False)\n",
        device="cpu",
    )
    found = params_by_model(events)
    assert list(found) == ["model"], "submodules named in the namespace are not separate models"
    params = found["model"]
    assert (params.total, params.trainable, params.frozen) == (262, 42, 220)
    frozen = [r.name for r in params.rows if not r.requires_grad]
    assert frozen == ["0.weight", "0.bias"]


async def test_outputs_that_are_tuples_dicts_none_and_non_tensors(kernel):
    events = await collect(
        kernel,
        "import torch\nfrom torch import nn\n"
        "class Odd(nn.Module):\n"
        "    def forward(self, x, scale=None):\n"
        "        return {'double': x * 2, 'pair': (x, None), 'n': 3}\n"
        "class Wrap(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.blocks = nn.ModuleList([Odd(), Odd()])\n"
        "        self.heads = nn.ModuleDict({'a': nn.Linear(2, 1)})\n"
        "    def forward(self, x, y):\n"
        "        self.blocks[0](x)\n"
        "        self.blocks[1](x, 2.0)\n"
        "        return self.heads['a'](y), None\n"
        "model = Wrap()\n"
        "model(torch.zeros(3, 2), torch.zeros(5, 2))\n",
        device="cpu",
    )
    rows = shape_rows(events)
    assert rows["model"].inputs == [[3, 2], [5, 2]]
    assert rows["model"].outputs == [[5, 1], None]
    assert rows["model.blocks.0"].outputs == [[3, 2], [3, 2], None, "int"]
    assert rows["model.blocks.1"].inputs == [[3, 2], "float"]
    assert rows["model.heads.a"].outputs == [[5, 1]]


async def test_three_hundred_training_steps_give_300_loss_points(kernel):
    events = await collect(
        kernel,
        "import torch\nfrom torch import nn\n"
        "torch.manual_seed(0)\n"
        "w = nn.Parameter(torch.randn(1))\n"
        "b = nn.Parameter(torch.randn(1))\n"
        "X = torch.rand(50)\n"
        "y = 0.7 * X + 0.3\n"
        "opt = torch.optim.SGD([w, b], lr=0.5)\n"
        "for step in range(300):\n"
        "    loss = ((w * X + b - y) ** 2).mean()\n"
        "    opt.zero_grad()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        "import nnlearn\n"
        "nnlearn.track('w', w.detach()[0])\n"
        "print(round(w.item(), 2), round(b.item(), 2))\n",
        device="cpu",
    )
    points = [p for e in only(events, LossPoints) if e.series == "loss" for p in e.points]
    assert [step for step, _ in points] == list(range(300))
    assert points[-1][1] < points[0][1]
    assert "".join(e.text for e in only(events, Stream)) == "0.7 0.3\n"
    tracked = [p for e in only(events, LossPoints) if e.series == "w" for p in e.points]
    assert len(tracked) == 1 and abs(tracked[0][1] - 0.7) < 0.01


async def test_each_run_starts_from_a_fresh_namespace(kernel):
    await collect(kernel, "leftover = 1\n", device="cpu")
    events = await collect(kernel, "print(leftover)\n", device="cpu")
    [error] = only(events, RunError)
    assert error.type == "NameError" and error.line == 1
    events = await collect(kernel, "print(device, __name__)\n", device="cpu")
    assert "".join(e.text for e in only(events, Stream)) == "cpu __main__\n"
