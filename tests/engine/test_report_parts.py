"""Large reports travel in parts and are joined whole again, rows in order, none lost."""

from __future__ import annotations

import json

from nnlearn.kernel.events import Params, RunFinished, Shapes, event_from_report
from nnlearn.kernel.parts import ROWS_PER_PART, PartJoiner
from nnlearn.probe import parts as probe_parts


def shapes_report(count: int) -> dict:
    rows = [
        {"path": f"m.{i}", "class": "Linear", "inputs": [[1]], "outputs": [[1]], "calls": 1}
        for i in range(count)
    ]
    return {"kind": "shapes", "rows": rows}


def params_report(model: str, count: int) -> dict:
    rows = [
        {
            "name": f"{i}.weight",
            "shape": [1],
            "numel": 1,
            "dtype": "float32",
            "device": "cpu",
            "requires_grad": True,
            "buffer": False,
        }
        for i in range(count)
    ]
    return {
        "kind": "params",
        "model": model,
        "class": "Seq",
        "total": count,
        "trainable": count,
        "frozen": 0,
        "buffers": 0,
        "bytes": 4 * count,
        "rows": rows,
    }


def test_both_sides_agree_on_the_part_size():
    assert probe_parts.ROWS_PER_PART == ROWS_PER_PART


def test_a_small_report_is_sent_as_it_is():
    report = shapes_report(3)
    assert probe_parts.split_report(report) == [report]
    assert probe_parts.messages([report, {"kind": "done", "ok": True}]) == [
        [report, {"kind": "done", "ok": True}]
    ]


def test_a_large_report_is_cut_into_parts_that_say_where_they_belong():
    parts = probe_parts.split_report(shapes_report(2500), rows_per_part=1000)
    assert [(p["first_row"], len(p["rows"]), p["rows_total"]) for p in parts] == [
        (0, 1000, 2500),
        (1000, 1000, 2500),
        (2000, 500, 2500),
    ]
    assert [row["path"] for p in parts for row in p["rows"]] == [f"m.{i}" for i in range(2500)]


def test_messages_hold_at_most_one_part_of_rows_and_keep_order():
    reports = [shapes_report(1500), params_report("a", 10), params_report("b", 1200)]
    reports.append({"kind": "done", "ok": True})
    batches = probe_parts.messages(reports, rows_per_part=1000)
    for batch in batches:
        assert sum(len(r["rows"]) for r in batch if "rows" in r) <= 1000
    flat = [r for batch in batches for r in batch]
    assert [r["kind"] for r in flat] == ["shapes", "shapes", "params", "params", "params", "done"]
    assert flat[-1] == {"kind": "done", "ok": True}
    assert len(batches) == 4


def events(reports: list[dict]) -> list:
    """What the client makes of the reports, through JSON as on the wire."""
    wire = json.loads(json.dumps(probe_parts.messages(reports, rows_per_part=1000)))
    return [event_from_report(report) for batch in wire for report in batch]


def test_the_joiner_gives_each_report_whole_once_its_last_part_arrived():
    received = events(
        [
            shapes_report(2500),
            params_report("a", 1001),
            params_report("b", 2),
            {"kind": "done", "ok": True},
        ]
    )
    joiner = PartJoiner()
    whole = [event for event in map(joiner.add, received) if event is not None]
    shapes, params_a, params_b, done = whole
    assert isinstance(shapes, Shapes) and shapes.rows_total is None
    assert [row.path for row in shapes.rows] == [f"m.{i}" for i in range(2500)]
    assert isinstance(params_a, Params) and params_a.model == "a" and len(params_a.rows) == 1001
    assert params_a.total == 1001 and params_a.rows_total is None
    assert isinstance(params_b, Params) and len(params_b.rows) == 2
    assert isinstance(done, RunFinished)


def test_parts_keep_their_place_in_json_lines():
    part = events([shapes_report(1200)])[1]
    assert isinstance(part, Shapes)
    line = part.to_json()
    assert (line["first_row"], line["rows_total"], len(line["rows"])) == (1000, 1200, 200)
    assert "first_row" not in Shapes(part.rows).to_json()


def test_a_new_report_replaces_an_unfinished_one():
    received = events([shapes_report(1500)])
    joiner = PartJoiner()
    assert joiner.add(received[0]) is None  # its second part never comes
    again = events([shapes_report(1200)])
    assert joiner.add(again[0]) is None
    whole = joiner.add(again[1])
    assert isinstance(whole, Shapes) and len(whole.rows) == 1200


def test_a_part_out_of_place_starts_nothing():
    received = events([shapes_report(2500)])
    joiner = PartJoiner()
    assert joiner.add(received[0]) is None
    assert joiner.add(received[2]) is None  # the middle part is missing: no table of holes
