"""The parameter table as a module tree: one row per module, then its own weights.

A parameter's name is its module's path plus its own (``encoder.fc1.weight``),
so the tree is built from the names alone, in the order ``named_parameters``
gave them. A module's row sums what is under it (a tied weight counts where
it was first listed, as in the totals) and says whether all of it trains
(``trainable``), none (``frozen``) or some (``partial``), and its size (the
bytes of its parameters and buffers; ``?`` from a probe that did not send
them). Folding to a depth
hides deeper rows; their module row already holds their sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.table import Table
from rich.text import Text

from nnlearn.kernel.events import ParamRow, Params
from nnlearn.render.cost import trainable_status
from nnlearn.render.grouping import Grouped, group_param_rows, split_label
from nnlearn.render.params import (
    empty_params_table,
    format_bytes,
    format_param_shape,
    params_summary,
)

FOLD_MARK = " ▸"
_STYLES = {"trainable": "green", "frozen": "yellow", "partial": "yellow", "buffer": "cyan"}


@dataclass
class TreeRow:
    """A module (``param`` None) or one parameter or buffer, at its depth."""

    name: str
    depth: int
    param: ParamRow | None = None
    numel: int = 0
    trainable: int = 0
    buffers: int = 0
    size: int | None = 0
    children: list[TreeRow] = field(default_factory=list)
    short: str = ""  # the last part of the name (a ``{0..11}`` range stays whole)
    copies: int = 1  # identical blocks this row stands for (grouping)

    @property
    def status(self) -> str:
        if self.param is not None:
            if self.param.buffer:
                return "buffer"
            return "trainable" if self.param.requires_grad else "frozen"
        if self.numel == 0:
            return "buffer" if self.buffers else ""
        return trainable_status(self.numel, self.trainable)


def param_tree(params: Params, *, group: bool = False) -> list[TreeRow]:
    """Every module and parameter row, in order (a module before what it holds).

    ``group`` shows runs of identical sibling blocks once (``render/grouping.py``):
    a module row's sums still count every copy.
    """
    rows: list[TreeRow] = []
    modules: dict[str, TreeRow] = {}
    items = group_param_rows(params.rows) if group else [Grouped(r.name, r) for r in params.rows]
    for item in items:
        param, copies = item.row, item.copies
        parts = split_label(item.label)
        chain: list[TreeRow] = []
        for depth in range(1, len(parts)):
            path = ".".join(parts[:depth])
            module = modules.get(path)
            if module is None:
                module = modules[path] = TreeRow(path, depth - 1, short=parts[depth - 1])
                rows.append(module)
            chain.append(module)
        rows.append(
            TreeRow(
                item.label,
                len(parts) - 1,
                param=param,
                size=param.bytes,
                short=parts[-1],
                copies=copies,
            )
        )
        for module in chain:
            if module.size is not None:
                module.size = None if param.bytes is None else module.size + param.bytes * copies
            if param.buffer:
                module.buffers += param.numel * copies
            else:
                module.numel += param.numel * copies
                module.trainable += param.numel * copies if param.requires_grad else 0
    return rows


def tree_depth_of(params: Params) -> int:
    """The deepest row's depth: 0 for a model whose weights are all its own."""
    return max((row.name.count(".") for row in params.rows), default=0)


def params_tree_table(
    params: Params,
    *,
    depth: int | None = None,
    max_rows: int | None = None,
    group: bool = True,
) -> Table:
    """Like ``params_table``, with a row per module above its weights, folded to ``depth``.

    Identical sibling blocks are shown once (``group``): a range ``{0..11}`` and,
    on each weight, ``×12``; a module row sums every copy.
    """
    table = empty_params_table(params, size_column=True)

    everything = param_tree(params, group=group)
    rows = [row for row in everything if depth is None or row.depth <= depth]
    folded = len(everything) - len(rows)
    shown = rows if max_rows is None else rows[: max(max_rows, 0)]
    for row in shown:
        status = row.status
        mark = f" ×{row.copies:,}" if row.copies > 1 else ""
        label = Text("  " * row.depth + (row.short or row.name) + mark)
        if row.param is None:
            label.stylize("bold")
            if depth is not None and row.depth == depth:
                label.append(FOLD_MARK)
            numel = row.numel or row.buffers
            table.add_row(
                label,
                Text(""),
                Text(f"{numel:,}"),
                Text(""),
                Text(""),
                _size(row.size),
                _status(status),
            )
        else:
            param = row.param
            table.add_row(
                label,
                Text(format_param_shape(param.shape)),
                Text(f"{param.numel:,}"),
                Text(param.dtype),
                Text(param.device),
                _size(row.size),
                _status(status),
            )

    caption = params_summary(params)
    table.min_width = len(caption)
    if not everything:
        caption = "This model has no parameters or buffers. " + caption
    if len(shown) < len(rows):
        caption += f"\n… {len(rows) - len(shown)} more rows not shown"
    if folded:
        caption += f"\n▸ {folded} deeper rows folded (depth {depth})"
    table.caption = caption
    table.caption_justify = "left"
    return table


def _size(size: int | None) -> Text:
    return Text("?" if size is None else format_bytes(size))


def _status(status: str) -> Text:
    label = "✓ trainable" if status == "trainable" else status
    return Text(label, style=_STYLES.get(status, ""))
