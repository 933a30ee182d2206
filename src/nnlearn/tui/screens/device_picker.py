"""Pick the device code runs on: auto plus the devices the kernel actually has."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nnlearn.kernel.events import DeviceInfo

AUTO_LABEL = "auto (CUDA if present, else MPS, else CPU)"


class DevicePickerScreen(ModalScreen[str | None]):
    """Dismisses with the chosen device name, or None on escape."""

    DEFAULT_CSS = """
    DevicePickerScreen { align: center middle; }
    DevicePickerScreen > Vertical {
        width: 60;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    DevicePickerScreen OptionList { height: auto; max-height: 12; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, devices: tuple[DeviceInfo, ...], current: str, note: str = "") -> None:
        super().__init__()
        self.devices = devices
        self.current = current
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Run code on which device? (enter picks, escape cancels)")
            if self.note:
                yield Static(self.note, classes="device-note")
            options = [Option(AUTO_LABEL, id="auto")]
            options.extend(Option(f"{d.name}  {d.label}", id=d.name) for d in self.devices)
            yield OptionList(*options)

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        names = ["auto", *(d.name for d in self.devices)]
        if self.current in names:
            option_list.highlighted = names.index(self.current)
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
