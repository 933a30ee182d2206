"""The parameter table of one model: every weight, bias and buffer, with totals.

Counting parameters by hand is a classic exercise ("3→8→1 has 41"), so the
totals line must be exact and easy to read. The totals come from the probe
(which counts tied weights once), never from summing the rows here.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from nnlearn.kernel.events import ParamRow, Params

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


def params_table(params: Params, *, max_rows: int | None = None) -> Table:
    """A Rich table titled ``model (MLP)`` with one row per parameter or buffer.

    The caption carries the totals. ``max_rows`` cuts long tables (a ResNet
    has hundreds of rows) and says how many rows were left out.
    """
    table = Table(title=f"{params.model} ({params.cls})", title_justify="left")
    table.add_column("Name", overflow="fold")
    table.add_column("Shape")
    table.add_column("Numel", justify="right")
    table.add_column("dtype")
    table.add_column("device")
    table.add_column("Status")

    rows = list(params.rows)
    shown = rows if max_rows is None else rows[: max(max_rows, 0)]
    for row in shown:
        table.add_row(
            Text(row.name),
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
    elif len(shown) < len(rows):
        caption += f"\n… {len(rows) - len(shown)} more rows not shown"
    table.caption = caption
    table.caption_justify = "left"
    return table
