"""Which device the learner's code runs on: F7's picker, and a kept choice the kernel lacks.

A mixin of ``MainScreen``, which provides ``device``, ``runner``, ``store``
and ``say``.
"""

from __future__ import annotations

import contextlib
from typing import Any

from nnlearn.render.sanitize import sanitize_fields
from nnlearn.tui.screens.device_picker import DevicePickerScreen
from nnlearn.tui.widgets.status_bar import StatusBar


class DeviceChoice:
    """F7 (choose the device) and the fallback to auto when the kernel lacks the kept one."""

    # Provided by MainScreen and its Screen base.
    device: str
    runner: Any
    store: Any
    app: Any
    say: Any
    query_one: Any

    def action_device(self) -> None:
        info = self.runner.info
        devices = sanitize_fields(info.devices) if info is not None else ()
        note = "" if info is not None else "The kernel is still starting: only auto for now."
        self.app.push_screen(DevicePickerScreen(devices, self.device, note), self._set_device)

    def kernel_ready(self, info) -> None:
        """A device kept from an earlier session that this kernel lacks falls back to auto."""
        if info is None or self.device == "auto":
            return
        names = [device.name for device in info.devices]
        if self.device not in names:
            missing, self.device = self.device, "auto"
            self.query_one(StatusBar).device = "auto"
            self.say(f"{missing} is not available here: code runs on auto (F7 chooses).", "warning")

    def _set_device(self, device: str | None) -> None:
        if device is None:
            return
        self.device = device
        self.query_one(StatusBar).device = device
        with contextlib.suppress(OSError, AttributeError):
            self.store.set_device(device)  # kept for the next start
        self.say(f"Code now runs on {device}.")
