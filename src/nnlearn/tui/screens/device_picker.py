"""Pick the device code runs on: auto plus the devices the kernel actually has."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nnlearn.kernel.events import DeviceInfo
from nnlearn.tui.screens.picker import PickerScreen

AUTO_LABEL = "auto (CUDA if present, else MPS, else CPU)"


class DevicePickerScreen(PickerScreen[str]):
    """Dismisses with the chosen device name, or None on escape."""

    DEFAULT_CSS = """
    DevicePickerScreen > Vertical { width: 60; }
    DevicePickerScreen OptionList { max-height: 12; }
    """

    def __init__(self, devices: tuple[DeviceInfo, ...], current: str, note: str = "") -> None:
        super().__init__()
        self.devices = devices
        self.current = current
        self.current_id = current
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Run code on which device? (enter picks, escape cancels)")
            if self.note:
                yield Static(self.note, classes="device-note")
            options = [Option(AUTO_LABEL, id="auto")]
            options.extend(Option(f"{d.name}  {d.label}", id=d.name) for d in self.devices)
            yield OptionList(*options)

    def chosen(self, event: OptionList.OptionSelected) -> str | None:
        return event.option.id
