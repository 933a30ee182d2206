"""The Parameters tab: a table per model with totals (trainable, frozen, buffers, size)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from nnlearn.kernel.events import Params
from nnlearn.render import params_table

EMPTY = "Run your code (F5) to see the parameters of every model it defines."
MAX_ROWS = 300


class ParamsView(VerticalScroll):
    """Shows every ``Params`` report of the last run, one table per model."""

    DEFAULT_CSS = """
    ParamsView { height: 1fr; }
    ParamsView > Static { width: auto; min-width: 100%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.models: list[Params] = []

    def compose(self):
        yield Static(Text(EMPTY, style="dim"))

    def add(self, params: Params) -> None:
        self.models = [m for m in self.models if m.model != params.model] + [params]
        parts: list[RenderableType] = []
        for model in self.models:
            # The table's caption carries the totals (total, trainable, frozen, size).
            parts.append(params_table(model, max_rows=MAX_ROWS))
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
        self.query_one(Static).update(Text(EMPTY, style="dim"))
