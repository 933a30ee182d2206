"""The shape table: what went into and came out of every module of a run.

Seeing ``(4, 3) → (4, 8)`` next to ``model.fc1`` is the fastest way to learn
what a layer does, so this table is the heart of the Shapes pane and of
``nnlearn run``. Pure function of a ``Shapes`` event; no terminal, no torch.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from nnlearn.kernel.events import ShapeLike, ShapeRow, Shapes

DEFAULT_DTYPE = "float32"
DEFAULT_DEVICE = "cpu"
NOTHING = "—"


def format_shape(shape: ShapeLike) -> str:
    """``[4, 3]`` → ``(4, 3)``, ``[2]`` → ``(2,)``, ``[]`` → ``()``; text as given."""
    if shape is None:
        return "None"
    if isinstance(shape, str):
        return shape
    dims = [str(d) for d in shape]
    if len(dims) == 1:
        return f"({dims[0]},)"
    return "(" + ", ".join(dims) + ")"


def format_shapes(shapes: Sequence[ShapeLike]) -> str:
    """Several tensors, comma-separated; an empty list reads as a dash."""
    if not shapes:
        return NOTHING
    return ", ".join(format_shape(s) for s in shapes)


def format_flow(row: ShapeRow) -> str:
    """``(4, 3) → (4, 8)`` for one module call."""
    return f"{format_shapes(row.inputs)} → {format_shapes(row.outputs)}"


def _needs_placement_columns(rows: Sequence[ShapeRow]) -> bool:
    return any(
        (row.dtype not in (None, DEFAULT_DTYPE)) or (row.device not in (None, DEFAULT_DEVICE))
        for row in rows
    )


def shapes_table(shapes: Shapes, *, max_rows: int | None = None) -> Table:
    """A Rich table with one row per module, in the order the probe saw them.

    dtype and device columns appear only when something is not float32 on the
    CPU, so the common case stays narrow. ``max_rows`` cuts long tables and
    says how many rows were left out.
    """
    rows = list(shapes.rows)
    placement = _needs_placement_columns(rows)
    table = Table(title="Shapes", title_justify="left", expand=False)
    table.add_column("Module", overflow="fold")
    table.add_column("Class", overflow="fold")
    table.add_column("Input → output", overflow="fold")
    if placement:
        table.add_column("dtype")
        table.add_column("device")
    table.add_column("Calls", justify="right")

    shown = rows if max_rows is None else rows[: max(max_rows, 0)]
    for row in shown:
        cells = [Text(row.path), Text(row.cls), Text(format_flow(row))]
        if placement:
            cells += [Text(row.dtype or NOTHING), Text(row.device or NOTHING)]
        cells.append(Text(f"{row.calls:,}"))
        table.add_row(*cells)

    if not rows:
        table.caption = "No module was called during this run."
    elif len(shown) < len(rows):
        table.caption = f"… {len(rows) - len(shown)} more modules not shown"
    return table
