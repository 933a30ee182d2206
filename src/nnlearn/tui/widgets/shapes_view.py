"""The Shapes tab: one row per module with its input and output shapes."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from nnlearn.kernel.events import Shapes
from nnlearn.render import shapes_table

EMPTY = "Run your code (F5) to see what shape goes into and comes out of every layer."
MAX_ROWS = 500


class ShapesView(VerticalScroll):
    """Shows the ``Shapes`` report of the last run."""

    DEFAULT_CSS = """
    ShapesView { height: 1fr; }
    ShapesView > Static { width: auto; min-width: 100%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shapes: Shapes | None = None

    def compose(self):
        yield Static(Text(EMPTY, style="dim"))

    def show(self, shapes: Shapes) -> None:
        self.shapes = shapes
        body = self.query_one(Static)
        if not shapes.rows:
            body.update(Text("The run called no nn.Module.", style="dim"))
        else:
            body.update(shapes_table(shapes, max_rows=MAX_ROWS))

    def reset(self) -> None:
        self.shapes = None
        self.query_one(Static).update(Text(EMPTY, style="dim"))
