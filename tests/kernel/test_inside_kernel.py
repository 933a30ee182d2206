"""Training seen from inside, in a real kernel: gradient flow flags a layer that does not learn."""

from __future__ import annotations

import json
import math

import pytest
from kernel_helpers import collect, only

from nnlearn.kernel.events import InsideSample, LossPoints, RunFinished, Stream
from nnlearn.render.inside import InsideHistory, dead_layers, inside_flags, inside_summary
from nnlearn.render.series import LossSeries

pytestmark = pytest.mark.kernel

TRAINING = """\
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))
{mistake}
optimizer = torch.optim.SGD({params}, lr=0.05)
x, y = torch.randn(32, 3), torch.randn(32, 1)
for step in range(300):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
"""


def history_of(events) -> InsideHistory:
    history = InsideHistory()
    for sample in only(events, InsideSample):
        history.add(sample)
    return history


async def test_a_layer_frozen_by_mistake_is_flagged_by_name(kernel):
    code = TRAINING.format(
        mistake="for p in model[2].parameters():\n    p.requires_grad = False",
        params="model.parameters()",
    )
    events = await collect(kernel, code, device="cpu")
    assert only(events, RunFinished)[-1].ok
    history = history_of(events)
    assert history.samples >= 1
    flags = inside_flags(history)
    assert [(f.layer, f.params) for f in flags] == [("model.2", ("weight", "bias"))]
    assert "requires_grad is False" in flags[0].reason
    first = history.params["model.0.weight"]
    assert first.ever_nonzero and first.last_ratio is not None and first.last_ratio > 0
    assert set(history.layers) == {f"model.{i}" for i in range(5)}


async def test_a_layer_left_out_of_the_optimizer_is_flagged(kernel):
    code = TRAINING.format(mistake="", params="model[2:].parameters()")
    events = await collect(kernel, code, device="cpu")
    flags = inside_flags(history_of(events))
    assert [(f.layer, f.params) for f in flags] == [("model.0", ("weight", "bias"))]
    assert "no optimizer holds it" in flags[0].reason


async def test_a_dead_relu_layer_shows_only_zeros(kernel):
    code = TRAINING.format(
        mistake="with torch.no_grad():\n    model[0].bias.fill_(-100.0)",
        params="model.parameters()",
    )
    events = await collect(kernel, code, device="cpu")
    history = history_of(events)
    assert "model.1" in dead_layers(history)
    # Nothing flows back through a dead ReLU: the first layer's gradient is exactly zero.
    flagged = {f.layer: f.reason for f in inside_flags(history)}
    assert "zero gradient" in flagged["model.0"]


async def test_inside_off_sends_no_samples_and_leaves_loss_alone(kernel):
    code = TRAINING.format(mistake="", params="model.parameters()")
    events = await collect(kernel, code, device="cpu", inside=False)
    assert only(events, InsideSample) == []
    assert sum(len(e.points) for e in only(events, LossPoints)) == 300


async def test_the_hooks_are_gone_after_the_run(kernel):
    code = TRAINING.format(mistake="", params="model.parameters()")
    await collect(kernel, code, device="cpu")
    probe = (
        "import torch\n"
        "from torch.optim import optimizer as o\n"
        "print(len(o._global_optimizer_pre_hooks), len(o._global_optimizer_post_hooks))\n"
        "wrapper = torch.autograd.backward\n"
        "print(*(f.__code__.co_filename.split('/')[-2] for f in (wrapper, wrapper.__wrapped__)))\n"
        "print(hasattr(torch.optim.Optimizer.__init__, '__wrapped__'))\n"
    )

    async def printed(**kwargs):
        events = await collect(kernel, probe, device="cpu", **kwargs)
        return "".join(e.text for e in only(events, Stream)).split("\n")

    # The optimizer hooks live only while a sample is open (none here: no backward);
    # with the sampling on, a new optimizer is noticed when it is made. One wrapper of
    # backward (the loss recorder's) serves both, and nothing is left from earlier Runs.
    assert printed_lines(await printed())[:3] == ["0 0", "probe autograd", "True"]
    assert printed_lines(await printed(inside=False))[:3] == ["0 0", "probe autograd", "False"]


def printed_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if line]


async def test_two_models_each_with_its_own_optimizer_are_not_flagged(kernel):
    code = """\
import torch
from torch import nn
torch.manual_seed(0)
a, b = nn.Linear(3, 1), nn.Linear(3, 1)
x, y = torch.randn(16, 3), torch.randn(16, 1)
for model in (a, b):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(200):
        optimizer.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()
"""
    events = await collect(kernel, code, device="cpu")
    history = history_of(events)
    assert {"a.weight", "b.weight"} <= set(history.params)
    assert inside_flags(history) == []


def summary_of(events) -> str:
    """What the Inside view says above its tables, given the Run's loss too."""
    loss = LossSeries()
    for event in only(events, LossPoints):
        loss.add(event)
    return inside_summary(history_of(events), loss.points("loss")).plain


async def test_a_run_whose_loss_turns_nan_is_not_called_healthy(kernel):
    code = TRAINING.format(mistake="", params="model.parameters()").replace("lr=0.05", "lr=1e6")
    events = await collect(kernel, code, device="cpu")
    last = history_of(events).params["model.0.weight"].grad_norms[-1]
    assert last is not None and math.isnan(last)  # NaN on the wire, not null ("no .grad")
    summary = summary_of(events)
    assert "✓" not in summary
    assert "✗ the gradients of all 6 parameters are NaN" in summary
    for event in events:  # what --json writes: JSON has no NaN
        json.dumps(event.to_json(), allow_nan=False)


async def test_a_nan_loss_whose_gradients_stay_finite_is_not_called_healthy(kernel):
    # log of a negative number: the loss is NaN, its gradient (1/x) is finite.
    code = TRAINING.format(mistake="", params="model.parameters()").replace(
        "nn.functional.mse_loss(model(x), y)", "torch.log(model(x) - 100).mean()"
    )
    events = await collect(kernel, code, device="cpu")
    summary = summary_of(events)
    assert "✓" not in summary
    assert "✗ the loss is NaN at step 299" in summary
