"""A "think about it" prompt whose answer stays hidden until asked for."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from nnlearn.curriculum.model import Think
from nnlearn.render.markup import inline_text
from nnlearn.tui.widgets.prose import Prose


class ThinkView(Vertical):
    """The question, then the answer once ``reveal`` is called."""

    DEFAULT_CSS = """
    ThinkView { height: auto; margin: 1 0 0 0; border: round $secondary; padding: 0 1; }
    ThinkView > .think-question { text-style: bold; }
    ThinkView > .think-status { color: $text-muted; }
    """

    def __init__(self, think: Think, key: str = "ctrl+f", revealed: bool = False) -> None:
        super().__init__(classes="think")
        self.think = think
        self.revealed = False
        self._initial = revealed
        self._key = key

    def compose(self) -> ComposeResult:
        question = Text("Think about it: ") + inline_text(self.think.question)
        yield Static(question, classes="think-question")
        yield Static(Text(f"{self._key} reveals an answer", style="dim"), classes="think-status")

    async def on_mount(self) -> None:
        if self._initial:
            await self.reveal()

    async def reveal(self) -> bool:
        """Show the answer; False if it was already shown."""
        if self.revealed:
            return False
        self.revealed = True
        await self.query_one(".think-status", Static).remove()
        await self.mount(Prose(self.think.answer))
        return True
