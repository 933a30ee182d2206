"""The ``inside`` report: parsed from the probe's JSON, written back as the documented line."""

from __future__ import annotations

import json
import math

import pytest

from nnlearn.kernel.events import InsideSample, LayerActivity, ParamFlow, event_from_report
from nnlearn.kernel.protocol import run_code

REPORT = {
    "kind": "inside",
    "step": 120,
    "params": [
        {
            "name": "model.0.weight",
            "requires_grad": True,
            "grad_norm": 0.25,
            "weight_norm": 2.0,
            "update_ratio": 0.001,
            "optimized": True,
        },
        {
            "name": "model.2.weight",
            "requires_grad": False,
            "grad_norm": None,
            "weight_norm": 1.5,
            "update_ratio": None,
            "optimized": None,
        },
    ],
    "layers": [{"name": "model.1", "class": "ReLU", "mean": 0.2, "std": 0.3, "zeros": 0.5}],
}


def test_an_inside_report_round_trips_through_its_event():
    event = event_from_report(REPORT)
    assert isinstance(event, InsideSample)
    assert event.step == 120
    assert event.params[0].update_ratio == 0.001
    assert event.params[1].grad_norm is None and event.params[1].optimized is None
    assert event.layers[0].cls == "ReLU" and event.layers[0].zeros == 0.5
    assert json.loads(json.dumps(event.to_json(), allow_nan=False)) == REPORT


def test_a_nan_or_inf_measurement_crosses_the_wire_as_a_word_not_as_null():
    # null means "no .grad"; a NaN gradient is news (the training broke) and must stay NaN.
    flow = ParamFlow("w", True, math.nan, math.inf, -math.inf, True)
    layer = LayerActivity("l", "Linear", math.nan, None, 0.0)
    sample = InsideSample(step=7, params=(flow,), layers=(layer,))
    data = json.loads(json.dumps(sample.to_json(), allow_nan=False))
    assert data["params"][0] == {
        "name": "w",
        "requires_grad": True,
        "grad_norm": "nan",
        "weight_norm": "inf",
        "update_ratio": "-inf",
        "optimized": True,
    }
    assert (data["layers"][0]["mean"], data["layers"][0]["std"]) == ("nan", None)
    back = event_from_report(data)
    assert isinstance(back, InsideSample)
    norm, weight, ratio = (
        back.params[0].grad_norm,
        back.params[0].weight_norm,
        back.params[0].update_ratio,
    )
    assert norm is not None and math.isnan(norm)
    assert (weight, ratio) == (math.inf, -math.inf)
    assert back.layers[0].mean is not None and math.isnan(back.layers[0].mean)
    assert back.layers[0].std is None


def test_anything_else_that_is_not_a_number_becomes_null():
    hostile = {
        "kind": "inside",
        "step": 3,
        # 1e400 is what a lenient JSON parser makes of a huge number: inf, kept as inf.
        "params": [
            {"name": "w", "grad_norm": "NaN", "weight_norm": True, "update_ratio": 1e400},
            {"name": "v", "grad_norm": 10**400},  # an int JSON allows and no float holds
        ],
        "layers": [{"name": "l", "mean": "x", "std": None, "zeros": [1]}, "junk"],
    }
    event = event_from_report(hostile)
    assert isinstance(event, InsideSample)
    flow = event.params[0]
    assert (flow.grad_norm, flow.weight_norm, flow.update_ratio) == (None, None, math.inf)
    assert event.params[1].grad_norm is None
    layer = event.layers[0]
    assert (layer.mean, layer.std, layer.zeros) == (None, None, None)
    assert len(event.layers) == 1
    json.dumps(event.to_json(), allow_nan=False)  # raises if a NaN slipped through


def test_run_code_says_inside_false_only_when_the_sampling_is_off():
    assert "inside" not in run_code("x = 1", "cpu", None)
    assert run_code("x = 1", "cpu", None, inside=False).endswith("argv=[], inside=False)")


def test_a_sample_that_does_not_hold_together_is_dropped():
    assert event_from_report({"kind": "inside", "step": "3"}) is None
    assert event_from_report({"kind": "inside", "step": 1, "params": [{"grad_norm": 1.0}]}) is None
    with pytest.raises(TypeError):
        InsideSample.from_json({"kind": "inside", "step": True})
    with pytest.raises(KeyError):
        InsideSample.from_json({"kind": "inside", "step": 1, "layers": [{"mean": 0.0}]})
