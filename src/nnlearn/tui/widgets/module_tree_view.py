"""What the Shapes and Params tabs share: tables of a module tree, made off the loop, folded.

The tables of a huge model take a second to make (sanitising and grouping
20,000 rows), so both tabs make them in a thread worker and post them back;
the event loop keeps answering keys meanwhile, and only the answer to the
newest request is drawn (``prepared_table.py``). Both put the depth line above
the tables and say what to do before a Run; the report each draws, and how,
is their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from nnlearn.tui.widgets.prepared_table import Generations
from nnlearn.tui.widgets.tree_depth import FOLD_BINDINGS, FoldableTree, TreeDepth


class ModuleTreeView(FoldableTree, VerticalScroll):
    """A scrolling tab of module-tree tables, folded to a depth with + and -."""

    DEFAULT_CSS = """
    ModuleTreeView { height: 1fr; }
    ModuleTreeView > Static { width: auto; min-width: 100%; }
    """

    BINDINGS = FOLD_BINDINGS

    EMPTY = ""  # what the tab says before a Run

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.depth_control = TreeDepth()
        self._generations = Generations()

    def compose(self):
        yield Static(Text(self.EMPTY, style="dim"))

    @property
    def preparing(self) -> bool:
        """Tables are being made in the worker and are not shown yet."""
        return self._generations.pending

    def _show_tables(self, tables: Iterable[RenderableType]) -> None:
        """The depth line (for a tree deeper than its root), then ``tables``."""
        parts: list[RenderableType] = []
        hint = self.depth_control.hint()
        if hint is not None:
            parts.append(hint)
        parts.extend(tables)
        self.query_one(Static).update(Group(*parts))

    def _show_note(self, note: str) -> None:
        self.query_one(Static).update(Text(note, style="dim"))

    def _clear(self) -> None:
        """Back to the text before a Run; tables still being made are not drawn."""
        self._generations.forget()
        self.depth_control.deepest = 0  # the depth the learner chose stays for the next Run
        self._show_note(self.EMPTY)
