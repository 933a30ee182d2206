"""The probe's script set-up, state snapshot, call recording and loss flusher, in-process."""

from __future__ import annotations

import logging
import sys
import threading

import pytest
import torch
from torch import nn

from nnlearn.kernel.events import LossPoints
from nnlearn.probe.clean_state import LoggingState, StateSnapshot
from nnlearn.probe.errors import exception_report, origin_label, safe_str
from nnlearn.probe.loss import FLUSHER_THREAD_NAME, LossRecorder, TrackError, checked_value
from nnlearn.probe.script import EDITOR_FILENAME, script_place
from nnlearn.probe.shapes import ShapeRecorder, signature_key


def deepest_nesting(recorder: ShapeRecorder | None) -> int:
    """The deepest nested Sequential that runs (with or without the recorder installed)."""
    deepest = 0
    for depth in range(50, 2000, 10):
        model: nn.Module = nn.Identity()
        for _ in range(depth):
            model = nn.Sequential(model)
        if recorder is not None:
            recorder.start()
        try:
            model(torch.zeros(1))
        except RecursionError:
            return deepest
        finally:
            if recorder is not None:
                recorder.stop()
        deepest = depth
    raise AssertionError("no recursion limit reached")


def test_recording_adds_no_frame_per_module_call():
    assert deepest_nesting(ShapeRecorder()) == deepest_nesting(None)


def test_signature_keys_match_what_the_hot_path_computes():
    a, b = torch.zeros(2, 3), torch.zeros(2, 1)
    assert signature_key((a,), {}) == a.shape
    assert signature_key((a, b), {}) == (a.shape, b.shape)
    assert signature_key((a,), {"mask": b}) != signature_key((a,), {})
    assert signature_key((a, 3), {}) != signature_key((a, "x"), {})


def test_models_called_without_a_global_name_are_named_by_their_caller():
    recorder = ShapeRecorder()

    def main() -> None:
        encoder = nn.Sequential(nn.Linear(2, 2))
        encoder(torch.zeros(1, 2))
        nn.ReLU()(torch.zeros(1))

    recorder.start()
    try:
        main()
    finally:
        recorder.stop()
    assert [name for name, _ in recorder.roots(set())] == ["encoder", "ReLU"]


def test_editor_and_file_runs_get_a_place_like_a_script(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    editor = script_place(None, None)
    assert editor.compile_name == EDITOR_FILENAME
    assert editor.file == str(tmp_path / "editor.py") and editor.argv == [editor.file]
    place = script_place("sub/train.py", ["--lr", "0.1"])
    assert place.file == str(tmp_path / "sub" / "train.py") == place.compile_name
    assert place.folder == str(tmp_path / "sub")
    assert place.argv == ["sub/train.py", "--lr", "0.1"]


def test_snapshot_puts_back_what_a_run_changed():
    snapshot = StateSnapshot()
    saved_path, saved_argv = list(sys.path), list(sys.argv)
    try:
        torch.set_grad_enabled(False)
        torch.set_default_dtype(torch.float64)
        sys.path.insert(0, "/nowhere")
        sys.argv[:] = ["x.py"]
        import builtins

        builtins.nnlearn_leak = 1  # type: ignore[attr-defined]
    finally:
        failed = snapshot.restore()
    assert failed == []
    assert torch.is_grad_enabled() and torch.get_default_dtype() == torch.float32
    assert sys.path == saved_path and sys.argv == saved_argv
    assert not hasattr(__import__("builtins"), "nnlearn_leak")


@pytest.mark.parametrize(
    ("value", "accepted"),
    [(0.5, True), (3, True), (torch.tensor(1.0), True), (torch.ones(1, 1), True)],
)
def test_track_accepts_one_number(value, accepted):
    assert (checked_value("acc", value) is not None) is accepted


@pytest.mark.parametrize("value", [torch.ones(3), "0.5", None, [1.0], torch.tensor(1j)])
def test_track_refuses_anything_else_with_a_message(value):
    with pytest.raises(TrackError, match=r"nnlearn\.track\('acc', value\)"):
        checked_value("acc", value)


def test_the_flusher_sends_points_without_another_backward():
    published: list = []
    sent = threading.Event()

    def publish(reports):
        published.append(reports)
        sent.set()

    recorder = LossRecorder(publish)
    recorder.start()
    try:
        assert recorder.flusher is not None and recorder.flusher.name == FLUSHER_THREAD_NAME
        w = torch.ones(1, requires_grad=True)
        (w * 3).sum().backward()
        assert sent.wait(30), "the pending point was never flushed"
    finally:
        recorder.stop()
    assert published[0] == [LossPoints("loss", ((0, 3.0),))]
    recorder.add("acc", 1.0, None)  # a thread of the Run, after its end
    recorder.flush()
    assert len(published) == 1, "nothing is published once the Run is over"
    assert recorder.reports()[0].points == ((0, 1.0),)


def test_nothing_about_an_exception_is_trusted():
    class Hostile(Exception):
        def __str__(self):
            raise RuntimeError("no")

    assert safe_str(Hostile()) == "<Hostile whose str() failed>"
    try:
        raise Hostile()
    except Hostile as exc:
        report = exception_report(exc, "<editor>")
    assert report.type == "Hostile" and "str() failed" in report.message


def test_origin_is_a_package_or_a_standard_library_module():
    import json.decoder

    assert origin_label(json.decoder.__file__) == "json.decoder"
    assert origin_label("/x/lib/python3.11/site-packages/torch/nn/functional.py") == "torch"


def test_logging_state_resets_loggers_a_run_made_even_under_an_old_placeholder_name():
    """``getLogger("pkg")`` when only ``pkg.sub`` existed turns a placeholder into a logger:
    made by the Run, so reset, like a brand new name (the object itself is kept)."""
    logging.getLogger("nnlearn_test_pkg.sub")
    state = LoggingState()
    parent = logging.getLogger("nnlearn_test_pkg")
    parent.setLevel(logging.DEBUG)
    parent.addHandler(logging.NullHandler())
    new = logging.getLogger("nnlearn_test_new")
    new.propagate = False
    state.restore()
    assert (parent.level, parent.handlers, new.propagate) == (logging.NOTSET, [], True)
    assert logging.getLogger("nnlearn_test_pkg") is parent
