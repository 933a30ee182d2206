"""What the inside samples say is wrong with the training, in words a learner can act on.

Why its own module: the summary must never call broken training healthy, so
every check (NaN or inf numbers, exploding, vanishing or missing gradients,
dead layers, updates of the wrong size) lives in one place, and the tables
(``inside``) mark their rows with the same predicates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from nnlearn.render.inside_history import (
    VANISHED,
    InsideHistory,
    ParamTrack,
    is_broken,
    last_finite,
    last_value,
)

# Rules of thumb for the update/weight ratio (Karpathy's "about 1e-3").
RATIO_TOO_SMALL = 1e-5
RATIO_TOO_LARGE = 1e-1
DEAD_SHARE = 0.95  # a ReLU layer with this share of zeros is (nearly) dead
# A converged bias can have a gradient of exactly 0 once; nothing flows back only if
# it stays 0 over this many samples.
ZERO_EVIDENCE = 2
# Gradients this many times their first norm (all together) have exploded: three orders
# of magnitude. Healthy training moves them by one at most (the lessons' loops: 8x).
EXPLODED = 1e3
# ...and at least this large: a model that starts nearly trained (a norm of 1e-4) and
# then meets new data grows as much, but its gradients are still small.
EXPLODED_AT_LEAST = 1.0
Point = tuple[int, float]  # (step, value) of the loss
NAMED = 3  # parameters named in one line of the summary; the rest are counted

FIX_EXPLODING = (
    "→ lower the learning rate, or clip the gradients before optimizer.step() "
    "(torch.nn.utils.clip_grad_norm_)"
)
FIX_NOT_FINITE = (
    "→ look for log or sqrt of 0 or of a negative number, and for a division by zero; "
    "if the loss grew first, lower the learning rate"
)
FIX_NAN_GRADIENT = (
    "→ torch.autograd.set_detect_anomaly(True) makes the backward that gives the first "
    "NaN raise an error that names its operation"
)


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


def param_flag(track: ParamTrack) -> str | None:
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


def has_vanished(track: ParamTrack) -> bool:
    """The parameter's latest gradient norm is (nearly) zero."""
    last = last_value(track.grad_norms)
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
        last = last_value(track.zeros)
        if last is not None and last >= DEAD_SHARE:
            dead.append(name)
    return dead


def broken_gradient(track: ParamTrack) -> bool:
    """The parameter's latest gradient norm is NaN or inf."""
    return is_broken(last_value(track.grad_norms))


def broken_weights(track: ParamTrack) -> bool:
    """The parameter's weights, or its latest update, are NaN or inf."""
    return is_broken(track.weight_norm) or is_broken(track.last_ratio)


def nan_or_inf(values: list[float | None]) -> str:
    """``NaN``, ``inf`` or ``NaN or inf``: what these values that are not finite are."""
    nan = any(v is not None and math.isnan(v) for v in values)
    inf = any(v is not None and math.isinf(v) for v in values)
    return "NaN or inf" if nan and inf else ("NaN" if nan else "inf")


@dataclass(frozen=True)
class Explosion:
    """The gradients grew by orders of magnitude since training began."""

    first: tuple[int, float]  # (step, norm of all the gradients together)
    peak: tuple[int, float]
    params: tuple[str, ...]  # whose own norm grew past ``EXPLODED`` times the first, largest first

    def text(self, *, name_params: bool = True) -> str:
        (first_step, first), (peak_step, peak) = self.first, self.peak
        largest = f" (largest: {named(self.params)})" if name_params and self.params else ""
        return (
            f"all the gradients together went from {format_number(first)} at step "
            f"{first_step} to {format_number(peak)} at step {peak_step}{largest}"
        )


def explosion(history: InsideHistory) -> Explosion | None:
    """The explosion of the gradients, if the latest norm of them all (of a sample where they
    were finite) is the largest so far, at least ``EXPLODED`` times the first and at least
    ``EXPLODED_AT_LEAST``."""
    first = history.first_total
    if first is None or not history.totals:
        return None
    peak = history.totals[-1]
    if peak[1] < max(EXPLODED * first[1], EXPLODED_AT_LEAST, *(t for _, t in history.totals)):
        return None
    grown = []
    for name, track in history.params.items():
        last = last_finite(track.grad_norms)
        if last is not None and last >= EXPLODED * first[1]:
            grown.append((last, name))
    params = tuple(name for _, name in sorted(grown, reverse=True))
    return Explosion(first, peak, params)


def format_number(value: float | None) -> str:
    """Short and honest at any magnitude: ``0.031``, ``2.4e-09``, ``0``, ``NaN``, ``—``."""
    if value is None:
        return "—"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    return f"{value:.1e}"


def named(names: Sequence[str], among: int = 0) -> str:
    """The first few names, and how many more; ``all N`` when they are all ``among``."""
    if len(names) > NAMED and len(names) == among:
        return f"all {among} parameters"
    shown = ", ".join(names[:NAMED])
    return shown + (f" and {len(names) - NAMED} more" if len(names) > NAMED else "")


