"""The probe's recorders and tables, in-process (no kernel): cheap, exact unit tests."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from nnlearn.probe import loss as loss_module
from nnlearn.probe.errors import exception_report, syntax_error_report
from nnlearn.probe.loss import LossRecorder
from nnlearn.probe.params import module_paths, params_reports, top_level_models
from nnlearn.probe.shapes import ShapeRecorder, describe


def test_describe_flattens_tensors_and_names_the_rest():
    out: list = []
    describe((torch.zeros(2, 3), (None, 4), {"a": torch.zeros(1)}, "text"), out)
    assert out == [[2, 3], None, "int", [1], "str"]
    many: list = []
    describe([torch.zeros(1)] * 20, many)
    assert len(many) == 9 and many[-1] == "…"


def test_recorder_counts_calls_and_restores_module_call():
    original = nn.Module.__call__
    recorder = ShapeRecorder()
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    recorder.start()
    try:
        for _ in range(5):
            model(torch.zeros(2, 3))
        model.forward(torch.zeros(2, 3))  # direct forward: children are called, the model is not
    finally:
        recorder.stop()
    assert nn.Module.__call__ is original
    report = recorder.report(module_paths([("model", model)]))
    rows = {row.path: row for row in report.rows}
    assert list(rows) == ["model", "model.0", "model.1"]
    assert rows["model"].calls == 5
    assert rows["model.0"].calls == 6
    assert rows["model.0"].outputs == [[2, 4]]


def test_under_a_learners_function_mode_calls_are_counted_and_our_reads_unseen():
    from torch.overrides import TorchFunctionMode

    class Spy(TorchFunctionMode):
        def __init__(self):
            super().__init__()
            self.names = []

        def __torch_function__(self, func, types, args=(), kwargs=None):
            self.names.append(getattr(func, "__name__", str(func)))
            return func(*args, **(kwargs or {}))

    recorder = ShapeRecorder()
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    x, wider = torch.zeros(2, 3), torch.zeros(5, 3)
    recorder.start()
    try:
        with Spy() as spy:
            for _ in range(3):
                model(x)
            model(wider)
    finally:
        recorder.stop()
    assert spy.names == ["linear", "relu"] * 4, "only the forward passes' own calls"
    rows = {row.path: row for row in recorder.report(module_paths([("model", model)])).rows}
    assert [s.calls for s in rows["model.0"].signatures] == [3, 1]
    assert [s.inputs for s in rows["model.0"].signatures] == [[[2, 3]], [[5, 3]]]


def test_unnamed_modules_get_their_class_in_brackets():
    recorder = ShapeRecorder()
    recorder.start()
    try:
        nn.Linear(2, 2)(torch.zeros(1, 2))
    finally:
        recorder.stop()
    [row] = recorder.report({}).rows
    assert row.path == "(Linear)"


def test_top_level_models_skip_submodules_aliases_and_private_names():
    encoder = nn.Linear(2, 2)
    model = nn.Sequential(encoder, nn.ReLU())
    namespace = {"encoder": encoder, "model": model, "alias": model, "_hidden": nn.Linear(1, 1)}
    assert top_level_models(namespace) == [("model", model)]


def test_stateless_torch_modules_are_left_out_of_params_but_custom_ones_stay():
    class Empty(nn.Module):
        def forward(self, x):
            return x

    reports = params_reports([("loss_fn", nn.MSELoss()), ("mine", Empty())])
    assert [r.model for r in reports] == ["mine"]
    assert reports[0].total == 0


def test_loss_recorder_batches_and_sends_nan_as_null():
    published = []
    recorder = LossRecorder(published.append)
    recorder.start()
    try:
        w = nn.Parameter(torch.tensor(1.0))
        for _ in range(3):
            (w * 2).backward()
        (w * float("nan")).backward()
        torch.ones(2, requires_grad=True).sum().backward()
        vector = torch.ones(2, requires_grad=True) * 1
        vector.backward(torch.ones(2))  # not a scalar: not a loss point
    finally:
        recorder.stop()
    reports = [r for batch in published for r in batch] + recorder.reports()
    points = [p for r in reports for p in r.points]
    assert [step for step, _ in points] == [0, 1, 2, 3, 4]
    assert points[0][1] == 2.0 and math.isnan(points[3][1]) and points[4][1] == 2.0
    assert torch.autograd.backward.__module__ == "torch.autograd"


@pytest.mark.parametrize("accelerator", [False, True], ids=["cpu-only", "accelerator"])
def test_every_one_element_backward_is_a_loss_point_on_either_path(monkeypatch, accelerator):
    """Without an accelerator the loss is read at once; with one, each tensor's device is
    asked first. Both keep what ``backward()`` takes without a gradient, and only that."""
    monkeypatch.setattr(loss_module, "accelerator_available", lambda: accelerator)
    published: list = []
    recorder = LossRecorder(published.append)
    recorder.start(flush_in_background=False)
    try:
        w = nn.Parameter(torch.tensor([1.5]))
        (w * 2).backward()  # shape (1,)
        (w * 2).sum().backward()  # shape ()
        (w * torch.ones(1, 1)).backward()  # shape (1, 1)
        (w * torch.ones(3)).backward(torch.ones(3))  # three elements: not a loss
        torch.autograd.backward(w * 4)
    finally:
        recorder.stop()
    points = [p for r in recorder.reports() for p in r.points]
    assert points == [(0, 3.0), (1, 3.0), (2, 1.5), (3, 6.0)]


def test_the_loss_recorder_keeps_no_step_alive():
    """A step's loss and its graph die when the loop drops them, as under python.

    Holding each step's tensor until the flush (even detached) pinned its memory,
    and every later step of a small training loop was 5 % slower.
    """
    import weakref

    recorder = LossRecorder(lambda _reports: None)
    recorder.start(flush_in_background=False)
    try:
        w = nn.Parameter(torch.tensor(3.0))
        loss = (w * 2) ** 2
        dead = weakref.ref(loss)
        loss.backward()
        del loss
        assert dead() is None  # and with it the step's graph
        assert recorder._losses == [36.0]  # the value itself, read without a sync (CPU)
    finally:
        recorder.stop()
    assert [r.points for r in recorder.reports()] == [((0, 36.0),)]


def test_a_loss_tensor_subclass_is_kept_untouched():
    """Nothing is called on a subclass (its __torch_function__ would see it) until the flush."""

    class Logged(torch.Tensor):
        pass

    recorder = LossRecorder(lambda _reports: None)
    recorder.start(flush_in_background=False)
    try:
        w = nn.Parameter(torch.tensor(1.0))
        (w * 2).as_subclass(Logged).backward()
    finally:
        recorder.stop()
    assert [r.points for r in recorder.reports()] == [((0, 2.0),)]


def test_errors_keep_only_editor_frames():
    code = "def f():\n    return 1 / 0\nf()\n"
    try:
        exec(compile(code, "<editor>", "exec"), {})
    except ZeroDivisionError as exc:
        report = exception_report(exc, "<editor>")
    assert report.line == 2
    assert report.type == "ZeroDivisionError"
    assert "test_probe_recorders" not in report.traceback
    try:
        compile("x = (", "<editor>", "exec")
    except SyntaxError as exc:
        syntax = syntax_error_report(exc)
    assert syntax.line == 1 and syntax.type == "SyntaxError"


def test_roots_are_the_outermost_called_modules_whatever_was_called_first():
    def build_and_call():
        net = nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), nn.Linear(2, 1))
        other = nn.Linear(2, 2)
        x = torch.zeros(1, 2)
        net[0][0](x)  # a part first, then the whole, then a module of its own
        net(x)
        other(x)

    recorder = ShapeRecorder()
    recorder.start()
    try:
        build_and_call()
    finally:
        recorder.stop()
    roots = recorder.roots(set())
    assert [(name, type(module).__name__) for name, module in roots] == [
        ("net", "Sequential"),
        ("other", "Linear"),
    ]
    recorder.clear()


def test_the_flusher_sends_a_runs_first_points_soon_then_at_the_plots_redraw_rate(monkeypatch):
    from nnlearn.probe import loss

    recorder = LossRecorder(lambda _reports: None)
    clock = [100.0]
    monkeypatch.setattr(loss.time, "monotonic", lambda: clock[0])
    recorder.start(flush_in_background=False)
    try:
        assert recorder.flush_interval() == loss.FIRST_FLUSH_AFTER == 0.1
        clock[0] += loss.FIRST_FLUSH_AFTER + 0.01
        assert recorder.flush_interval() == loss.FLUSH_INTERVAL == 0.25
        clock[0] += 60
        assert recorder.flush_interval() == loss.FLUSH_INTERVAL
        recorder.start(flush_in_background=False)  # the next Run's first points come soon again
        assert recorder.flush_interval() == loss.FIRST_FLUSH_AFTER
    finally:
        recorder.stop()


def test_a_flush_of_thousands_of_points_makes_no_object_per_point():
    """Tuples per point set off the kernel's garbage collector on the learner's time."""
    import gc

    recorder = LossRecorder(lambda _reports: None)
    recorder.start(flush_in_background=False)
    try:
        for step in range(10_000):
            recorder.add("loss", step / 7, None)
            recorder.add("acc", 0.5, None)
            recorder.add("val", 0.25, step * 2)  # gaps: sent as pairs, kept as two lists
        gc.disable()
        try:
            before = gc.get_count()[0]
            reports = recorder.reports()
            wire = [report.to_wire() for report in reports[:2]]
            made = gc.get_count()[0] - before
        finally:
            gc.enable()
    finally:
        recorder.stop()
    assert made < 100, f"{made} objects the collector counts, for 30,000 points"
    loss, acc, val = reports
    assert list(loss.points)[-1] == (9_999, 9_999 / 7) and len(acc.points) == 10_000
    assert val.points[1] == (2, 0.25) and wire[0]["first"] == wire[1]["first"] == 0
