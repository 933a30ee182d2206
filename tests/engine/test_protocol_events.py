"""Probe reports on the wire become typed events, and events give the documented JSON."""

from __future__ import annotations

import json
import math

from nnlearn.kernel.events import (
    CheckResult,
    LossPoints,
    Params,
    RunError,
    RunFinished,
    Shapes,
    Stream,
    event_from_report,
)
from nnlearn.kernel.protocol import MIME, events_in, run_code


def display(*reports):
    return {
        "msg_type": "display_data",
        "content": {"data": {MIME: {"kind": "batch", "reports": list(reports)}}},
    }


def test_run_code_passes_the_code_as_a_string_literal():
    code = "print('a \"quoted\" line')\nx = '''three'''\n"
    sent = run_code(code, "cpu", None)
    assert sent.startswith("__import__('nnlearn.probe', fromlist=['run']).run(")
    assert repr(code) in sent
    assert sent.endswith("path=None, argv=[])")


def test_run_code_passes_the_script_path_and_its_arguments():
    sent = run_code("x = 1", "cpu", None, "/work/train.py", ["--epochs", "3", "-v"])
    assert sent.endswith("path='/work/train.py', argv=['--epochs', '3', '-v'])")


def test_batch_messages_become_events_in_order():
    msg = display(
        {"kind": "loss", "series": "loss", "points": [[0, 1.5], [1, None]]},
        {
            "kind": "shapes",
            "rows": [
                {
                    "path": "m",
                    "class": "Linear",
                    "inputs": [[4, 3]],
                    "outputs": [[4, 1]],
                    "dtype": "float32",
                    "device": "cpu",
                    "calls": 2,
                }
            ],
        },
        {"kind": "check", "ok": True, "message": "ok"},
        {"kind": "something-new"},
        {"kind": "done", "ok": True, "device": "cpu", "seconds": 0.5},
    )
    events = events_in(msg)
    assert [type(e) for e in events] == [LossPoints, Shapes, CheckResult, RunFinished]
    assert events[0].points[0] == (0, 1.5) and math.isnan(events[0].points[1][1])
    assert events[1].rows[0].cls == "Linear" and events[1].rows[0].calls == 2


def test_streams_and_foreign_messages():
    assert events_in({"msg_type": "stream", "content": {"name": "stderr", "text": "x"}}) == [
        Stream("stderr", "x")
    ]
    assert events_in({"msg_type": "display_data", "content": {"data": {"text/plain": "1"}}}) == []
    assert events_in({"msg_type": "execute_input", "content": {}}) == []


def test_json_lines_match_the_documented_format():
    params = event_from_report(
        {
            "kind": "params",
            "model": "model",
            "class": "MLP",
            "total": 41,
            "trainable": 41,
            "frozen": 0,
            "buffers": 0,
            "bytes": 164,
            "rows": [
                {
                    "name": "fc1.weight",
                    "shape": [8, 3],
                    "numel": 24,
                    "dtype": "float32",
                    "device": "cpu",
                    "requires_grad": True,
                    "buffer": False,
                }
            ],
        }
    )
    assert isinstance(params, Params)
    data = params.to_json()
    assert data["kind"] == "params" and data["class"] == "MLP" and data["total"] == 41
    assert data["rows"][0]["requires_grad"] is True
    error = RunError("RuntimeError", "bad", 6, "Traceback...").to_json()
    assert error == {
        "kind": "error",
        "type": "RuntimeError",
        "message": "bad",
        "line": 6,
        "traceback": "Traceback...",
    }
    done = RunFinished(True, "cpu", 0.0123456789).to_json()
    assert done == {"kind": "done", "ok": True, "device": "cpu", "seconds": 0.012346}
    loss = LossPoints("loss", ((0, 0.5), (1, float("nan")))).to_json()
    assert json.dumps(loss, allow_nan=False) == (
        '{"kind": "loss", "series": "loss", "points": [[0, 0.5], [1, null]]}'
    )
