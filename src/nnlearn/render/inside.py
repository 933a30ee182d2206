"""Training seen from inside, for people: the gradient and activation tables.

``InsideHistory`` (``inside_history``) gathers a Run's ``InsideSample``
events, ``inside_health`` says what is wrong (no gradient, NaN or inf,
exploding, vanishing, dead layers), and ``inside_tables`` draws that summary
above two small tables with sparklines: one row per parameter tensor
(gradient norm over the steps, the last norm, the update/weight ratio) and one
per layer (the mean, standard deviation and share of exact zeros of its
output). A number that is not finite shows as a red ``NaN`` or ``inf``, and
as a red ``!`` in a sparkline. The TUI's Inside tab and ``nnlearn run`` both
use them.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from nnlearn.render.inside_health import (
    DEAD_SHARE,
    Point,
    broken_gradient,
    broken_weights,
    dead_layers,
    explosion,
    format_number,
    has_vanished,
    inside_flags,
    inside_summary,
    nan_or_inf,
    param_flag,
    update_size_off,
)
from nnlearn.render.inside_history import (
    HISTORY,
    InsideHistory,
    ParamTrack,
    is_broken,
    last_value,
)

__all__ = [
    "HISTORY",
    "InsideHistory",
    "activation_table",
    "dead_layers",
    "format_number",
    "gradient_table",
    "inside_flags",
    "inside_summary",
    "inside_tables",
    "layer_update_ratio",
    "sparkline",
]

SPARK_WIDTH = 12
_BARS = "▁▂▃▄▅▆▇█"
BROKEN_BAR = "!"  # a sample whose value was NaN or inf
BROKEN_STYLE = "bold red"


def layer_update_ratio(history: InsideHistory, layer: str) -> float | None:
    """The size of the layer's last update over the size of its weights, all its tensors together.

    sqrt(sum of squared update norms) / sqrt(sum of squared weight norms), from the
    per-tensor ratios; None for a layer without parameters or without an update; NaN
    when a weight or an update was not finite.
    """
    updates: list[float] = []
    weights: list[float] = []
    for name, track in history.params.items():
        if name.rpartition(".")[0] != layer or track.weight_norm is None:
            continue
        if track.last_ratio is not None:
            updates.append(track.last_ratio * track.weight_norm)
        weights.append(track.weight_norm)
    total = math.hypot(*weights)  # hypot, not a sum of squares: no overflow at 1e200
    if not updates or total <= 0:
        return None
    return math.hypot(*updates) / total


def sparkline(
    values: list[float | None] | deque[float | None],
    *,
    log: bool = False,
    bounds: tuple[float, float] | None = None,
) -> str:
    """One character per value (the last ``SPARK_WIDTH``), scaled to the row's own range.

    ``log`` compares orders of magnitude (gradient norms span many); ``bounds``
    fixes the scale instead (a share of zeros is 0 to 1). A row spans at least
    one decade (log) or a tenth of its largest value, so that noise stays
    flat. A missing value is a space, a zero on a log scale the lowest bar, NaN
    or inf a ``!`` (never part of the scale).
    """
    shown = list(values)[-SPARK_WIDTH:]
    numbers = [_scaled(v, log) for v in shown]
    finite = [v for v in numbers if v is not None]
    if not finite:
        return "".join(BROKEN_BAR if is_broken(v) else " " for v in shown)
    if bounds is not None:
        low, high = bounds
    else:
        low, high = _spread(min(finite), max(finite), log)
    chars = []
    for raw, value in zip(shown, numbers, strict=True):
        if value is None:
            chars.append(BROKEN_BAR if is_broken(raw) else " ")
        elif high - low < 1e-12:
            chars.append(_BARS[len(_BARS) // 2])
        else:
            share = min(max((value - low) / (high - low), 0.0), 1.0)
            chars.append(_BARS[round(share * (len(_BARS) - 1))])
    return "".join(chars)


def spark_text(
    values: deque[float | None],
    style: str,
    *,
    log: bool = False,
    bounds: tuple[float, float] | None = None,
) -> Text:
    """``sparkline`` in the row's colour, its ``!`` (NaN or inf) in red."""
    text = Text(sparkline(values, log=log, bounds=bounds), style=style)
    for index, char in enumerate(text.plain):
        if char == BROKEN_BAR:
            text.stylize(BROKEN_STYLE, index, index + 1)
    return text


