"""The Inside tab: gradient flow and activations while the model trains.

Samples come at most four times a second; they are gathered in an
``InsideHistory`` and the tables are redrawn on a slow timer, only while the
tab is on screen. ``o`` (with the tab focused, or "Inside sampling" in the
command palette, from any tab or step) turns the sampling off for the next Runs, and on again: the
setting lives here and the runner reads it when a Run starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from nnlearn.kernel.events import InsideSample
from nnlearn.render.inside import InsideHistory, inside_tables
from nnlearn.render.inside_health import training_broke
from nnlearn.render.series import LossSeries

EMPTY = (
    "Train a model (F5) to see inside it: each parameter's gradient, the size of each "
    "update, and what every layer outputs. o turns this off."
)
OFF = "Inside is off: Runs do not sample gradients or activations. o turns it on."
NO_SAMPLES = "The run trained nothing: no .backward() while a model was in use."
MAX_ROWS = 200
REDRAW_INTERVAL = 0.25


class InsideView(VerticalScroll, can_focus=True):
    """Gradient norms, update/weight ratios and activation statistics of the current Run."""

    DEFAULT_CSS = """
    InsideView { height: 1fr; }
    InsideView > Static { width: auto; min-width: 100%; }
    """

    BINDINGS = [Binding("o", "toggle_inside", "Inside on/off", show=False)]

    @dataclass
    class Toggled(Message):
        """The learner turned the sampling on or off (for the next Run)."""

        enabled: bool

    @dataclass
    class Broke(Message):
        """The Run's numbers turned NaN or inf (or a new Run starts clean): for the tab's title,
        so that the learner sees it from any tab."""

        broken: bool

    def __init__(self, *, id: str | None = None, loss: LossSeries | None = None) -> None:
        super().__init__(id=id)
        self.loss = loss  # the Loss tab's series: a NaN loss is news here too
        self.enabled = True
        self.history = InsideHistory()
        self._revision = 0
        self._drawn_revision = -1
        self._finished = False
        self._broken = False
        self.shown: RenderableType = Text(EMPTY, style="dim")  # what the tab shows now

    def compose(self):
        yield Static(self.shown)

    def on_mount(self) -> None:
        self.set_interval(REDRAW_INTERVAL, self._draw)

    def add(self, sample: InsideSample) -> None:
        """Take one sample; it appears at the next redraw."""
        self.history.add(sample)
        self._revision += 1
        self._check_broken()

    def reset(self) -> None:
        self.history = InsideHistory()
        self._finished = False
        self._revision += 1
        self._check_broken()
        self._draw()

    def finish(self) -> None:
        """The Run ended: draw what it left now."""
        self._finished = True
        self._revision += 1
        self._check_broken()
        self._draw()

    def _loss(self) -> list[tuple[int, float]]:
        return self.loss.points("loss") if self.loss is not None else []

    def _check_broken(self) -> None:
        """Say when the training turns broken (NaN or inf), or clean again, whatever tab shows."""
        broken = bool(self.history) and training_broke(self.history, self._loss())
        if broken != self._broken:
            self._broken = broken
            self.post_message(self.Broke(broken))

    def on_show(self) -> None:
        self._draw()

    def action_toggle_inside(self) -> None:
        self.enabled = not self.enabled
        self._revision += 1
        self._draw()
        self.post_message(self.Toggled(self.enabled))

    def _draw(self) -> None:
        if self._revision == self._drawn_revision or not self.is_on_screen:
            return
        self._drawn_revision = self._revision
        if self.history:
            self.shown = inside_tables(self.history, max_rows=MAX_ROWS, loss=self._loss())
        elif not self.enabled:
            self.shown = Text(OFF, style="dim")
        elif self._finished:
            self.shown = Text(NO_SAMPLES, style="dim")
        else:
            self.shown = Text(EMPTY, style="dim")
        self.query_one(Static).update(self.shown)
