"""``plot`` reports become ``PlotPoints`` events, and events give the documented JSON."""

from __future__ import annotations

import json

from nnlearn.kernel.events import PlotPoints, event_from_report
from nnlearn.kernel.protocol import MIME, events_in


def test_a_plot_report_becomes_plot_points_and_back():
    report = {
        "kind": "plot",
        "series": "data",
        "points": [[0.0, 0.3], [0.5, 0.65]],
        "total": 3,
        "nonfinite": 1,
    }
    event = event_from_report(report)
    assert event == PlotPoints("data", ((0.0, 0.3), (0.5, 0.65)), total=3, nonfinite=1)
    assert json.loads(json.dumps(event.to_json(), allow_nan=False)) == report


def test_plot_points_arrive_in_a_batch_next_to_loss_points():
    msg = {
        "msg_type": "display_data",
        "content": {
            "data": {
                MIME: {
                    "kind": "batch",
                    "reports": [
                        {"kind": "loss", "series": "loss", "points": [[0, 1.0]]},
                        {"kind": "plot", "series": "pred", "points": [[1, 2]], "total": 1},
                    ],
                }
            }
        },
    }
    events = events_in(msg)
    assert events[1] == PlotPoints("pred", ((1.0, 2.0),), total=1)


def test_non_finite_points_from_a_hostile_report_are_dropped():
    event = event_from_report(
        {"kind": "plot", "series": "s", "points": [[float("nan"), 1], [1, float("inf")], [2, 3]]}
    )
    assert isinstance(event, PlotPoints)
    assert event.points == ((2.0, 3.0),)
    json.dumps(event.to_json(), allow_nan=False)


def test_a_hostile_report_is_cut_to_what_the_probe_would_send():
    event = event_from_report(
        {"kind": "plot", "series": "x\x1b[2J" + "y" * 100, "points": [[i, i] for i in range(5000)]}
    )
    assert isinstance(event, PlotPoints)
    assert len(event.points) == 2000
    assert event.series.isprintable() and len(event.series) == 40