def loss_explosion(loss: Sequence[Point]) -> tuple[Point, Point] | None:
    """The first (positive) loss and a largest one at least ``EXPLODED`` times it, or None."""
    finite = [point for point in loss if math.isfinite(point[1])]
    if not finite or finite[0][1] <= 0:
        return None
    peak = max(finite, key=lambda point: point[1])
    return (finite[0], peak) if peak[1] >= EXPLODED * finite[0][1] else None


def _broken_lines(history: InsideHistory, last_loss: Point | None) -> list[str]:
    """NaN or inf gradients, weights and loss, and what they mean."""
    tracks = history.params
    grads = [name for name, track in tracks.items() if broken_gradient(track)]
    weights = [name for name, track in tracks.items() if broken_weights(track)]
    loss = None if last_loss is None else last_loss[1]
    lines = []
    if grads:
        what = nan_or_inf([last_value(tracks[name].grad_norms) for name in grads])
        weights_too = set(grads) <= set(weights)
        also = (["their weights"] if weights_too else []) + (
            ["the loss"] if is_broken(loss) else []
        )
        line = (
            f"✗ the gradients of {named(grads, len(tracks))} are {what} at step {history.last_step}"
        )
        if also:
            line += f", and so {'is' if also == ['the loss'] else 'are'} {' and '.join(also)}"
        if weights_too:
            line += ": the model learns nothing from here on"
        else:
            line += ": the next optimizer.step() makes the weights NaN (a GradScaler skips it)"
        if loss is not None and not is_broken(loss):
            line += "; the loss is finite, so it is the gradient of an operation (sqrt of 0…)"
        lines.append(line)
    others = [name for name in weights if name not in grads]
    if others:
        lines.append(
            f"✗ the weights of {named(others, len(tracks))} are NaN or inf: an update made "
            "them so, and every output that uses them is NaN too"
        )
    if not grads and last_loss is not None and is_broken(loss):
        lines.append(
            f"✗ the loss is {format_number(loss)} at step {last_loss[0]}: the gradients are "
            "numbers, but they follow no loss, so nothing the model learns means anything"
        )
    return lines


def training_broke(history: InsideHistory, loss: Sequence[Point] = ()) -> bool:
    """Some gradient, weight or the loss is NaN or inf: what the summary's ``✗`` lines say."""
    return bool(_broken_lines(history, loss[-1] if loss else None))


def inside_summary(history: InsideHistory, loss: Sequence[Point] = ()) -> Text:
    """The warnings first, the worst first; or that all is well.

    ``loss`` is the ``loss`` series' points (its last exact): a NaN loss (log of a
    negative number) can leave the gradients finite, and is no less broken; a loss
    that exploded before the NaN says why, when the samples came too late to see it.
    """
    text = Text()
    broken = _broken_lines(history, loss[-1] if loss else None)
    for line in broken:
        text.append(line + "\n", style="bold red")
    exploded = explosion(history)
    if exploded is not None:
        if broken:
            text.append(f"⚠ they exploded first: {exploded.text(name_params=False)}\n", "yellow")
        else:
            text.append(f"⚠ exploding: {exploded.text()}\n", style="bold red")
        text.append(FIX_EXPLODING + "\n")
    elif broken and (grew := loss_explosion(loss)) is not None:
        (first_step, first), (peak_step, peak) = grew
        text.append(
            f"⚠ the loss exploded first: from {format_number(first)} at step {first_step} "
            f"to {format_number(peak)} at step {peak_step}\n",
            style="yellow",
        )
        text.append(FIX_EXPLODING + "\n")
    elif broken:
        text.append(FIX_NOT_FINITE + "\n")
        if any(broken_gradient(track) for track in history.params.values()):
            text.append(FIX_NAN_GRADIENT + "\n")
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
        text.append(
            f"⚠ vanishing: the gradient of {named(vanishing)} is (nearly) zero at the last sample\n",
            style="bold yellow",
        )
    if not (broken or exploded is not None or flags or dead or vanishing):
        text.append("✓ every parameter receives a gradient\n", style="green")
    samples = "1 sample" if history.samples == 1 else f"{history.samples} samples"
    text.append(f"{samples} up to step {history.last_step}", style="dim")
    return text


def update_size_off(track: ParamTrack) -> str | None:
    """Which way the last two update/weight ratios measured were both off ("small"/"large").

    One measure is not a trend: the first steps move a bias that starts at 0 by a
    large share of itself, and a short Run may be measured only then (lesson 8's
    solution showed "update too large" next to a gradient that had long settled).
    """
    ratios = track.recent_ratios
    if len(ratios) < 2 or any(is_broken(r) for r in ratios):
        return None
    if all(r < RATIO_TOO_SMALL for r in ratios):
        return "small"
    if all(r > RATIO_TOO_LARGE for r in ratios):
        return "large"
    return None
