"""The depth to which a results view unfolds its module tree, changed with + and -.

torchinfo's ``depth``, from the keyboard: the Shapes and Params views share
these keys and this one line of help, so they behave alike.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding, BindingType

DEFAULT_DEPTH = 3

FOLD_BINDINGS: list[BindingType] = [
    Binding("plus,equals_sign", "unfold", "Unfold", key_display="+"),
    Binding("minus", "fold", "Fold", key_display="-"),
]


class TreeDepth:
    """A depth between 0 and the deepest row's, starting at ``DEFAULT_DEPTH``."""

    def __init__(self, start: int = DEFAULT_DEPTH) -> None:
        self.start = start
        self.depth = start
        self.deepest = 0

    @property
    def shown(self) -> int:
        return min(self.depth, self.deepest)

    def unfold(self) -> bool:
        """One level deeper; False when everything shows already."""
        if self.shown >= self.deepest:
            return False
        self.depth = self.shown + 1
        return True

    def fold(self) -> bool:
        """One level shallower; False at the top."""
        if self.shown == 0:
            return False
        self.depth = self.shown - 1
        return True

    def hint(self) -> Text | None:
        """``Depth 1 of 3 · + unfold · - fold``, or None for a flat model."""
        if self.deepest == 0:
            return None
        return Text(f"Depth {self.shown} of {self.deepest} · + unfold · - fold", style="dim")


class FoldableTree:
    """The + and - actions of a view that has a ``depth_control`` and redraws with ``_draw``."""

    depth_control: TreeDepth

    def _draw(self) -> None:
        raise NotImplementedError

    def action_unfold(self) -> None:
        if self.depth_control.unfold():
            self._draw()

    def action_fold(self) -> None:
        if self.depth_control.fold():
            self._draw()
