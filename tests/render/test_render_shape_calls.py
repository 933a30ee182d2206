"""A module called with different shapes shows one line per distinct shapes, with its count."""

from __future__ import annotations

from nnlearn.kernel.events import ShapeRow, Shapes, ShapeSignature, event_from_report
from nnlearn.render import shapes_table


def test_each_distinct_call_gets_its_line_and_count(to_text):
    signatures = (
        ShapeSignature([[5, 2]], [[5, 3]], 2),
        ShapeSignature([[4, 5, 2]], [[4, 5, 3]], 1),
        ShapeSignature([[2]], [[3]], 1),
    )
    row = ShapeRow("layer", "Linear", [[5, 2]], [[5, 3]], "float32", "cpu", 5, {}, signatures)
    lines = [line.split("│") for line in to_text(shapes_table(Shapes((row,)))).splitlines()]
    cells = [[cell.strip() for cell in line[1:-1]] for line in lines if len(line) == 6]
    assert cells == [
        ["layer", "Linear", "(5, 2) → (5, 3)", "2"],
        ["", "", "(4, 5, 2) → (4, 5, 3)", "1"],
        ["", "", "(2,) → (3,)", "1"],
        ["", "", "… other shapes", "1"],
    ]


def test_keyword_tensors_are_shown_by_name(to_text):
    row = ShapeRow(
        "enc", "Encoder", [[2, 5]], [[2, 5, 8]], "float32", "cpu", 1, {"attention_mask": [[2, 5]]}
    )
    assert "(2, 5), attention_mask=(2, 5) → (2, 5, 8)" in to_text(
        shapes_table(Shapes((row,))), width=120
    )


def test_rows_from_an_older_probe_without_the_new_fields_still_read():
    report = {
        "kind": "shapes",
        "rows": [
            {
                "path": "m",
                "class": "Linear",
                "inputs": [[1, 2]],
                "outputs": [[1, 3]],
                "dtype": "float32",
                "device": "cpu",
                "calls": 3,
            }
        ],
    }
    shapes = event_from_report(report)
    assert isinstance(shapes, Shapes)
    assert shapes.rows[0].signatures == () and shapes.rows[0].kwargs == {}
    assert shapes.to_json()["rows"][0]["signatures"] == []
