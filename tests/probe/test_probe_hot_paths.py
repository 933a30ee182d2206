"""The training step's hot paths (module calls, ``loss.backward()``) take shortcuts:
each shortcut must do exactly what torch's own code would have done."""

from __future__ import annotations

import warnings

import torch
from torch import nn

from nnlearn.probe.loss import LossRecorder
from nnlearn.probe.shapes import ShapeRecorder


def _recorded(run) -> ShapeRecorder:
    recorder = ShapeRecorder()
    recorder.start()
    try:
        run()
    finally:
        recorder.stop()
    return recorder


def test_a_hook_added_after_the_first_call_still_runs():
    layer = nn.Linear(2, 2)
    seen: list[str] = []
    x = torch.zeros(1, 2)

    def run() -> None:
        layer(x)
        handle = layer.register_forward_hook(lambda *_: seen.append("module hook"))
        layer(x)
        handle.remove()
        handle = nn.modules.module.register_module_forward_pre_hook(
            lambda *_: seen.append("global hook")
        )
        try:
            layer(x)
        finally:
            handle.remove()
        layer(x)

    recorder = _recorded(run)
    assert seen == ["module hook", "global hook"]
    [row] = recorder.report({}).rows
    assert row.calls == 4


def test_modules_hashed_or_compared_their_own_way_are_counted_each_as_itself():
    """The hot path finds a module's last call by the module itself: a class whose
    ``__eq__`` says two blocks are equal (or that is unhashable) must not mix them up."""

    class SameAsAnyOther(nn.Linear):
        def __eq__(self, other):
            return isinstance(other, SameAsAnyOther)

        def __hash__(self):
            return 7

    class Unhashable(nn.Linear):
        def __eq__(self, other):
            return self is other

    blocks = [SameAsAnyOther(2, 2), SameAsAnyOther(2, 2), Unhashable(2, 2), nn.Linear(2, 2)]
    x, wide = torch.zeros(1, 2), torch.zeros(3, 1, 2)

    def run() -> None:
        for times, block in enumerate(blocks, start=1):
            for _ in range(times):
                block(x)
            block(wide)

    recorder = _recorded(run)
    rows = recorder.report({id(block): (i, f"b{i}") for i, block in enumerate(blocks)}).rows
    assert [row.calls for row in rows] == [2, 3, 4, 5]
    assert [[sig.calls for sig in row.signatures] for row in rows] == [
        [1, 1],
        [2, 1],
        [3, 1],
        [4, 1],
    ]
    assert [row.signatures[1].inputs for row in rows] == [[[3, 1, 2]]] * 4


def test_a_class_with_its_own_call_impl_keeps_it_on_every_call():
    calls: list[int] = []

    class Counted(nn.Linear):
        def _call_impl(self, *args, **kwargs):
            calls.append(1)
            return super()._call_impl(*args, **kwargs)

    layer = Counted(2, 2)
    _recorded(lambda: [layer(torch.zeros(1, 2)) for _ in range(3)])
    assert len(calls) == 3


def test_a_jit_trace_runs_as_under_python_and_hears_nothing_from_us():
    """The tracer names values after variables in the frames above it: ours must not show."""
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    x = torch.zeros(1, 2)
    traced: list[torch.jit.ScriptModule] = []
    eager_calls: list[int] = []  # the trace checks call the model eagerly too
    model.register_forward_pre_hook(
        lambda *_: None if torch._C._get_tracing_state() else eager_calls.append(1)
    )

    def run() -> None:
        model(x)
        traced.append(torch.jit.trace(model, x))
        traced.append(torch.jit.trace(model, torch.zeros(4, 2)))  # its check traces it again

    with warnings.catch_warnings(record=True) as heard:
        warnings.simplefilter("always")
        recorder = _recorded(run)
    eager = len(eager_calls)
    assert [str(w.message) for w in heard if "nnlearn" in w.filename] == []
    assert torch.equal(traced[1](torch.ones(4, 2)), model(torch.ones(4, 2)))
    assert "aten::linear" in str(traced[0].inlined_graph)
    [row, *_] = recorder.report({}).rows
    assert row.cls == "Sequential" and row.calls == eager > 1  # traced ones: not


def test_loss_backward_and_autograd_backward_are_each_kept_once():
    original_method, original_function = torch.Tensor.backward, torch.autograd.backward
    recorder = LossRecorder(lambda _reports: None)
    recorder.start(flush_in_background=False)
    try:
        w = nn.Parameter(torch.tensor(2.0))
        (w * 3).backward()
        torch.autograd.backward(w * 5)
        (w * 7).backward(retain_graph=False, inputs=[w])
        assert torch.Tensor.backward.__doc__ == original_method.__doc__
    finally:
        recorder.stop()
    assert torch.Tensor.backward is original_method
    assert torch.autograd.backward is original_function
    assert [r.points for r in recorder.reports()] == [((0, 6.0), (1, 10.0), (2, 14.0))]
    assert w.grad is not None and w.grad.item() == 15.0


def test_autograd_backward_replaced_during_the_run_is_called_by_loss_backward():
    recorder = LossRecorder(lambda _reports: None)
    recorder.start(flush_in_background=False)
    wrapped = torch.autograd.backward
    called: list[float] = []

    def learners_backward(tensors, *args, **kwargs):
        called.append(tensors.detach().item())
        return wrapped(tensors, *args, **kwargs)

    try:
        torch.autograd.backward = learners_backward
        w = nn.Parameter(torch.tensor(1.0))
        (w * 4).backward()
    finally:
        torch.autograd.backward = wrapped
        recorder.stop()
    assert called == [4.0]
    assert [r.points for r in recorder.reports()] == [((0, 4.0),)]
