"""Repeated identical blocks are shown once with ×N; depth and rows bound the tables."""

from __future__ import annotations

from nnlearn.kernel.events import ParamRow, Params, ShapeRow, Shapes
from nnlearn.render import params_table, shapes_table
from nnlearn.render.grouping import group_param_rows, group_shape_rows, range_label


def shape(path: str, cls: str, width: int = 4, calls: int = 1) -> ShapeRow:
    return ShapeRow(path, cls, [[2, width]], [[2, width]], "float32", "cpu", calls)


def blocks(count: int, prefix: str = "model.blocks", width: int = 4) -> list[ShapeRow]:
    rows = []
    for index in range(count):
        rows += [
            shape(f"{prefix}.{index}", "Block", width),
            shape(f"{prefix}.{index}.fc", "Linear", width),
            shape(f"{prefix}.{index}.act", "ReLU", width),
        ]
    return rows


def param(name: str, shape: list[int], *, trainable: bool = True, buffer: bool = False):
    numel = 1
    for dim in shape:
        numel *= dim
    return ParamRow(name, shape, numel, "float32", "cpu", trainable, buffer)


def test_range_labels():
    assert range_label(["0", "1", "2"]) == "{0..2}"
    assert range_label(["0", "2", "4"]) == "{0,…,4}"
    assert range_label(["a", "b", "c"]) == "{a,…,c}"


def test_identical_sibling_blocks_become_one_block_with_its_count():
    rows = [shape("model", "Big"), *blocks(12), shape("model.head", "Linear", 1)]
    grouped = group_shape_rows(rows)
    assert [(g.label, g.row.cls, g.copies) for g in grouped] == [
        ("model", "Big", 1),
        ("model.blocks.{0..11}", "Block", 12),
        ("model.blocks.{0..11}.fc", "Linear", 12),
        ("model.blocks.{0..11}.act", "ReLU", 12),
        ("model.head", "Linear", 1),
    ]
    assert [g.depth for g in grouped] == [0, 2, 3, 3, 1]


def test_a_block_that_differs_breaks_the_run():
    rows = [shape("model", "Big"), *blocks(4)]
    rows += [
        shape("model.blocks.4", "Block", 8),
        shape("model.blocks.4.fc", "Linear", 8),
        shape("model.blocks.4.act", "ReLU", 8),
    ]
    labels = [g.label for g in group_shape_rows(rows)]
    assert labels[:2] == ["model", "model.blocks.{0..3}"]
    assert "model.blocks.4" in labels and "model.blocks.4.fc" in labels


def test_different_call_counts_are_not_identical():
    rows = [shape("m", "Seq"), *(shape(f"m.{i}", "Linear", calls=1 + (i == 2)) for i in range(4))]
    labels = [g.label for g in group_shape_rows(rows)]
    assert labels == ["m", "m.0", "m.1", "m.2", "m.3"]


def test_two_copies_stay_written_out():
    rows = [shape("m", "Seq"), shape("m.0", "Linear"), shape("m.1", "Linear")]
    assert [g.label for g in group_shape_rows(rows)] == ["m", "m.0", "m.1"]


def test_groups_nest_and_multiply():
    rows = [shape("model", "T")]
    for layer in range(3):
        rows.append(shape(f"model.layers.{layer}", "Layer"))
        for head in range(4):
            rows.append(shape(f"model.layers.{layer}.heads.{head}", "Head"))
    grouped = group_shape_rows(rows)
    assert [(g.label, g.copies) for g in grouped] == [
        ("model", 1),
        ("model.layers.{0..2}", 3),
        ("model.layers.{0..2}.heads.{0..3}", 12),
    ]


def test_grouping_is_linear_for_5000_blocks():
    rows = [shape("model", "Big"), *blocks(5000)]
    grouped = group_shape_rows(rows)
    assert len(grouped) == 4
    assert grouped[1].copies == 5000


def test_shapes_table_marks_copies_and_counts_every_module(to_text):
    text = to_text(shapes_table(Shapes((shape("model", "Big"), *blocks(12)))), width=100)
    assert "model.blocks.{0..11} ×12" in text
    assert "model.blocks.{0..11}.fc ×12" in text
    assert "37 modules" in text
    assert "model.blocks.3" not in text


def test_ungrouped_table_lists_every_module(to_text):
    text = to_text(shapes_table(Shapes((shape("model", "Big"), *blocks(4))), group=False))
    assert "model.blocks.3.act" in text
    assert "×" not in text


def test_depth_hides_deeper_modules_and_says_how_to_see_them(to_text):
    shapes = Shapes((shape("model", "Big"), *blocks(3, width=2), shape("model.head", "Linear")))
    text = to_text(shapes_table(shapes, max_depth=1, more_hint="Try --all."), width=100)
    assert "model.head" in text
    assert "model.blocks.0" not in text
    assert "deeper than depth 1" in text
    assert "Try --all." in text


def test_max_rows_bounds_the_table_of_a_model_with_distinct_blocks(to_text):
    rows = [shape(f"model.{i}", "Linear", width=i + 1) for i in range(1000)]
    text = to_text(shapes_table(Shapes(tuple(rows)), max_rows=18, more_hint="Try --all."))
    assert "model.17" in text
    assert "model.18 " not in text
    assert "982 more modules not shown" in text
    assert len(text.splitlines()) < 30


def test_params_are_grouped_by_identical_submodules():
    rows = []
    for layer in range(12):
        rows += [param(f"layers.{layer}.fc.weight", [4, 4]), param(f"layers.{layer}.fc.bias", [4])]
    rows += [param("head.weight", [1, 4]), param("bn.running_mean", [4], buffer=True)]
    grouped = group_param_rows(rows)
    assert [(g.label, g.copies) for g in grouped] == [
        ("layers.{0..11}.fc.weight", 12),
        ("layers.{0..11}.fc.bias", 12),
        ("head.weight", 1),
        ("bn.running_mean", 1),
    ]


def test_a_frozen_copy_is_not_identical():
    rows = [param(f"layers.{i}.weight", [4, 4], trainable=i != 1) for i in range(4)]
    labels = [g.label for g in group_param_rows(rows)]
    assert labels == ["layers.0.weight", "layers.1.weight", "layers.2.weight", "layers.3.weight"]


def test_params_table_shows_copies_and_keeps_exact_totals(to_text):
    rows = tuple(param(f"blocks.{i}.weight", [4, 4]) for i in range(5000))
    params = Params("model", "Big", 80_000, 80_000, 0, 0, 320_000, rows)
    text = to_text(params_table(params), width=100)
    assert "blocks.{0..4999}.weight ×5,000" in text
    assert "80,000 parameters" in text
    assert "5,000 rows" in text
    assert len(text.splitlines()) < 12
