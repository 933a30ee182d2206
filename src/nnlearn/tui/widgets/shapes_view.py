"""The Shapes tab: one row per module with its shapes and cost, folded to a depth (+ and -)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from nnlearn.kernel.events import PeakMemory, Shapes
from nnlearn.render import shapes_table
from nnlearn.render.cost import max_depth, peak_memory_line
from nnlearn.tui.widgets.tree_depth import FOLD_BINDINGS, FoldableTree, TreeDepth

EMPTY = "Run your code (F5) to see what shape goes into and comes out of every layer."
MAX_ROWS = 500


class ShapesView(FoldableTree, VerticalScroll):
    """Shows the ``Shapes`` report of the last run, and its peak memory."""

    DEFAULT_CSS = """
    ShapesView { height: 1fr; }
    ShapesView > Static { width: auto; min-width: 100%; }
    """

    BINDINGS = FOLD_BINDINGS

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shapes: Shapes | None = None
        self.memory: PeakMemory | None = None
        self.depth_control = TreeDepth()

    def compose(self):
        yield Static(Text(EMPTY, style="dim"))

    def show(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self.depth_control.deepest = max_depth([row.path for row in shapes.rows])
        self._draw()

    def show_memory(self, memory: PeakMemory) -> None:
        self.memory = memory
        if self.shapes is not None:
            self._draw()

    def _draw(self) -> None:
        shapes = self.shapes
        if shapes is None:
            return
        body = self.query_one(Static)
        if not shapes.rows:
            body.update(Text("The run called no nn.Module.", style="dim"))
            return
        parts: list[RenderableType] = []
        hint = self.depth_control.hint()
        if hint is not None:
            parts.append(hint)
        parts.append(shapes_table(shapes, max_rows=MAX_ROWS, depth=self.depth_control.shown))
        if self.memory is not None:
            parts.append(Text(peak_memory_line(self.memory), style="dim"))
        body.update(Group(*parts))

    def reset(self) -> None:
        self.shapes = None
        self.memory = None
        self.depth_control.deepest = 0  # the depth the learner chose stays for the next Run
        self.query_one(Static).update(Text(EMPTY, style="dim"))
