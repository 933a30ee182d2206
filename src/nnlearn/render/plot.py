"""The loss curve as text: a plotext plot built into a string, plus a summary line.

Both the CLI (printed once at the end) and the TUI's Loss pane (redrawn while
training runs) use this. Each call builds on a fresh plotext figure rather than
plotext's global one, so calls never leak state into each other or into a
textual-plotext widget. Long series are downsampled first, so a 100,000-point
run draws as fast as a 300-point one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from nnlearn.render.series import Point, downsample, is_finite_point

MIN_WIDTH = 20
MIN_HEIGHT = 5
NO_POINTS = "no loss points yet"
SINGLE_POINT_MARKER = "●"
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_COLORS = ("cyan+", "orange+", "green+", "magenta+", "blue+", "red+")
# Without colour the series must still be told apart, so each gets its own marker.
_PLAIN_MARKERS = ("braille", "•", "+", "x", "o", "*")


def strip_ansi(text: str) -> str:
    return _ANSI_ESCAPE.sub("", text)


def format_value(value: float) -> str:
    """Four significant digits: ``0.0123``, ``1.235e+04``, ``nan``."""
    return f"{value:.4g}"


def integer_ticks(low: float, high: float, count: int) -> list[int]:
    """At most ``count`` whole-number ticks from ``low`` to ``high``: steps are never 124.8."""
    low, high = math.floor(low), math.ceil(high)
    if high <= low:
        return [low]
    count = max(2, min(count, high - low + 1))
    return sorted({round(low + (high - low) * i / (count - 1)) for i in range(count)})


# plotext writes a tick as a plain decimal: 8.7e21 takes 24 columns, 5e-6 ten. Outside
# this range of magnitudes the ticks are ours, in short scientific notation.
PLAIN_TICKS = (1e-3, 1e5)


def short_value_ticks(low: float, high: float, count: int) -> tuple[list[float], list[str]] | None:
    """``count`` ticks from ``low`` to ``high`` labelled ``8.7e+21``, or None where plotext's do.

    A loss that exploded (or shrank to 1e-6) would otherwise take a third of an
    80-column plot for its labels.
    """
    largest = max(abs(low), abs(high))
    if largest == 0 or PLAIN_TICKS[0] <= largest < PLAIN_TICKS[1]:
        return None
    if high <= low:
        return [low], [f"{low:.3g}"]
    ticks = [low + (high - low) * i / (count - 1) for i in range(max(count, 2))]
    return ticks, [f"{tick:.3g}" for tick in ticks]


def _line_style(index: int, *, color: bool, single: bool) -> dict[str, str]:
    style = {"marker": _PLAIN_MARKERS[index % len(_PLAIN_MARKERS)]}
    if color:
        style = {"marker": "braille", "color": _COLORS[index % len(_COLORS)]}
    if single and style["marker"] == "braille":
        style["marker"] = SINGLE_POINT_MARKER  # one braille dot is nearly invisible
    return style


def loss_plot(
    series: Mapping[str, Sequence[Point]],
    width: int,
    height: int,
    *,
    color: bool = True,
    dropped: Mapping[str, int] | None = None,
) -> str:
    """A ``width`` × ``height`` plot of every series, one labelled line each.

    NaN and inf values are left out and a note under the plot says how many
    (``dropped`` adds counts already removed upstream, e.g. by ``LossSeries``).
    With ``color=False`` the text has no escape codes at all.
    """
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return f"plot area too small ({width}×{height}, need {MIN_WIDTH}×{MIN_HEIGHT})"
    dropped_count = sum((dropped or {}).values())
    drawable: dict[str, list[Point]] = {}
    for name, points in series.items():
        finite = [p for p in points if is_finite_point(p)]
        dropped_count += len(points) - len(finite)
        if finite:
            drawable[name] = downsample(finite, max(2 * width, 2))

    note = ""
    if dropped_count:
        plural = "s" if dropped_count != 1 else ""
        note = f"{dropped_count:,} NaN/inf point{plural} left out"
    if not drawable:
        return f"{NO_POINTS} ({note})" if note else NO_POINTS

    # Imported when first drawn: plotext takes a noticeable part of the app's start-up.
    from plotext._figure import _figure_class

    figure = _figure_class()
    figure.plot_size(width, height - 1 if note else height)
    figure.theme("clear")
    for index, (name, points) in enumerate(drawable.items()):
        steps = [p[0] for p in points]
        values = [p[1] for p in points]
        style = _line_style(index, color=color, single=len(points) == 1)
        figure.plot(steps, values, label=name, **style)

    all_steps = [p[0] for points in drawable.values() for p in points]
    figure.xticks(integer_ticks(min(all_steps), max(all_steps), max(2, width // 14)))
    all_values = [p[1] for points in drawable.values() for p in points]
    y_ticks = short_value_ticks(min(all_values), max(all_values), max(3, height // 3))
    if y_ticks is not None:
        figure.yticks(*y_ticks)
    text = figure.build().rstrip("\n")
    if not color:
        text = strip_ansi(text)
    return f"{text}\n{note}" if note else text


def series_summary(series: Mapping[str, Sequence[Point]]) -> str:
    """One line per series: ``loss: step 299 = 0.0123 (min 0.0101)``."""
    lines = []
    for name, points in series.items():
        if not points:
            lines.append(f"{name}: no points yet")
            continue
        step, value = points[-1]
        line = f"{name}: step {step} = {format_value(value)}"
        finite = [v for _, v in points if math.isfinite(v)]
        if finite:
            line += f" (min {format_value(min(finite))})"
        lines.append(line)
    return "\n".join(lines) if lines else NO_POINTS
