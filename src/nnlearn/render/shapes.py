"""The shape table: what went into and came out of every module of a run.

Seeing ``(4, 3) → (4, 8)`` next to ``model.fc1`` is the fastest way to learn
what a layer does, so this table is the heart of the Shapes pane and of
``nnlearn run``. Pure function of a ``Shapes`` event; no terminal, no torch.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from nnlearn.kernel.events import ShapeLike, ShapeRow, Shapes, ShapeSignature
from nnlearn.render.cost import (
    bytes_cell,
    flops_cell,
    folded,
    has_cost,
    params_cell,
    uncounted_note,
)
from nnlearn.render.flow_cell import FlowCell
from nnlearn.render.grouping import Grouped, group_shape_rows

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


def format_inputs(inputs: Sequence[ShapeLike], kwargs: dict[str, list[ShapeLike]]) -> str:
    """Positional shapes, then keyword tensors by name: ``(2, 5), mask=(2, 5)``."""
    named = [f"{name}={format_shapes(shapes)}" for name, shapes in kwargs.items()]
    if not named:
        return format_shapes(inputs)
    return ", ".join(([format_shapes(inputs)] if inputs else []) + named)


def format_flow(row: ShapeRow | ShapeSignature) -> str:
    """``(4, 3) → (4, 8)`` for one module call (or one distinct set of input shapes)."""
    return f"{format_inputs(row.inputs, row.kwargs)} → {format_shapes(row.outputs)}"


def _call_lines(row: ShapeRow) -> list[tuple[str, int]]:
    """(flow, calls) per distinct input shapes; one line when all calls looked alike."""
    if len(row.signatures) <= 1:
        return [(format_flow(row), row.calls)]
    lines = [(format_flow(signature), signature.calls) for signature in row.signatures]
    other = row.calls - sum(signature.calls for signature in row.signatures)
    if other > 0:
        lines.append(("… other shapes", other))
    return lines


def _needs_placement_columns(rows: Sequence[ShapeRow]) -> bool:
    return any(
        (row.dtype not in (None, DEFAULT_DTYPE)) or (row.device not in (None, DEFAULT_DEVICE))
        for row in rows
    )


FOLD_MARK = " ▸"


def copies_mark(copies: int) -> str:
    """`` ×12`` after the label of a block shown once for 12 identical ones; else nothing."""
    return f" ×{copies:,}" if copies > 1 else ""


def shapes_table(
    shapes: Shapes,
    *,
    max_rows: int | None = None,
    max_depth: int | None = None,
    group: bool = True,
    more_hint: str = "",
    depth: int | None = None,
) -> Table:
    """A Rich table with one row per module, in the order the probe saw them.

    dtype and device columns appear only when something is not float32 on the
    CPU, so the common case stays narrow. A module called with different input
    shapes gets one line per distinct shapes, each with its own count. Runs of
    identical sibling blocks are shown once, marked ``×N`` (``group``).
    ``max_depth`` hides modules deeper than it (``model.fc1`` is depth 1) and
    ``max_rows`` cuts the rest; the caption says how many were left out, then
    ``more_hint`` (how to see them).

    The cost columns (FLOPs of the first call, bytes of its output, parameters
    with trainable / frozen / partial) count each module with its submodules,
    so ``depth`` (None: every row; the TUI's folding) can fold the tree: rows
    deeper than it are hidden and a row hiding some is marked ``▸``.
    """
    all_rows = list(shapes.rows)
    shown_indexes, hiding = folded([row.path for row in all_rows], depth)
    rows = [all_rows[index] for index in shown_indexes]
    placement = _needs_placement_columns(all_rows)
    cost = has_cost(all_rows)
    table = Table(title="Shapes", title_justify="left", expand=False)
    table.add_column("Module", overflow="fold")
    table.add_column("Class", overflow="fold")
    table.add_column("Input → output", overflow="fold")
    if placement:
        table.add_column("dtype")
        table.add_column("device")
    if cost:
        table.add_column("FLOPs", justify="right")
        table.add_column("Out mem", justify="right")
        table.add_column("Params", justify="right")
    table.add_column("Calls", justify="right")

    hiding_rows = {id(all_rows[index]) for index in hiding}
    grouped = group_shape_rows(rows) if group else [Grouped(row.path, row) for row in rows]
    visible = [g for g in grouped if max_depth is None or g.depth <= max_depth]
    shown = visible if max_rows is None else visible[: max(max_rows, 0)]
    for item in shown:
        row = item.row
        for index, (flow, calls) in enumerate(_call_lines(row)):
            first = index == 0
            label = (
                item.label
                + copies_mark(item.copies)
                + (FOLD_MARK if id(row) in hiding_rows else "")
            )
            cells: list[RenderableType] = [
                Text(label if first else ""),
                Text(row.cls if first else ""),
                FlowCell(flow),
            ]
            if placement:
                cells += [
                    Text(row.dtype or NOTHING if first else ""),
                    Text(row.device or NOTHING if first else ""),
                ]
            if cost:
                if first and row.cost is not None:
                    cells += [
                        flops_cell(row.cost),
                        bytes_cell(row.cost.output_bytes),
                        params_cell(row.cost.params, row.cost.trainable),
                    ]
                else:
                    cells += [Text(""), Text(""), Text("")]
            cells.append(Text(f"{calls:,}"))
            table.add_row(*cells)

    notes = []
    if not all_rows:
        notes.append("No module was called during this run.")
    if len(grouped) < len(rows):
        notes.append(f"{len(rows):,} modules; ×N: N identical blocks shown once (calls per block).")
    hidden = len(grouped) - len(shown)
    if len(visible) < len(grouped):
        notes.append(
            f"… {hidden:,} more modules not shown (deeper than depth {max_depth}"
            + (" or past the screen)." if len(shown) < len(visible) else ").")
        )
    elif hidden:
        notes.append(f"… {hidden:,} more modules not shown")
    if hidden and more_hint:
        notes.append(more_hint)
    if hiding:
        notes.append(f"▸ {len(all_rows) - len(rows)} deeper modules folded (depth {depth})")
    note = uncounted_note(rows) if cost else None
    if note is not None:
        notes.append(note)
    if notes:
        table.caption = "\n".join(notes)
        table.caption_justify = "left"
    return table
