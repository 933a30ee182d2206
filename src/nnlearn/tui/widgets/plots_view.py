"""The Plots tab: the series the learner drew with ``nnlearn.plot``, as a scatter.

Kept apart from the Loss tab: these are points with real x values (the data
and the model's predictions), not curves over training steps. A series
plotted again replaces the old one, so storing an event is cheap; the chart
is rebuilt on a slow timer, only while it is on screen, like the loss chart.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from nnlearn.kernel.events import PlotPoints
from nnlearn.render import PlotSeries, plot_summary

EMPTY = "Nothing plotted yet: nnlearn.plot('name', x, y) in your code draws points here."
REDRAW_INTERVAL = 0.25
MARKERS = ("dot", "+", "x", "o", "*", "#", "@", "%")


class PlotsView(Vertical, can_focus=True):
    """A scatter of every ``nnlearn.plot`` series of the current run.

    Focusable, like every results tab, so that F4 through the tabs keeps the keyboard there.
    """

    DEFAULT_CSS = """
    PlotsView { height: 1fr; }
    PlotsView > PlotextPlot { height: 1fr; }
    PlotsView > .plots-summary { height: auto; max-height: 3; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series = PlotSeries()
        self._drawn_revision = -1

    def compose(self) -> ComposeResult:
        yield PlotextPlot()
        yield Static(Text(EMPTY, style="dim"), classes="plots-summary")

    def on_mount(self) -> None:
        self._draw()
        self.set_interval(REDRAW_INTERVAL, self._draw)

    def set(self, event: PlotPoints) -> None:
        """Take the latest points of one series; they appear at the next redraw."""
        self.series.set(event)

    def reset(self) -> None:
        self.series.clear()
        self._draw()

    def redraw_now(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._drawn_revision = -1
        self._draw()

    def on_show(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.series.revision == self._drawn_revision or not self.is_on_screen:
            return
        self._drawn_revision = self.series.revision
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        for index, (name, points) in enumerate(self.series.as_dict().items()):
            if points:
                marker = MARKERS[index % len(MARKERS)]
                plt.scatter(
                    [p[0] for p in points], [p[1] for p in points], label=name, marker=marker
                )
        summary = self.query_one(".plots-summary", Static)
        if self.series:
            summary.update(Text(plot_summary(self.series.events())))
        else:
            summary.update(Text(EMPTY, style="dim"))
        plot.refresh()
