"""The Parameters tab: a module tree per model with totals, folded to a depth (+ and -)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from nnlearn.kernel.events import Params
from nnlearn.render.params_tree import params_tree_table, tree_depth_of
from nnlearn.tui.widgets.tree_depth import FOLD_BINDINGS, FoldableTree, TreeDepth

EMPTY = "Run your code (F5) to see the parameters of every model it defines."
MAX_ROWS = 300


class ParamsView(FoldableTree, VerticalScroll):
    """Shows every ``Params`` report of the last run, one table per model."""

    DEFAULT_CSS = """
    ParamsView { height: 1fr; }
    ParamsView > Static { width: auto; min-width: 100%; }
    """

    BINDINGS = FOLD_BINDINGS

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.models: list[Params] = []
        self.depth_control = TreeDepth()

    def compose(self):
        yield Static(Text(EMPTY, style="dim"))

    def add(self, params: Params) -> None:
        self.models = [m for m in self.models if m.model != params.model] + [params]
        self.depth_control.deepest = max(tree_depth_of(model) for model in self.models)
        self._draw()

    def _draw(self) -> None:
        if not self.models:
            return
        parts: list[RenderableType] = []
        hint = self.depth_control.hint()
        if hint is not None:
            parts.append(hint)
        for model in self.models:
            # The table's caption carries the totals (total, trainable, frozen, size).
            parts.append(
                params_tree_table(model, depth=self.depth_control.shown, max_rows=MAX_ROWS)
            )
            parts.append(Text(""))
        self.query_one(Static).update(Group(*parts))

    def finish(self) -> None:
        """The run ended: say so when it defined no model."""
        if not self.models:
            self.query_one(Static).update(
                Text("The run left no nn.Module in its namespace.", style="dim")
            )

    def reset(self) -> None:
        self.models = []
        self.depth_control.deepest = 0  # the depth the learner chose stays for the next Run
        self.query_one(Static).update(Text(EMPTY, style="dim"))
