"""Training seen from inside, for people: gradient flow, updates, activations, and warnings.

``InsideHistory`` gathers a Run's ``InsideSample`` events (bounded: the last
``HISTORY`` samples of each series), ``inside_flags`` names the parameters
that received no gradient and why, and ``inside_tables`` draws two small
tables with sparklines: one row per parameter tensor (gradient norm over the
steps, the last norm, the update/weight ratio) and one per layer (the mean,
standard deviation and share of exact zeros of its output). The TUI's Inside
tab and ``nnlearn run`` both use them.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from nnlearn.kernel.events import InsideSample, LayerActivity, ParamFlow

HISTORY = 60
SPARK_WIDTH = 12
_BARS = "▁▂▃▄▅▆▇█"

# Rules of thumb for the update/weight ratio (Karpathy's "about 1e-3").
RATIO_TOO_SMALL = 1e-5
RATIO_TOO_LARGE = 1e-1
DEAD_SHARE = 0.95  # a ReLU layer with this share of zeros is (nearly) dead
VANISHED = 1e-7  # a gradient norm this small, next to others, has vanished
# A converged bias can have a gradient of exactly 0 once; nothing flows back only if
# it stays 0 over this many samples.
ZERO_EVIDENCE = 2


@dataclass
class _ParamTrack:
    requires_grad: bool = True
    ever_grad: bool = False  # some sample had a gradient
    ever_nonzero: bool = False  # some sample had a gradient with a norm above 0
    zero_samples: int = 0  # samples whose gradient was exactly 0
    optimized: bool | None = None
    grad_norms: deque[float | None] = field(default_factory=lambda: deque(maxlen=HISTORY))
    last_ratio: float | None = None
    weight_norm: float | None = None


@dataclass
class _LayerTrack:
    cls: str
    means: deque[float | None] = field(default_factory=lambda: deque(maxlen=HISTORY))
    stds: deque[float | None] = field(default_factory=lambda: deque(maxlen=HISTORY))
    zeros: deque[float | None] = field(default_factory=lambda: deque(maxlen=HISTORY))


@dataclass(frozen=True)
class Flag:
    """A layer that received no gradient (or no update), and why."""

    layer: str
    params: tuple[str, ...]
    reason: str

    def text(self) -> str:
        return f"{self.layer} ({', '.join(self.params)}): {self.reason}"


_REASONS = {
    "frozen": "frozen: requires_grad is False, so it never learns",
    "no_grad": "no gradient: .grad stays None (not used in the loss, or cut off by .detach())",
    "zero_grad": "zero gradient at every sample: nothing flows back to it",
    "not_optimized": "gets gradients but no optimizer holds it, so it never changes",
}


class InsideHistory:
    """Everything the Run's samples said, per parameter and per layer, in model order."""

    def __init__(self) -> None:
        self.params: dict[str, _ParamTrack] = {}
        self.layers: dict[str, _LayerTrack] = {}
        self.samples = 0
        self.last_step = 0

    def __bool__(self) -> bool:
        return self.samples > 0

    def add(self, sample: InsideSample) -> None:
        self.samples += 1
        self.last_step = max(self.last_step, sample.step)
        for flow in sample.params:
            self._add_param(flow)
        for layer in sample.layers:
            self._add_layer(layer)

    def _add_param(self, flow: ParamFlow) -> None:
        track = self.params.setdefault(flow.name, _ParamTrack())
        track.requires_grad = flow.requires_grad
        track.grad_norms.append(flow.grad_norm)
        if flow.grad_norm is not None:
            track.ever_grad = True
            track.ever_nonzero = track.ever_nonzero or flow.grad_norm > 0
            track.zero_samples += flow.grad_norm == 0
        if flow.optimized is not None:
            track.optimized = flow.optimized
        if flow.update_ratio is not None:
            track.last_ratio = flow.update_ratio
        track.weight_norm = flow.weight_norm

    def _add_layer(self, layer: LayerActivity) -> None:
        track = self.layers.setdefault(layer.name, _LayerTrack(layer.cls))
        track.means.append(layer.mean)
        track.stds.append(layer.std)
        track.zeros.append(layer.zeros)


def param_flag(track: _ParamTrack) -> str | None:
    """Why this parameter does not learn (a key of ``_REASONS``), or None."""
    if not track.requires_grad:
        return "frozen"
    if not track.ever_grad:
        return "no_grad"
    if not track.ever_nonzero and track.zero_samples >= ZERO_EVIDENCE:
        return "zero_grad"
    if track.optimized is False:
        return "not_optimized"
    return None


def inside_flags(history: InsideHistory) -> list[Flag]:
    """Layers with parameters that receive no gradient or no update, grouped by reason."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for name, track in history.params.items():
        reason = param_flag(track)
        if reason is not None:
            layer, _, param = name.rpartition(".")
            grouped.setdefault((layer or name, reason), []).append(param)
    return [
        Flag(layer, tuple(params), _REASONS[reason]) for (layer, reason), params in grouped.items()
    ]


def layer_update_ratio(history: InsideHistory, layer: str) -> float | None:
    """The size of the layer's last update over the size of its weights, all its tensors together.

    sqrt(sum of squared update norms) / sqrt(sum of squared weight norms), from the
    per-tensor ratios; None for a layer without parameters or without an update.
    """
    updates = weights = 0.0
    seen = False
    for name, track in history.params.items():
        if name.rpartition(".")[0] != layer or track.weight_norm is None:
            continue
        if track.last_ratio is not None:
            seen = True
            updates += (track.last_ratio * track.weight_norm) ** 2
        weights += track.weight_norm**2
    if not seen or weights <= 0:
        return None
    return math.sqrt(updates / weights)


def has_vanished(track: _ParamTrack) -> bool:
    """The parameter's latest gradient norm is (nearly) zero."""
    last = _last(track.grad_norms)
    return last is not None and last < VANISHED