def number_cell(value: float | None) -> Text:
    """``format_number``, in red when the number is NaN or inf."""
    return Text(format_number(value), style=BROKEN_STYLE if is_broken(value) else "")


def _spread(low: float, high: float, log: bool) -> tuple[float, float]:
    """A row's range, widened so that noise (a change of a few per cent) stays flat."""
    least = 1.0 if log else 0.1 * max(abs(low), abs(high))
    if high - low >= least:
        return low, high
    middle = (low + high) / 2
    return middle - least / 2, middle + least / 2


def _scaled(value: float | None, log: bool) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    if not log:
        return value
    return math.log10(value) if value > 0 else -30.0


def gradient_table(history: InsideHistory, *, max_rows: int | None = None) -> Table:
    """One row per parameter tensor: ‖grad‖ over the steps, the last, update/weight, a flag."""
    table = Table(title="Gradient flow", title_justify="left", box=None, pad_edge=False)
    table.add_column("parameter", overflow="fold")
    table.add_column("‖grad‖ over steps", no_wrap=True)
    table.add_column("‖grad‖", justify="right", no_wrap=True)
    table.add_column("update/weight", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    exploded = explosion(history)
    exploding = set(exploded.params) if exploded is not None else set()
    rows = list(history.params.items())
    for name, track in rows[:max_rows]:
        table.add_row(
            Text(name),
            spark_text(track.grad_norms, "cyan", log=True),
            number_cell(last_value(track.grad_norms)),
            number_cell(track.last_ratio),
            _gradient_note(track, name in exploding),
        )
    _note_cut(table, len(rows), max_rows, "parameters")
    return table


def _gradient_note(track: ParamTrack, exploding: bool) -> Text:
    """The worst that can be said of one parameter, in a few words."""
    flag = param_flag(track)
    ratio = track.last_ratio
    if broken_gradient(track):
        return Text(f"✗ {nan_or_inf([last_value(track.grad_norms)])}", style=BROKEN_STYLE)
    if broken_weights(track):
        return Text(f"✗ {nan_or_inf([track.weight_norm, ratio])} weights", style=BROKEN_STYLE)
    if flag is not None:
        return Text(f"⚠ {flag.replace('_', ' ')}", style="bold red")
    if exploding:
        return Text("⚠ exploding", style="bold red")
    if has_vanished(track):
        return Text("⚠ vanishing", style="bold yellow")
    size = update_size_off(track)
    if size is not None:
        return Text(f"update too {size}", style="yellow")
    return Text("")


def activation_table(history: InsideHistory, *, max_rows: int | None = None) -> Table:
    """One row per layer: mean and std of its output, its share of exact zeros, update/weight."""
    table = Table(title="Activations", title_justify="left", box=None, pad_edge=False)
    table.add_column("layer", overflow="fold")
    table.add_column("class", overflow="fold")
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("std", justify="right", no_wrap=True)
    table.add_column("zeros over steps", no_wrap=True)
    table.add_column("zeros", justify="right", no_wrap=True)
    table.add_column("upd/w", justify="right", no_wrap=True)
    rows = list(history.layers.items())
    for name, track in rows[:max_rows]:
        zeros = last_value(track.zeros)
        dead = zeros is not None and zeros >= DEAD_SHARE
        share = number_cell(zeros)
        if zeros is not None and math.isfinite(zeros):
            share = Text(
                f"{zeros:.0%}" + (" dead" if dead else ""), style="bold red" if dead else ""
            )
        table.add_row(
            Text(name),
            Text(track.cls),
            number_cell(last_value(track.means)),
            number_cell(last_value(track.stds)),
            spark_text(track.zeros, "magenta", bounds=(0.0, 1.0)),
            share,
            number_cell(layer_update_ratio(history, name)),
        )
    _note_cut(table, len(rows), max_rows, "layers")
    return table


def _note_cut(table: Table, count: int, max_rows: int | None, what: str) -> None:
    if max_rows is not None and count > max_rows:
        table.caption = f"… {count - max_rows:,} more {what} not shown"


def inside_tables(
    history: InsideHistory,
    *,
    max_rows: int | None = None,
    loss: Sequence[Point] = (),
) -> RenderableType:
    """The summary, the gradient table and the activation table, one under the other.

    ``loss`` is the points of the ``loss`` series (see ``inside_summary``).
    """
    return Group(
        inside_summary(history, loss),
        Text(""),
        gradient_table(history, max_rows=max_rows),
        Text(""),
        activation_table(history, max_rows=max_rows),
    )
