"""The one line that always says what the kernel is doing, on which device, and where you are.

It only formats state it is given; the screen feeds it kernel states and run
start/finish, and a timer here ticks the elapsed time while code runs.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

STATE_LABELS = {
    "starting": "starting kernel…",
    "warming": "importing torch…",
    "idle": "idle",
    "busy": "running",
    "restarting": "restarting kernel…",
    "dead": "kernel dead (Run restarts it)",
    "stopped": "kernel stopped",
}
STATE_STYLES = {
    "idle": "green",
    "busy": "bold yellow",
    "dead": "bold red",
    "stopped": "red",
}


class StatusBar(Widget):
    """``● idle · device auto · Lesson 1/2 · Step 2/4``."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    state: reactive[str] = reactive("starting")
    detail: reactive[str] = reactive("")
    device: reactive[str] = reactive("auto")
    location: reactive[str] = reactive("")
    last_run: reactive[str] = reactive("")
    elapsed: reactive[float | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._run_started: float | None = None

    def on_mount(self) -> None:
        self._ticker = self.set_interval(0.1, self._tick, pause=True)

    def run_started(self) -> None:
        self._run_started = time.monotonic()
        self.elapsed = 0.0
        self.last_run = ""
        self._ticker.resume()

    def run_finished(self, summary: str) -> None:
        self._ticker.pause()
        self._run_started = None
        self.elapsed = None
        self.last_run = summary

    def _tick(self) -> None:
        if self._run_started is not None:
            self.elapsed = time.monotonic() - self._run_started

    def render(self) -> Text:
        text = Text()
        label = STATE_LABELS.get(self.state, self.state)
        if self.elapsed is not None and self.state in ("busy", "idle"):
            label = f"running {self.elapsed:.1f}s"
        text.append("● ", style=STATE_STYLES.get(self.state, "cyan"))
        text.append(label, style=STATE_STYLES.get(self.state, ""))
        shows_detail = self.state in ("dead", "stopped", "starting", "warming")
        if self.detail and shows_detail and self.detail not in label:
            text.append(f" ({self.detail})", style="dim")
        if self.last_run and self.elapsed is None:
            text.append(f" · {self.last_run}")
        text.append(f" · device {self.device}")
        if self.location:
            text.append(f" · {self.location}")
        return text
