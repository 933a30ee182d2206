"""The shape table shows each module's input → output shapes, calls, and placement when unusual."""

from __future__ import annotations

import pytest

from nnlearn.kernel.events import ShapeRow, Shapes
from nnlearn.render import format_shape, shapes_table


def row(path: str, cls: str, inputs, outputs, dtype="float32", device="cpu", calls=1) -> ShapeRow:
    return ShapeRow(path, cls, inputs, outputs, dtype, device, calls)


@pytest.mark.parametrize(
    ("shape", "text"),
    [
        ([4, 3], "(4, 3)"),
        ([2], "(2,)"),
        ([], "()"),
        (None, "None"),
        ("tuple[2]", "tuple[2]"),
        ([4, 5, 2], "(4, 5, 2)"),
    ],
)
def test_format_shape(shape, text):
    assert format_shape(shape) == text


def test_table_shows_path_class_flow_and_calls(to_text):
    shapes = Shapes(
        (
            row("model", "MLP", [[4, 3]], [[4, 1]]),
            row("model.fc1", "Linear", [[4, 3]], [[4, 8]]),
            row("model.act", "ReLU", [[4, 8]], [[4, 8]], calls=12000),
        )
    )
    text = to_text(shapes_table(shapes))
    assert "model.fc1" in text
    assert "Linear" in text
    assert "(4, 3) → (4, 8)" in text
    assert "12,000" in text
    assert "dtype" not in text
    assert "device" not in text


def test_several_tensors_and_non_tensors_are_comma_separated(to_text):
    shapes = Shapes((row("model.rnn", "LSTM", [[4, 3], None], [[4, 8], "tuple[2]"]),))
    text = to_text(shapes_table(shapes))
    assert "(4, 3), None → (4, 8), tuple[2]" in text


def test_brackets_in_descriptions_are_not_rich_markup(to_text):
    shapes = Shapes((row("m", "Odd", ["[bold]x[/bold]"], ["dict[a, b]"]),))
    text = to_text(shapes_table(shapes))
    assert "[bold]x[/bold] → dict[a, b]" in text


def test_no_inputs_reads_as_a_dash(to_text):
    text = to_text(shapes_table(Shapes((row("m", "Gen", [], [[3]]),))))
    assert "— → (3,)" in text


def test_placement_columns_appear_only_when_not_float32_cpu(to_text):
    shapes = Shapes(
        (
            row("m.a", "Linear", [[2]], [[3]]),
            row("m.b", "Linear", [[2]], [[3]], dtype="float16", device="cuda:0"),
        )
    )
    text = to_text(shapes_table(shapes))
    assert "dtype" in text
    assert "float16" in text
    assert "cuda:0" in text


def test_empty_run_says_so(to_text):
    assert "No module was called" in to_text(shapes_table(Shapes(())))


def test_max_rows_cuts_and_counts(to_text):
    shapes = Shapes(tuple(row(f"m.{i}", "Linear", [[i]], [[1]]) for i in range(10)))
    text = to_text(shapes_table(shapes, max_rows=3))
    assert "m.2" in text
    assert "m.3" not in text
    assert "7 more modules" in text
