"""The Loss tab: a live plotext chart, one line per series, and the latest value of each.

Points are collected in a bounded ``LossSeries`` as they come; the chart is
rebuilt from a downsampled copy on a slow timer (four times a second), only
while it is on screen, and not while the learner is typing (``hold_redraws``),
because building a plotext chart is the costliest drawing in the app. 20,000
points cost what 200 do, and typing stays quick. Under the chart, every
series (up to six) has its line, taken from the chart's height.
"""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from nnlearn.kernel.events import LossPoints
from nnlearn.render import LossSeries, downsample, series_summary
from nnlearn.render.plot import SINGLE_POINT_MARKER, integer_ticks, short_value_ticks

EMPTY = "No loss yet: every loss.backward() in your code adds a point here."
# Told apart by marker as well as colour, so 16 colours and NO_COLOR still work.
MARKERS = ("braille", "dot", "+", "x", "o", "*")
REDRAW_INTERVAL = 0.25
MAX_HOLD = 2.0  # however long the learner types, the chart moves at least this often


class LossView(Vertical, can_focus=True):
    """A chart of every loss series of the current run.

    Focusable, like every results tab, so that F4 through the tabs keeps the keyboard there.
    """

    DEFAULT_CSS = """
    LossView { height: 1fr; }
    LossView > PlotextPlot { height: 1fr; }
    LossView > .loss-summary { height: auto; min-height: 2; max-height: 6; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series = LossSeries()
        self._drawn_revision = -1
        self._hold_until = 0.0
        self._last_draw = 0.0

    def compose(self) -> ComposeResult:
        yield PlotextPlot()
        yield Static(Text(EMPTY, style="dim"), classes="loss-summary")

    def on_mount(self) -> None:
        self._draw()
        self.set_interval(REDRAW_INTERVAL, self._draw)

    def add(self, events: list[LossPoints]) -> None:
        """Take new points; they appear at the next redraw."""
        for event in events:
            self.series.add(event)

    def reset(self) -> None:
        self.series.clear()
        self._draw()

    def redraw_now(self) -> None:
        self._draw(force=True)

    def hold_redraws(self, seconds: float = 0.5) -> None:
        """Typing has priority: postpone chart rebuilds for a moment (the screen calls this)."""
        self._hold_until = time.monotonic() + seconds

    def on_resize(self) -> None:
        self._drawn_revision = -1
        self._draw()

    def on_show(self) -> None:
        self._draw()

    def _draw(self, force: bool = False) -> None:
        if self.series.revision == self._drawn_revision or not self.is_on_screen:
            return
        now = time.monotonic()
        if not force and now < self._hold_until and now - self._last_draw < MAX_HOLD:
            return
        self._last_draw = now
        self._drawn_revision = self.series.revision
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("step")
        width = max(plot.size.width, 20)
        data = self.series.as_dict()
        steps: list[int] = []
        values: list[float] = []
        for index, (name, points) in enumerate(data.items()):
            finite = [p for p in points if math.isfinite(p[1])]
            if not finite:
                continue
            shown = downsample(finite, max(2 * width, 4))
            # One point drawn in braille is a single dot: too small to find.
            marker = MARKERS[index % len(MARKERS)] if len(shown) > 1 else SINGLE_POINT_MARKER
            plt.plot([p[0] for p in shown], [p[1] for p in shown], label=name, marker=marker)
            steps += (shown[0][0], shown[-1][0])
            values += (min(p[1] for p in shown), max(p[1] for p in shown))
        if values:
            y_ticks = short_value_ticks(min(values), max(values), max(3, plot.size.height // 3))
            if y_ticks is not None:
                plt.yticks(*y_ticks)
        if steps:  # plotext's own ticks fall between steps (124.8): a step is a whole number
            plt.xticks(
                [float(tick) for tick in integer_ticks(min(steps), max(steps), max(2, width // 14))]
            )
        summary = self.query_one(".loss-summary", Static)
        if data:
            summary.update(Text(series_summary(data)))
        else:
            summary.update(Text(EMPTY, style="dim"))
        plot.refresh()
