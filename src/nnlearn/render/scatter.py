"""``nnlearn.plot`` series as text: a plotext scatter built into a string, and a summary.

Kept apart from the loss curves (``render/plot.py``): these are points the
learner chose to draw (data against predictions), with real-valued x, so they
are drawn as markers, not joined into lines. ``PlotSeries`` holds the latest
points of each series for a pane or a report, replacing a series when it is
plotted again. Each call builds a fresh plotext figure, like ``loss_plot``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nnlearn.kernel.events import PlotPoints
from nnlearn.render.plot import MIN_HEIGHT, MIN_WIDTH, format_value, strip_ansi

XY = tuple[float, float]
MAX_SERIES = 8  # as many as the probe allows in one run
NO_PLOTS = "nothing plotted yet"
_COLORS = ("cyan+", "orange+", "green+", "magenta+", "blue+", "red+", "yellow+", "white")
# Without colour the series are told apart by marker alone.
_MARKERS = ("•", "+", "x", "o", "*", "#", "@", "%")


class PlotSeries:
    """The latest points of every ``nnlearn.plot`` series of a run, in first-seen order.

    ``revision`` grows with every change, so a widget redraws only when needed.
    At most ``max_series`` names are kept, so a flood of names cannot grow it.
    """

    def __init__(self, max_series: int = MAX_SERIES) -> None:
        self.max_series = max_series
        self.revision = 0
        self._series: dict[str, PlotPoints] = {}

    def set(self, event: PlotPoints) -> None:
        """Replace the series of that name; a name beyond ``max_series`` is ignored."""
        if event.series not in self._series and len(self._series) >= self.max_series:
            return
        self._series[event.series] = event
        self.revision += 1

    def clear(self) -> None:
        self._series.clear()
        self.revision += 1

    def as_dict(self) -> dict[str, list[XY]]:
        return {name: list(event.points) for name, event in self._series.items()}

    def events(self) -> list[PlotPoints]:
        return list(self._series.values())

    def __bool__(self) -> bool:
        return bool(self._series)


def marker_for(index: int, *, color: bool) -> str:
    return "dot" if color else _MARKERS[index % len(_MARKERS)]


def color_for(index: int) -> str:
    return _COLORS[index % len(_COLORS)]


def scatter_plot(
    series: Mapping[str, Sequence[XY]], width: int, height: int, *, color: bool = True
) -> str:
    """A ``width`` × ``height`` scatter of every series, one labelled marker each.

    With ``color=False`` the text has no escape codes and each series has its
    own marker character.
    """
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return f"plot area too small ({width}×{height}, need {MIN_WIDTH}×{MIN_HEIGHT})"
    drawable = {name: list(points) for name, points in series.items() if points}
    if not drawable:
        return NO_PLOTS
    # Imported when first drawn, as in loss_plot: plotext is slow to import.
    from plotext._figure import _figure_class

    figure = _figure_class()
    figure.plot_size(width, height)
    figure.theme("clear")
    for index, (name, points) in enumerate(drawable.items()):
        style = {"marker": marker_for(index, color=color)}
        if color:
            style["color"] = color_for(index)
        figure.scatter([p[0] for p in points], [p[1] for p in points], label=name, **style)
    text = figure.build().rstrip("\n")
    return text if color else strip_ansi(text)


def plot_summary(events: Sequence[PlotPoints]) -> str:
    """One line per series: ``data: 50 points, x 0 … 0.98, y 0.3 … 0.986``."""
    lines = []
    for event in events:
        line = f"{event.series}: {event.total:,} point{'s' if event.total != 1 else ''}"
        if event.points:
            xs = [p[0] for p in event.points]
            ys = [p[1] for p in event.points]
            line += (
                f", x {format_value(min(xs))} … {format_value(max(xs))}"
                f", y {format_value(min(ys))} … {format_value(max(ys))}"
            )
        notes = []
        if len(event.points) + event.nonfinite < event.total:
            notes.append(f"{len(event.points):,} drawn")
        if event.nonfinite:
            notes.append(f"{event.nonfinite:,} NaN/inf left out")
        if notes:
            line += f" ({', '.join(notes)})"
        lines.append(line)
    return "\n".join(lines) if lines else NO_PLOTS
