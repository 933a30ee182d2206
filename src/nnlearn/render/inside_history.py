"""What a Run's ``inside`` samples said, per parameter and per layer, kept bounded.

Why its own module: the health checks (``inside_health``) and the tables
(``inside``) both read it, and neither should own it. A norm that is not
finite (the training broke) is kept as NaN or inf, never dropped: None means
only that nothing was measured (no ``.grad``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from nnlearn.kernel.events import InsideSample, LayerActivity, ParamFlow

HISTORY = 60
VANISHED = 1e-7  # a gradient norm this small, next to others, has vanished


@dataclass
class ParamTrack:
    """One parameter tensor over the samples."""

    requires_grad: bool = True
    ever_grad: bool = False  # some sample had a gradient
    ever_nonzero: bool = False  # some sample had a gradient with a norm above 0
    zero_samples: int = 0  # samples whose gradient was exactly 0
    optimized: bool | None = None
    grad_norms: deque[float | None] = field(default_factory=lambda: deque(maxlen=HISTORY))
    last_ratio: float | None = None
    # The last two update/weight ratios measured (a sample without an optimizer step
    # after it, like the one at a Run's end, measures none).
    recent_ratios: deque[float] = field(default_factory=lambda: deque(maxlen=2))
    weight_norm: float | None = None


@dataclass
class LayerTrack:
    """One layer's output over the samples."""

    cls: str
    means: deque[float | None] = field(default_factory=lambda: deque(maxlen=HISTORY))
    stds: deque[float | None] = field(default_factory=lambda: deque(maxlen=HISTORY))
    zeros: deque[float | None] = field(default_factory=lambda: deque(maxlen=HISTORY))


class InsideHistory:
    """Everything the Run's samples said, per parameter and per layer, in model order."""

    def __init__(self) -> None:
        self.params: dict[str, ParamTrack] = {}
        self.layers: dict[str, LayerTrack] = {}
        self.samples = 0
        self.last_step = 0
        # The norm of all the gradients of a sample together, (step, norm), where every
        # one was finite; the first that had not vanished is what later ones are compared
        # with to see them explode (kept when the history moves on).
        self.totals: deque[tuple[int, float]] = deque(maxlen=HISTORY)
        self.first_total: tuple[int, float] | None = None

    def __bool__(self) -> bool:
        return self.samples > 0

    def add(self, sample: InsideSample) -> None:
        self.samples += 1
        self.last_step = max(self.last_step, sample.step)
        for flow in sample.params:
            self._add_param(flow)
        for layer in sample.layers:
            self._add_layer(layer)
        norms = [flow.grad_norm for flow in sample.params if flow.grad_norm is not None]
        if norms and all(math.isfinite(norm) for norm in norms):
            total = math.hypot(*norms)
            self.totals.append((sample.step, total))
            if self.first_total is None and total >= VANISHED:
                self.first_total = (sample.step, total)

    def _add_param(self, flow: ParamFlow) -> None:
        track = self.params.setdefault(flow.name, ParamTrack())
        track.requires_grad = flow.requires_grad
        norm = flow.grad_norm
        track.grad_norms.append(norm)
        if norm is not None:
            track.ever_grad = True
            track.ever_nonzero = track.ever_nonzero or norm > 0
            track.zero_samples += norm == 0
        if flow.optimized is not None:
            track.optimized = flow.optimized
        if flow.update_ratio is not None:
            track.last_ratio = flow.update_ratio
            track.recent_ratios.append(flow.update_ratio)
        elif flow.weight_norm is not None and not math.isfinite(flow.weight_norm):
            track.last_ratio = math.nan  # an update of a NaN weight over its size: NaN too
        track.weight_norm = flow.weight_norm

    def _add_layer(self, layer: LayerActivity) -> None:
        track = self.layers.setdefault(layer.name, LayerTrack(layer.cls))
        track.means.append(layer.mean)
        track.stds.append(layer.std)
        track.zeros.append(layer.zeros)


def last_value(values: Sequence[float | None]) -> float | None:
    """The latest measured value (NaN and inf included), or None when none was."""
    for value in reversed(values):
        if value is not None:
            return value
    return None


def is_broken(value: float | None) -> bool:
    """A measured value that is NaN or infinite."""
    return value is not None and not math.isfinite(value)


def last_finite(values: Sequence[float | None]) -> float | None:
    """The latest value that is a finite number, or None."""
    for value in reversed(values):
        if value is not None and math.isfinite(value):
            return value
    return None
