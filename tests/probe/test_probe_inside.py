"""The inside recorder in-process: what one sample measures, and what the training loop pays."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from nnlearn.kernel.events import InsideSample
from nnlearn.probe import training_stats
from nnlearn.probe.training_stats import InsideRecorder


def as_json(samples: list[InsideSample]) -> list[dict[str, Any]]:
    """The recorder's events (``InsideSample`` objects) in their wire form."""
    assert all(isinstance(sample, InsideSample) for sample in samples)
    return [sample.to_json() for sample in samples]


@pytest.fixture
def setup():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    steps = [0]
    recorder = InsideRecorder(lambda: [("model", model)], lambda: steps[0])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(8, 3), torch.randn(8, 1)

    def step():
        optimizer.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        steps[0] += 1
        optimizer.step()

    yield model, recorder, step, x
    recorder.stop()


def test_one_sample_holds_gradients_updates_and_the_next_forward(setup):
    model, recorder, step, x = setup
    recorder.start()
    step()  # the first backward of a Run is sampled
    grads = {n: p.grad.norm().item() for n, p in model.named_parameters()}
    step()  # its forward fills the activations, its backward closes the sample
    recorder.stop()
    report, *later = as_json(recorder.reports(final=True))
    # The optimizer's first step asks for one more; the end of the Run adds the last.
    assert [r["step"] for r in later] == [1, 2] and later[-1]["layers"] == []
    assert report["step"] == 0
    params = {p["name"]: p for p in report["params"]}
    assert list(params) == ["model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"]
    weight = params["model.0.weight"]
    assert weight["grad_norm"] == pytest.approx(grads["0.weight"], rel=1e-5)
    # SGD without momentum moves by lr * grad: the ratio is that over the weight's norm.
    assert weight["update_ratio"] == pytest.approx(
        0.1 * grads["0.weight"] / weight["weight_norm"], rel=1e-3
    )
    assert weight["optimized"] is True
    layers = {layer["name"]: layer for layer in report["layers"]}
    assert list(layers) == ["model.0", "model.1", "model.2"]
    hidden = model[1](model[0](x)).detach()  # the weights moved once since the sample
    assert layers["model.1"]["class"] == "ReLU"
    assert 0 <= layers["model.1"]["zeros"] <= 1
    assert layers["model.1"]["mean"] == pytest.approx(hidden.mean().item(), abs=0.2)


def test_no_sample_is_taken_until_one_is_asked_for(setup):
    model, recorder, step, _ = setup
    recorder.start()
    for _ in range(5):
        step()
    recorder.stop()
    # The Run's first backward, the one after the optimizer's first step, and the end.
    assert [r["step"] for r in as_json(recorder.reports(final=True))] == [0, 1, 5]
    assert not any(module._forward_hooks for module in model.modules())


def test_the_cost_of_a_sample_delays_the_next_one(setup, monkeypatch):
    _, recorder, step, _ = setup
    monkeypatch.setattr(training_stats, "COST_SHARE", 1e-9)  # any sample costs "forever"
    recorder.start()
    for _ in range(3):
        step()
    # The Run's first backward and the new optimizer's first step were sampled.
    assert [r["step"] for r in as_json(recorder.reports())] == [0, 1]
    assert not recorder._requested  # the flusher asked again: refused, not paid off yet
    step()
    recorder.stop()
    assert [r["step"] for r in as_json(recorder.reports(final=True))] == [4]  # the Run's end only


def test_stop_puts_backward_back_and_removes_every_hook(setup):
    model, recorder, step, _ = setup
    original = torch.autograd.backward
    recorder.start()
    assert torch.autograd.backward is not original
    step()
    recorder.stop()
    assert torch.autograd.backward is original
    assert not any(module._forward_hooks for module in model.modules())
    from torch.optim import optimizer as optim_module

    assert not optim_module._global_optimizer_pre_hooks
    assert not optim_module._global_optimizer_post_hooks


def test_off_means_nothing_is_installed(setup):
    _, recorder, step, _ = setup
    original = torch.autograd.backward
    recorder.start(enabled=False)
    assert torch.autograd.backward is original
    step()
    recorder.stop()
    assert as_json(recorder.reports(final=True)) == []


def test_a_failing_measurement_never_breaks_training(setup, monkeypatch):
    model, recorder, step, _ = setup

    def broken(_tensors):
        raise ValueError("boom")

    monkeypatch.setattr(training_stats, "_norms", broken)
    recorder.start()
    step()
    step()
    recorder.stop()
    assert recorder.errors >= 1
    assert all(p.grad is not None for p in model.parameters())


def test_a_run_that_trained_on_after_its_last_sample_gets_one_more_at_the_end(setup):
    _, recorder, step, _ = setup
    recorder.start()
    for _ in range(5):
        step()
    recorder.stop()
    *_, last = as_json(recorder.reports(final=True))
    assert last["step"] == 5
    assert last["layers"] == [] and all(p["grad_norm"] is not None for p in last["params"])


def test_between_samples_a_step_meets_no_hook_and_a_new_optimizer_asks_for_one(setup):
    model, recorder, step, _ = setup
    from torch.optim import optimizer as optim_module

    recorder.start()
    for _ in range(3):
        step()  # samples at 0 and 1, closed by the backward of step 2
    assert not optim_module._global_optimizer_pre_hooks
    assert not optim_module._global_optimizer_post_hooks
    assert not recorder.due
    torch.optim.Adam(model.parameters())  # a second training starts: sample it now
    assert recorder.due
    recorder.stop()
    assert not hasattr(torch.optim.Optimizer.__init__, "__wrapped__")


def test_a_cpu_sample_is_read_when_it_closes_so_the_flusher_runs_no_torch_op(setup, monkeypatch):
    """Each torch op in the flusher hands the GIL to the training loop and back: a stall."""
    model, recorder, step, x = setup
    recorder.start()
    step()
    grad = model[0].weight.grad.norm().item()
    step()  # closes the first sample, on the training thread

    def no_torch_here(*args, **kwargs):
        raise AssertionError("the flusher ran a torch op")

    monkeypatch.setattr(training_stats, "_to_floats", no_torch_here)
    [report] = as_json(recorder.reports())
    assert report["step"] == 0
    assert report["params"][0]["grad_norm"] == pytest.approx(grad, rel=1e-5)
    assert [layer["name"] for layer in report["layers"]] == ["model.0", "model.1", "model.2"]
