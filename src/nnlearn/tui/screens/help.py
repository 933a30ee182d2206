"""The help screen (F1 or ?): every key, from the same key map the bindings use."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from nnlearn.tui.keys import MAIN_ACTIONS, OTHER_KEYS


def key_table() -> Table:
    table = Table(box=None, show_header=True, header_style="bold", expand=True, pad_edge=False)
    table.add_column("Key", style="bold", no_wrap=True)
    table.add_column("Action")
    for item in MAIN_ACTIONS:
        table.add_row(Text(item.key_text), Text(item.help))
    for key, description in OTHER_KEYS:
        table.add_row(Text(key), Text(description))
    return table


class HelpScreen(ModalScreen[None]):
    """A modal list of every key. Escape, F1, ? or q closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 90%;
        max-width: 90;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen .help-title { text-style: bold; margin-bottom: 1; }
    HelpScreen .help-footer { color: $text-muted; dock: bottom; }
    """

    BINDINGS = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close", priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("nnlearn keys", classes="help-title")
            with VerticalScroll():
                yield Static(key_table())
            yield Static("escape closes this screen", classes="help-footer")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
