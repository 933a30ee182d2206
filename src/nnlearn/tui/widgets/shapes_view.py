"""The Shapes tab: one row per module with its shapes and cost, folded to a depth (+ and -).

Its table is made in a thread worker and posted back as ``Prepared``
(``module_tree_view.py`` says why); the Run's peak memory is the line under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from nnlearn.kernel.events import PeakMemory, Shapes
from nnlearn.render import shapes_table
from nnlearn.render.cost import max_depth, peak_memory_line
from nnlearn.render.sanitize import sanitize_fields
from nnlearn.tui.widgets.module_tree_view import ModuleTreeView

MAX_ROWS = 500


class ShapesView(ModuleTreeView):
    """Shows the ``Shapes`` report of the last run, and its peak memory."""

    EMPTY = "Run your code (F5) to see what shape goes into and comes out of every layer."

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
        self._clean = False  # whether ``shapes`` is sanitised already
        self._table: Table | None = None

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
            self._show_note("The run called no nn.Module.")
        else:
            self._show_table()

    def _show_table(self) -> None:
        parts: list[Table | Text] = []
        if self._table is not None:
            parts.append(self._table)
        if self.memory is not None:
            parts.append(Text(peak_memory_line(self.memory), style="dim"))
        self._show_tables(parts)

    def reset(self) -> None:
        self.shapes = None
        self.memory = None
        self._table = None
        self._clear()
