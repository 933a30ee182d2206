"""One schema: every event survives the wire, and the wire refuses what the probe never sends."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from nnlearn.kernel.events import (
    MIME,
    CheckResult,
    DeviceInfo,
    DeviceMemory,
    Event,
    InsideSample,
    KernelDied,
    KernelInfo,
    KernelRestarted,
    KernelStatus,
    LayerActivity,
    LossPoints,
    MemoryRow,
    ParamFlow,
    ParamRow,
    Params,
    PlotPoints,
    RunError,
    RunFinished,
    ShapeRow,
    Shapes,
    ShapeSignature,
    StepValues,
    Stream,
    batch_data,
    event_from_report,
    event_kinds,
    reports_in_data,
)
from nnlearn.kernel.protocol import events_in

ONE_OF_EACH: list[Event] = [
    Stream("stdout", "hi\n"),
    Shapes(
        (
            ShapeRow(
                "model",
                "Linear",
                [[4, 3]],
                [[4, 1]],
                "float32",
                "cpu",
                3,
                {"mask": [[4]]},
                (ShapeSignature([[4, 3]], [[4, 1]], 2), ShapeSignature([[2, 3]], [[2, 1]], 1)),
            ),
        )
    ),
    Params(
        "model",
        "Linear",
        4,
        3,
        1,
        0,
        16,
        (ParamRow("weight", [1, 3], 3, "float32", "cpu", True, False),),
    ),
    LossPoints("loss", ((0, 1.5), (1, math.nan))),
    PlotPoints("pred", ((0.0, 1.0), (1.0, 2.0)), total=3, nonfinite=1),
    RunError("ValueError", "bad", 3, "Traceback ..."),
    CheckResult(True, "All checks passed."),
    RunFinished(False, "cpu", 0.25, interrupted=True, exit_code=2),
    KernelInfo("3.11.7", "2.13.0", None, (DeviceInfo("cpu", "CPU"),), 1.5),
    DeviceMemory((MemoryRow("cpu", 1, 2), MemoryRow("cuda:0", error="ECC"))),
    InsideSample(
        3,
        (ParamFlow("fc.weight", True, math.nan, math.inf, None, True),),
        (LayerActivity("fc", "Linear", -math.inf, 0.5, 0.0),),
    ),
]


def _same(a: Event, b: Event) -> bool:
    return json.dumps(a.to_json()) == json.dumps(b.to_json())


@pytest.mark.parametrize("event", ONE_OF_EACH, ids=lambda e: e.kind)
def test_every_probe_event_comes_back_from_its_json_as_it_was_sent(event):
    wire = json.loads(json.dumps(event.to_json(), allow_nan=False))
    back = event_from_report(wire)
    assert type(back) is type(event) and _same(back, event)
    assert wire["kind"] == event.kind


def test_the_probe_encoding_is_what_the_client_decodes():
    data = json.loads(json.dumps(batch_data(ONE_OF_EACH), allow_nan=False))
    assert list(data) == [MIME]
    msg = {"msg_type": "display_data", "content": {"data": data}}
    events = events_in(msg)
    assert [type(e) for e in events] == [type(e) for e in ONE_OF_EACH]
    assert all(_same(a, b) for a, b in zip(events, ONE_OF_EACH, strict=True))


def test_every_kind_is_registered_once_by_defining_its_class():
    kinds = event_kinds()
    for event in ONE_OF_EACH + [KernelStatus("idle"), KernelDied("x"), KernelRestarted("y")]:
        assert kinds[event.kind] is type(event)


def test_a_new_kind_needs_only_its_class():
    @dataclass(frozen=True)
    class Made(Event):
        kind: ClassVar[str] = "test_made_up"
        value: int

        def to_json(self) -> dict[str, Any]:
            return {"kind": self.kind, "value": self.value}

        @classmethod
        def from_json(cls, data: dict[str, Any]) -> Made:
            return cls(int(data["value"]))

    assert event_from_report({"kind": "test_made_up", "value": 7}) == Made(7)
    with pytest.raises(TypeError, match="two event classes"):

        class Again(Event):
            kind: ClassVar[str] = "test_made_up"


@pytest.mark.parametrize(
    "report",
    [
        {"kind": "kernel_died", "reason": "a learner's print pretending"},
        {"kind": "status", "state": "dead"},
        {"kind": "kernel_restarted", "reason": "fake"},
        {"kind": "stream", "name": "stdout"},
        {"kind": "stream", "name": "stdout", "text": ["not", "text"]},
        {"kind": "params", "model": "m"},
        {"kind": "loss", "series": "loss", "points": [["a", "b"]]},
        {"kind": "loss", "series": "loss", "first": 0, "values_f64": "not base64!"},
        {"kind": "loss", "series": "loss", "first": 0, "values_f64": "AAAA"},  # 3 bytes
        {"kind": "loss", "series": "loss", "first": "0", "values_f64": ""},
        {"kind": "loss", "series": "loss", "first": True, "values_f64": ""},
        {"kind": "error", "type": None},
        # JSON allows an int past 1e308; float() of it raises OverflowError.
        {"kind": "done", "ok": True, "device": "cpu", "seconds": 10**400},
        {"kind": "loss", "series": "loss", "points": [[0, 10**400]]},
        {"kind": "unknown-kind"},
        ["not", "a", "dict"],
    ],
)
def test_reports_the_probe_does_not_send_give_no_event(report):
    assert event_from_report(report) is None


@pytest.mark.parametrize(
    "data", [None, {}, {MIME: "text"}, {MIME: {"kind": "batch", "reports": "nope"}}]
)
def test_display_data_that_is_not_ours_holds_no_reports(data):
    assert reports_in_data(data) == []


def test_loss_points_travel_compact_and_exact():
    """Consecutive steps go as ``first`` and base64 float64s: every bit, NaN included."""
    points = tuple((5 + i, value) for i, value in enumerate([0.1 + 0.2, math.nan, 1e-300, -2.5]))
    event = LossPoints("loss", points)
    wire = json.loads(json.dumps(event.to_wire(), allow_nan=False))
    assert wire["first"] == 5 and "points" not in wire
    back = event_from_report(wire)
    assert isinstance(back, LossPoints)
    assert [s for s, _ in back.points] == [5, 6, 7, 8]
    assert back.points[0][1] == 0.1 + 0.2 and math.isnan(back.points[1][1])
    assert back.points[2:] == points[2:]


def test_loss_points_with_gaps_and_the_documented_json_keep_their_pairs():
    gappy = LossPoints("acc", ((0, 1.0), (10, 2.0)))
    assert gappy.to_wire() == gappy.to_json()
    assert LossPoints("loss", ((0, 1.0), (1, 2.0))).to_json()["points"] == [[0, 1.0], [1, 2.0]]


def test_step_values_read_as_the_tuple_of_pairs_they_stand_for():
    """The kernel's form of a batch: a range of steps and a list of values, no tuple per point."""
    pairs = ((3, 0.5), (4, 0.25), (5, 0.125))
    points = StepValues(range(3, 6), [0.5, 0.25, 0.125])
    assert len(points) == 3 and list(points) == list(pairs) and points[1] == (4, 0.25)
    assert points == pairs and pairs == points and points[1:] == pairs[1:]
    assert hash(points) == hash(pairs) and points != pairs[:2]
    assert LossPoints("loss", points) == LossPoints("loss", pairs)
    assert points.first_step() == 3 and StepValues([0, 2], [1.0, 2.0]).first_step() is None
    with pytest.raises(ValueError, match="2 steps for 1 values"):
        StepValues([0, 1], [1.0])


@pytest.mark.parametrize("steps", [range(7, 10), [7, 8, 9], [0, 10, 20]])
def test_step_values_travel_as_their_pairs_would(steps):
    values = [1.5, math.nan, -2.0]
    event = LossPoints("acc", StepValues(steps, values))
    as_pairs = LossPoints("acc", tuple(zip(steps, values, strict=True)))
    assert event.to_wire() == as_pairs.to_wire()
    back = event_from_report(json.loads(json.dumps(event.to_wire(), allow_nan=False)))
    assert isinstance(back, LossPoints) and [s for s, _ in back.points] == list(steps)
