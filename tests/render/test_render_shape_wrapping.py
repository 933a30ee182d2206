"""At 80 columns a shape table may not fit: it breaks after the arrow or between tensors.

A shape cut in two, ``(3,`` on one line and ``1)`` on the next, no longer reads
as a shape. (A single shape wider than the whole column is still cut.)
"""

from __future__ import annotations

import re

from nnlearn.kernel.events import ModuleCost, ShapeRow, Shapes
from nnlearn.render import shapes_table
from nnlearn.render.flow_cell import flow_pieces

COST = ModuleCost(12, (), 12, 3, 3, 12)
SHAPE = re.compile(r"\((?:\d+, )*\d*,?\)")


def costed(path: str, cls: str, inputs, outputs) -> ShapeRow:
    return ShapeRow(path, cls, inputs, outputs, "float32", "cpu", 1, cost=COST)


def flow_cells(text: str) -> list[str]:
    """The third column's text of each table line (the Input → output cells)."""
    cells = []
    for line in text.splitlines():
        parts = line.split("│")
        if len(parts) > 3:
            cells.append(parts[3].strip())
    return cells


def test_a_flow_wider_than_its_column_breaks_after_the_arrow_never_inside_a_shape(to_text):
    shapes = Shapes(
        (
            costed("model", "HouseScorer", [[3, 2]], [[3, 1]]),
            costed("model.score", "Linear", [[3, 2]], [[3, 1]]),
            costed("loss_fn", "MSELoss", [[50, 1], [50, 1]], [[]]),
            costed("model.fc", "LinearRegression", [[50, 1]], [[50, 1]]),
        )
    )
    for width in (70, 80):
        text = to_text(shapes_table(shapes), width=width)
        cells = [cell for cell in flow_cells(text) if cell]
        assert cells, text
        for cell in cells:
            # every piece of a cell is whole shapes, commas and arrows: no half shape
            rest = SHAPE.sub("", cell).replace("→", "").replace(",", "").strip()
            assert rest == "", f"a shape was cut at width {width}: {cell!r}\n{text}"
        assert max(len(line) for line in text.splitlines()) <= width


def test_a_flow_that_fits_stays_on_one_line(to_text):
    shapes = Shapes((costed("model.fc1", "Linear", [[4, 3]], [[4, 8]]),))
    assert "(4, 3) → (4, 8)" in to_text(shapes_table(shapes), width=80)


def test_flow_pieces_split_only_between_tensors():
    assert flow_pieces("(4, 3) → (4, 8)") == ["(4, 3) →", "(4, 8)"]
    assert flow_pieces("(50, 1), (50, 1) → ()") == ["(50, 1),", "(50, 1) →", "()"]
    assert flow_pieces("(2, 5), mask=(2, 5) → (2, 5, 8)") == [
        "(2, 5),",
        "mask=(2, 5) →",
        "(2, 5, 8)",
    ]
    assert flow_pieces("… other shapes") == ["… other shapes"]
    assert flow_pieces("tuple[2, 3] → None") == ["tuple[2, 3] →", "None"]
