"""The Shapes tab: one row per module with its shapes and cost, folded to a depth (+ and -).

The table of a huge model takes a second to make (sanitising and grouping
20,000 rows), so it is made in a thread worker and posted back as
``ShapesView.Prepared``; the event loop keeps answering keys meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from nnlearn.kernel.events import PeakMemory, Shapes
from nnlearn.render import shapes_table
from nnlearn.render.cost import max_depth, peak_memory_line
from nnlearn.render.sanitize import sanitize_fields
from nnlearn.tui.widgets.prepared_table import Generations
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

    @dataclass
    class Prepared(Message, bubble=False):
        """A table made in the worker for request ``generation``, from ``shapes`` (sanitised)."""

        generation: int
        shapes: Shapes
        deepest: int
        table: Table | None  # None: the run called no module

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shapes: Shapes | None = None  # the last report, sanitised once its table is made
        self.memory: PeakMemory | None = None
        self.depth_control = TreeDepth()
        self._clean = False  # whether ``shapes`` is sanitised already
        self._table: Table | None = None
        self._generations = Generations()

    def compose(self):
        yield Static(Text(EMPTY, style="dim"))

    @property
    def preparing(self) -> bool:
        """A table is being made in the worker and is not shown yet."""
        return self._generations.pending

    def show(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self._clean = False
        self._draw()

    def show_memory(self, memory: PeakMemory) -> None:
        self.memory = memory
        if self._table is not None:
            self._show_table()

    def _draw(self) -> None:
        """Ask the worker for the table of the report at the chosen depth."""
        if self.shapes is None:
            return
        generation = self._generations.ask()
        self._make_table(generation, self.shapes, self._clean, self.depth_control.depth)

    @work(thread=True, exclusive=True, group="shapes-table")
    def _make_table(self, generation: int, shapes: Shapes, clean: bool, depth: int) -> None:
        if not clean:
            shapes = sanitize_fields(shapes)
        deepest = max_depth([row.path for row in shapes.rows])
        table = None
        if shapes.rows:
            table = shapes_table(shapes, max_rows=MAX_ROWS, depth=min(depth, deepest))
        if not get_current_worker().is_cancelled:
            self.post_message(self.Prepared(generation, shapes, deepest, table))

    def on_shapes_view_prepared(self, message: Prepared) -> None:
        if not self._generations.answer(message.generation):
            return  # a newer report, fold or reset asked since: its table is on its way
        self.shapes = message.shapes
        self._clean = True
        self.depth_control.deepest = message.deepest
        self._table = message.table
        if message.table is None:
            self.query_one(Static).update(Text("The run called no nn.Module.", style="dim"))
        else:
            self._show_table()

    def _show_table(self) -> None:
        parts: list[RenderableType] = []
        hint = self.depth_control.hint()
        if hint is not None:
            parts.append(hint)
        if self._table is not None:
            parts.append(self._table)
        if self.memory is not None:
            parts.append(Text(peak_memory_line(self.memory), style="dim"))
        self.query_one(Static).update(Group(*parts))

    def reset(self) -> None:
        self._generations.forget()
        self.shapes = None
        self.memory = None
        self._table = None
        self.depth_control.deepest = 0  # the depth the learner chose stays for the next Run
        self.query_one(Static).update(Text(EMPTY, style="dim"))
