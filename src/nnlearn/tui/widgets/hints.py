"""Hints of an exercise, revealed one at a time on request."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from nnlearn.tui.widgets.prose import Prose


class HintsView(Vertical):
    """Shows how many hints there are; ``reveal_next`` adds the next one."""

    DEFAULT_CSS = """
    HintsView { height: auto; margin: 1 0 0 0; }
    HintsView > .hints-status { color: $text-muted; }
    HintsView > Prose { margin: 0; padding: 0 1; border-left: thick $warning; }
    """

    def __init__(self, hints: tuple[str, ...], shown: int = 0, key: str = "ctrl+g") -> None:
        super().__init__(classes="hints")
        self.hints = hints
        self.shown = 0
        self._initial = shown
        self._key = key

    def compose(self) -> ComposeResult:
        yield Static("", classes="hints-status")

    async def on_mount(self) -> None:
        for _ in range(self._initial):
            await self.reveal_next()
        self._update_status()

    async def reveal_next(self) -> bool:
        """Show one more hint; False when every hint is already shown."""
        if self.shown >= len(self.hints):
            return False
        hint = self.hints[self.shown]
        self.shown += 1
        await self.mount(Prose(f"**Hint {self.shown}.** {hint}"))
        self._update_status()
        return True

    def _update_status(self) -> None:
        total = len(self.hints)
        if self.shown < total:
            message = f"Hints: {self.shown} of {total} shown · {self._key} for the next"
        else:
            message = f"Hints: all {total} shown"
        self.query_one(".hints-status", Static).update(Text(message))