def vanishing_params(history: InsideHistory) -> list[str]:
    """Parameters not flagged otherwise whose latest gradient norm has (nearly) vanished."""
    return [
        name
        for name, track in history.params.items()
        if param_flag(track) is None and has_vanished(track)
    ]


def dead_layers(history: InsideHistory) -> list[str]:
    """Layers whose latest output is (nearly) all exact zeros."""
    dead = []
    for name, track in history.layers.items():
        last = _last(track.zeros)
        if last is not None and last >= DEAD_SHARE:
            dead.append(name)
    return dead


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
    flat. A missing value is a space, a zero on a log scale the lowest bar.
    """
    shown = list(values)[-SPARK_WIDTH:]
    numbers = [_scaled(v, log) for v in shown]
    finite = [v for v in numbers if v is not None]
    if not finite:
        return " " * len(shown)
    if bounds is not None:
        low, high = bounds
    else:
        low, high = _spread(min(finite), max(finite), log)
    chars = []
    for value in numbers:
        if value is None:
            chars.append(" ")
        elif high - low < 1e-12:
            chars.append(_BARS[len(_BARS) // 2])
        else:
            share = min(max((value - low) / (high - low), 0.0), 1.0)
            chars.append(_BARS[round(share * (len(_BARS) - 1))])
    return "".join(chars)


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


def _last(values: deque[float | None]) -> float | None:
    for value in reversed(values):
        if value is not None:
            return value
    return None


def format_number(value: float | None) -> str:
    """Short and honest at any magnitude: ``0.031``, ``2.4e-09``, ``0``, ``—``."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    return f"{value:.1e}"


def gradient_table(history: InsideHistory, *, max_rows: int | None = None) -> Table:
    """One row per parameter tensor: ‖grad‖ over the steps, the last, update/weight, a flag."""
    table = Table(title="Gradient flow", title_justify="left", box=None, pad_edge=False)
    table.add_column("parameter", overflow="fold")
    table.add_column("‖grad‖ over steps", no_wrap=True)
    table.add_column("‖grad‖", justify="right", no_wrap=True)
    table.add_column("update/weight", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    rows = list(history.params.items())
    for name, track in rows[:max_rows]:
        flag = param_flag(track)
        last = _last(track.grad_norms)
        ratio = track.last_ratio
        note = Text("")
        if flag is not None:
            note = Text(f"⚠ {flag.replace('_', ' ')}", style="bold red")
        elif has_vanished(track):
            note = Text("⚠ vanishing", style="bold yellow")
        elif ratio is not None and (ratio < RATIO_TOO_SMALL or ratio > RATIO_TOO_LARGE):
            size = "small" if ratio < RATIO_TOO_SMALL else "large"
            note = Text(f"update too {size}", style="yellow")
        table.add_row(
            Text(name),
            Text(sparkline(track.grad_norms, log=True), style="cyan"),
            format_number(last),
            format_number(ratio),
            note,
        )
    _note_cut(table, len(rows), max_rows, "parameters")
    return table


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
        zeros = _last(track.zeros)
        share = "—" if zeros is None else f"{zeros:.0%}"
        dead = zeros is not None and zeros >= DEAD_SHARE
        table.add_row(
            Text(name),
            Text(track.cls),
            format_number(_last(track.means)),
            format_number(_last(track.stds)),
            Text(sparkline(track.zeros, bounds=(0.0, 1.0)), style="magenta"),
            Text(share + (" dead" if dead else ""), style="bold red" if dead else ""),
            format_number(layer_update_ratio(history, name)),
        )
    _note_cut(table, len(rows), max_rows, "layers")
    return table


def _note_cut(table: Table, count: int, max_rows: int | None, what: str) -> None:
    if max_rows is not None and count > max_rows:
        table.caption = f"… {count - max_rows:,} more {what} not shown"


def inside_summary(history: InsideHistory) -> Text:
    """The warnings first: layers that get no gradient, dead layers; or that all is well."""
    text = Text()
    flags = inside_flags(history)
    for flag in flags:
        text.append("⚠ " + flag.text() + "\n", style="bold red")
    dead = dead_layers(history)
    if dead:
        text.append(
            f"⚠ dead: {', '.join(dead)} output only zeros (ReLUs that never fire)\n",
            style="bold red",
        )
    vanishing = vanishing_params(history)
    if vanishing and not flags:
        names = ", ".join(vanishing[:3]) + (
            f" and {len(vanishing) - 3} more" if len(vanishing) > 3 else ""
        )
        text.append(
            f"⚠ vanishing: the gradient of {names} is (nearly) zero at the last sample\n",
            style="bold yellow",
        )
    if not flags and not dead and not vanishing:
        text.append("✓ every parameter receives a gradient\n", style="green")
    samples = "1 sample" if history.samples == 1 else f"{history.samples} samples"
    text.append(f"{samples} up to step {history.last_step}", style="dim")
    return text


def inside_tables(history: InsideHistory, *, max_rows: int | None = None) -> RenderableType:
    """The summary, the gradient table and the activation table, one under the other."""
    return Group(
        inside_summary(history),
        Text(""),
        gradient_table(history, max_rows=max_rows),
        Text(""),
        activation_table(history, max_rows=max_rows),
    )
