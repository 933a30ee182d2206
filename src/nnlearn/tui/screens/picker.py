"""What the option-list dialogs share: a framed list over a line of help, enter picks.

The device picker (F7), the code picker (ctrl+e) and the lesson list (F2) are
the same dialog with other options; each says what it lists and what a
choice dismisses with (``chosen``).
"""

from __future__ import annotations

import contextlib
from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import OptionDoesNotExist

ChoiceT = TypeVar("ChoiceT")


class PickerScreen(ModalScreen[ChoiceT | None]):
    """Dismisses with ``chosen(option)`` for the picked option, or None on escape."""

    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen > Vertical {
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    PickerScreen OptionList { height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    current_id: str | None = None  # the option highlighted when the dialog opens

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        if self.current_id is not None:
            with contextlib.suppress(OptionDoesNotExist):  # gone since: nothing highlighted
                option_list.highlighted = option_list.get_option_index(self.current_id)
        option_list.focus()

    def chosen(self, event: OptionList.OptionSelected) -> ChoiceT | None:
        raise NotImplementedError

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.chosen(event))

    def action_cancel(self) -> None:
        self.dismiss(None)
