"""The Parameters tab: a module tree per model with totals, folded to a depth (+ and -).

Its tables are made in a thread worker and posted back as ``Prepared``
(``module_tree_view.py`` says why); a model's totals are in its table's caption.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from nnlearn.kernel.events import Params
from nnlearn.render.params_tree import params_tree_table, tree_depth_of
from nnlearn.render.sanitize import sanitize_fields
from nnlearn.tui.widgets.module_tree_view import ModuleTreeView

MAX_ROWS = 300


class ParamsView(ModuleTreeView):
    """Shows every ``Params`` report of the last run, one table per model."""

    EMPTY = "Run your code (F5) to see the parameters of every model it defines."

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
        self._sanitised: list[Params] = []  # the models of ``models`` sanitised already

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
        self._show_tables(part for table in message.tables for part in (table, Text("")))

    def finish(self) -> None:
        """The run ended: say so when it defined no model."""
        if not self.models:
            self._show_note("The run left no nn.Module in its namespace.")

    def reset(self) -> None:
        self.models = []
        self._sanitised = []
        self._clear()
