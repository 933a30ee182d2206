"""The Parameters tab: a module tree per model with totals, folded to a depth (+ and -).

The tables of a huge model take a second to make (sanitising and grouping
20,000 rows), so they are made in a thread worker and posted back as
``ParamsView.Prepared``; the event loop keeps answering keys meanwhile.
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

from nnlearn.kernel.events import Params
from nnlearn.render.params_tree import params_tree_table, tree_depth_of
from nnlearn.render.sanitize import sanitize_fields
from nnlearn.tui.widgets.prepared_table import Generations
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

    @dataclass
    class Prepared(Message, bubble=False):
        """Tables made in the worker for request ``generation``, from ``models`` (sanitised)."""

        generation: int
        models: tuple[Params, ...]
        deepest: int
        tables: tuple[Table, ...]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.models: list[Params] = []  # sanitised once their tables are made
        self.depth_control = TreeDepth()
        self._sanitised: list[Params] = []  # the models of ``models`` sanitised already
        self._generations = Generations()

    def compose(self):
        yield Static(Text(EMPTY, style="dim"))

    @property
    def preparing(self) -> bool:
        """Tables are being made in the worker and are not shown yet."""
        return self._generations.pending

    def add(self, params: Params) -> None:
        name = sanitize_fields(params.model)  # the model's name as the sanitised reports have it
        self.models = [m for m in self.models if m.model != name] + [params]
        self._draw()

    def _draw(self) -> None:
        """Ask the worker for the tables of the models at the chosen depth."""
        if not self.models:
            return
        generation = self._generations.ask()
        clean = tuple(any(model is done for done in self._sanitised) for model in self.models)
        self._make_tables(generation, tuple(self.models), clean, self.depth_control.depth)

    @work(thread=True, exclusive=True, group="params-tables")
    def _make_tables(
        self, generation: int, models: tuple[Params, ...], clean: tuple[bool, ...], depth: int
    ) -> None:
        models = tuple(
            model if done else sanitize_fields(model)
            for model, done in zip(models, clean, strict=True)
        )
        deepest = max(tree_depth_of(model) for model in models)
        # The table's caption carries the totals (total, trainable, frozen, size).
        tables = tuple(
            params_tree_table(model, depth=min(depth, deepest), max_rows=MAX_ROWS)
            for model in models
        )
        if not get_current_worker().is_cancelled:
            self.post_message(self.Prepared(generation, models, deepest, tables))

    def on_params_view_prepared(self, message: Prepared) -> None:
        if not self._generations.answer(message.generation):
            return  # a newer report, fold or reset asked since: its tables are on their way
        self.models = list(message.models)
        self._sanitised = list(message.models)
        self.depth_control.deepest = message.deepest
        parts: list[RenderableType] = []
        hint = self.depth_control.hint()
        if hint is not None:
            parts.append(hint)
        for table in message.tables:
            parts += [table, Text("")]
        self.query_one(Static).update(Group(*parts))

    def finish(self) -> None:
        """The run ended: say so when it defined no model."""
        if not self.models:
            self.query_one(Static).update(
                Text("The run left no nn.Module in its namespace.", style="dim")
            )

    def reset(self) -> None:
        self._generations.forget()
        self.models = []
        self._sanitised = []
        self.depth_control.deepest = 0  # the depth the learner chose stays for the next Run
        self.query_one(Static).update(Text(EMPTY, style="dim"))
