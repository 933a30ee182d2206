"""The cost columns, the folded tree and the peak-memory line: pure functions of events."""

from __future__ import annotations

import pytest

from nnlearn.kernel.events import (
    ModuleCost,
    ParamRow,
    Params,
    PeakMemory,
    ShapeRow,
    Shapes,
    event_from_report,
)
from nnlearn.render import shapes_table
from nnlearn.render.cost import (
    folded,
    format_flops,
    max_depth,
    params_cell,
    peak_memory_line,
    trainable_status,
)
from nnlearn.render.params_tree import param_tree, params_tree_table


@pytest.mark.parametrize(
    ("flops", "text"),
    [
        (None, "?"),
        (0, "0"),
        (192, "192"),
        (999, "999"),
        (1000, "1.0 K"),
        (31104, "31.1 K"),
        (999_960, "1.0 M"),
        (2_500_000_000, "2.5 G"),
    ],
)
def test_format_flops(flops, text):
    assert format_flops(flops) == text


def test_trainable_status_and_params_cell():
    assert trainable_status(0, 0) == ""
    assert trainable_status(41, 41) == "trainable"
    assert trainable_status(41, 0) == "frozen"
    assert trainable_status(41, 33) == "partial"
    assert params_cell(41, 33).plain == "41 partial"
    assert params_cell(1234, 1234).plain == "1,234"
    assert params_cell(0, 0).plain == "—"
    assert params_cell(None, None).plain == "?"


def test_folding_hides_deeper_rows_and_marks_their_parent():
    paths = ["model", "model.enc", "model.enc.0", "model.enc.1", "model.head", "(Linear)"]
    assert max_depth(paths) == 2
    assert folded(paths, None) == (list(range(6)), set())
    assert folded(paths, 1) == ([0, 1, 4, 5], {1})
    assert folded(paths, 0) == ([0, 5], {0})


def cost_row(path, flops, uncounted=(), params=0, trainable=0):
    cost = ModuleCost(flops, tuple(uncounted), 128, params, trainable, params * 4)
    return ShapeRow(path, "Linear", [[4, 3]], [[4, 8]], "float32", "cpu", 1, cost=cost)


def test_shapes_table_shows_cost_columns_and_names_ops_without_a_formula(to_text):
    shapes = Shapes(
        (
            cost_row("model", 192, ["relu"], 41, 33),
            cost_row("model.fc1", 192, params=32, trainable=24),
            cost_row("model.act", None, ["relu"]),
        )
    )
    text = to_text(shapes_table(shapes), width=120)
    assert "FLOPs" in text and "Out mem" in text and "Params" in text
    assert "41 partial" in text and "128 B" in text
    assert "?" in text
    assert "without relu (no formula; ?" in " ".join(text.split())
    folded_text = to_text(shapes_table(shapes, depth=0), width=120)
    assert "model.fc1" not in folded_text and "model ▸" in folded_text
    assert "2 deeper modules folded (depth 0)" in folded_text


def test_rows_from_an_older_probe_show_no_cost_columns(to_text):
    row = ShapeRow("model", "Linear", [[4, 3]], [[4, 8]], "float32", "cpu", 1)
    assert "FLOPs" not in to_text(shapes_table(Shapes((row,))))


def test_cost_fields_from_the_wire_are_counts_or_nothing():
    report = {
        "kind": "shapes",
        "rows": [
            {
                "path": "m",
                "class": "X",
                "flops": -5,
                "flops_uncounted": ["relu", 3] + ["op"] * 50,
                "output_bytes": True,
                "params": "12",
                "trainable": 4,
                "param_bytes": 16,
            }
        ],
    }
    shapes = event_from_report(report)
    assert isinstance(shapes, Shapes)
    cost = shapes.rows[0].cost
    assert cost == ModuleCost(None, ("relu", "3", *["op"] * 18), None, None, 4, 16)
    assert shapes.to_json()["rows"][0]["flops_uncounted"][:2] == ["relu", "3"]


def test_peak_memory_event_and_line():
    report = {
        "kind": "memory",
        "device": "cuda:0",
        "measure": "cuda_max_allocated",
        "peak_bytes": 3 * 2**30,
        "baseline_bytes": 2**20,
    }
    memory = event_from_report(report)
    assert memory == PeakMemory("cuda:0", "cuda_max_allocated", 3 * 2**30, 2**20)
    assert memory.to_json() == report
    line = peak_memory_line(memory)
    assert line.startswith("Peak memory: 3.0 GiB (tensors allocated on cuda:0")
    assert "1.0 MiB at the start" in line
    assert event_from_report({"kind": "memory", "peak_bytes": None}) is None
    cpu = PeakMemory("cpu", "process_peak_rss_since_start", 2**30)
    assert "since it started" in peak_memory_line(cpu)


def test_params_tree_sums_modules_and_folds(to_text):
    rows = (
        ParamRow("enc.fc.weight", [8, 3], 24, "float32", "cpu", True, False),
        ParamRow("enc.fc.bias", [8], 8, "float32", "cpu", False, False),
        ParamRow("enc.bn.running_mean", [8], 8, "float32", "cpu", False, True),
        ParamRow("scale", [], 1, "float32", "cpu", True, False),
    )
    params = Params("model", "Net", 33, 25, 8, 8, 164, rows)
    tree = {row.name: row for row in param_tree(params)}
    assert [row.name for row in param_tree(params)] == [
        "enc",
        "enc.fc",
        "enc.fc.weight",
        "enc.fc.bias",
        "enc.bn",
        "enc.bn.running_mean",
        "scale",
    ]
    assert (tree["enc"].numel, tree["enc"].trainable, tree["enc"].status) == (32, 24, "partial")
    assert tree["enc.bn"].status == "buffer"
    text = to_text(params_tree_table(params, depth=0))
    assert "enc ▸" in text and "weight" not in text and "scale" in text
    assert "5 deeper rows folded (depth 0)" in text
    assert "33 parameters (25 trainable, 8 frozen)" in text


def test_params_tree_sizes_sum_parameters_and_buffers(to_text):
    rows = (
        ParamRow("fc.weight", [8, 3], 24, "float32", "cpu", True, False, bytes=96),
        ParamRow("fc.bias", [8], 8, "float16", "cpu", True, False, bytes=16),
        ParamRow("bn.running_mean", [8], 8, "float32", "cpu", False, True, bytes=32),
    )
    params = Params("model", "Net", 32, 32, 0, 8, 144, rows)
    tree = {row.name: row for row in param_tree(params)}
    assert (tree["fc"].size, tree["bn"].size, tree["fc.bias"].size) == (112, 32, 16)
    text = to_text(params_tree_table(params), width=120)
    assert "112 B" in text and "Size" in text
    older = Params(
        "model", "Net", 32, 32, 0, 0, 128, (ParamRow("w", [32], 32, "f", "c", True, False),)
    )
    assert param_tree(older)[0].size is None
