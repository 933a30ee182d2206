"""Nothing the learner passes loses the report; live loss points; every distinct call shape."""

from __future__ import annotations

import pytest
from kernel_helpers import collect, only

from nnlearn.kernel.events import LossPoints, Params, RunError, RunFinished, Shapes, Stream

pytestmark = pytest.mark.kernel

MODEL = (
    "import torch\nfrom torch import nn\n"
    "model = nn.Linear(3, 1)\n"
    "model(torch.zeros(2, 3))\n"
    "print('before')\n"
)


def assert_report_kept(events) -> None:
    """The shapes, params and output of the Run still arrive."""
    assert only(events, Shapes) and only(events, Params)
    assert "before\n" in "".join(e.text for e in only(events, Stream))
    assert only(events, RunFinished)[-1].device == "cpu"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        ("nnlearn.track('acc', torch.ones(3))", "tensor of shape (3,)"),
        ("nnlearn.track('acc', 'high')", "not str"),
        ("nnlearn.track('acc', 0.5, step=1.5)", "step must be a whole number"),
    ],
)
async def test_track_with_a_bad_value_says_what_to_pass(kernel, call, words):
    events = await collect(kernel, MODEL + "import nnlearn\n" + call, device="cpu")
    [error] = only(events, RunError)
    assert error.type == "TrackError" and words in error.message and error.line == 7
    assert_report_kept(events)


async def test_track_accepts_one_element_tensors_and_numpy_numbers(kernel):
    code = (
        "import numpy, torch, nnlearn\n"
        "nnlearn.track('acc', torch.tensor([0.5]))\n"
        "nnlearn.track('acc', numpy.float32(0.75))\n"
        "nnlearn.track(7, 1)\n"
    )
    events = await collect(kernel, code, device="cpu")
    points = {e.series: e.points for e in only(events, LossPoints)}
    assert points == {"acc": ((0, 0.5), (1, 0.75)), "7": ((0, 1.0),)}


@pytest.mark.parametrize(
    "exception",
    [
        "class Weird(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\n",
        "class Weird(Exception):\n    def __str__(self):\n        return 42\n",
    ],
)
async def test_an_exception_whose_str_fails_still_gives_a_report(kernel, exception):
    events = await collect(kernel, MODEL + exception + "raise Weird()\n", device="cpu")
    [error] = only(events, RunError)
    assert error.type == "Weird" and "str()" in error.message
    assert_report_kept(events)


async def test_a_non_string_message_is_reported(kernel):
    events = await collect(kernel, MODEL + "raise ValueError(42, [1, 2])\n", device="cpu")
    [error] = only(events, RunError)
    assert error.message == "(42, [1, 2])"
    assert_report_kept(events)


async def test_errors_raised_in_the_standard_library_name_its_module(kernel):
    events = await collect(kernel, "import json\njson.loads('{')\n", device="cpu")
    [error] = only(events, RunError)
    assert "(raised inside json.decoder, in raw_decode)" in error.traceback
    assert error.line == 2


async def test_loss_points_arrive_while_the_run_is_still_busy(kernel):
    # After the last backward() the script waits: its points must not wait with it.
    code = (
        "import time, torch\n"
        "w = torch.ones(1, requires_grad=True)\n"
        "for _ in range(3):\n"
        "    (w * 2).sum().backward()\n"
        "time.sleep(3)\n"
        "print('after the wait')\n"
    )
    events = await collect(kernel, code, device="cpu")
    kinds = [
        "loss" if isinstance(e, LossPoints) else "after"
        for e in events
        if isinstance(e, LossPoints) or (isinstance(e, Stream) and "after" in e.text)
    ]
    assert kinds == ["loss", "after"]
    [points] = only(events, LossPoints)
    assert points.points == ((0, 2.0), (1, 2.0), (2, 2.0))


async def test_shapes_show_every_distinct_call_with_its_count(kernel):
    code = (
        "import torch\nfrom torch import nn\n"
        "layer = nn.Linear(2, 3)\n"
        "layer(torch.zeros(5, 2))\n"
        "layer(torch.zeros(4, 5, 2))\n"
        "layer(torch.zeros(2))\n"
        "layer(torch.zeros(5, 2))\n"
        "for n in range(20):\n"
        "    layer(torch.zeros(n + 1, 7, 2))\n"
    )
    events = await collect(kernel, code, device="cpu")
    [shapes] = only(events, Shapes)
    [row] = shapes.rows
    assert row.calls == 24 and row.inputs == [[5, 2]] and row.outputs == [[5, 3]]
    seen = [(s.inputs, s.outputs, s.calls) for s in row.signatures]
    assert seen[:3] == [([[5, 2]], [[5, 3]], 2), ([[4, 5, 2]], [[4, 5, 3]], 1), ([[2]], [[3]], 1)]
    assert len(seen) == 8, "bounded: the first eight distinct shapes"
    assert seen[3:] == [([[n, 7, 2]], [[n, 7, 3]], 1) for n in range(1, 6)]
