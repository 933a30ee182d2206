"""The parameter table of one model: every weight, bias and buffer, with totals.

Counting parameters by hand is a classic exercise ("3→8→1 has 41"), so the
totals line must be exact and easy to read. The totals come from the probe
(which counts tied weights once), never from summing the rows here.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from nnlearn.kernel.events import ParamRow, Params
from nnlearn.render.grouping import Grouped, group_param_rows

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def format_bytes(size: int) -> str:
    """Human units in powers of 1024: ``164 B``, ``1.2 MiB``."""
    if size < 0:
        raise ValueError(f"a size in bytes cannot be negative, got {size}")
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in _UNITS[1:]:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def format_param_shape(shape: list[int]) -> str:
    """``[8, 3]`` → ``(8, 3)``; a scalar (``[]``) → ``()``."""
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _status(row: ParamRow) -> Text:
    if row.buffer:
        return Text("buffer", style="cyan")
    if row.requires_grad:
        return Text("✓ trainable", style="green")
    return Text("frozen", style="yellow")


def params_summary(params: Params) -> str:
    """One line of totals, e.g. ``41 parameters (41 trainable, 0 frozen) · 0 buffer values · 164 B``."""
    return (
        f"{params.total:,} parameters "
        f"({params.trainable:,} trainable, {params.frozen:,} frozen) · "
        f"{params.buffers:,} buffer values · {format_bytes(params.bytes)}"
    )


def empty_params_table(params: Params, *, size_column: bool = False) -> Table:
    """The title (``model (MLP)``) and columns of a params table, ``Size`` before ``Status``."""
    table = Table(title=f"{params.model} ({params.cls})", title_justify="left")
    table.add_column("Name", overflow="fold")
    table.add_column("Shape")
    table.add_column("Numel", justify="right")
    table.add_column("dtype")
    table.add_column("device")
    if size_column:
        table.add_column("Size", justify="right")
    table.add_column("Status")
    return table


def params_table(
    params: Params,
    *,
    max_rows: int | None = None,
    max_depth: int | None = None,
    group: bool = True,
    more_hint: str = "",
) -> Table:
    """A Rich table titled ``model (MLP)`` with one row per parameter or buffer.

    The caption carries the totals. Runs of identical sibling blocks are shown
    once, marked ``×N`` (``group``). ``max_depth`` hides the tensors of modules
    deeper than it (``fc1.weight`` belongs to depth 1) and ``max_rows`` cuts long
    tables (a ResNet has hundreds of rows); the caption says how many rows were
    left out, then ``more_hint`` (how to see them).
    """
    table = empty_params_table(params)

    rows = list(params.rows)
    grouped = group_param_rows(rows) if group else [Grouped(row.name, row) for row in rows]
    visible = [g for g in grouped if max_depth is None or g.depth <= max_depth]
    shown = visible if max_rows is None else visible[: max(max_rows, 0)]
    for item in shown:
        row = item.row
        mark = f" ×{item.copies:,}" if item.copies > 1 else ""
        table.add_row(
            Text(item.label + mark),
            Text(format_param_shape(row.shape)),
            Text(f"{row.numel:,}"),
            Text(row.dtype),
            Text(row.device),
            _status(row),
        )

    caption = params_summary(params)
    table.min_width = len(caption)  # the totals on one line when the terminal allows
    if not rows:
        caption = "This model has no parameters or buffers. " + caption
    if len(grouped) < len(rows):
        caption += f"\n{len(rows):,} rows; ×N: N identical blocks shown once."
    hidden = len(grouped) - len(shown)
    if hidden:
        deeper = len(grouped) - len(visible)
        caption += f"\n… {hidden:,} more rows not shown" + (
            f" ({deeper:,} deeper than depth {max_depth})" if deeper else ""
        )
        if more_hint:
            caption += "\n" + more_hint
    table.caption = caption
    table.caption_justify = "left"
    return table
