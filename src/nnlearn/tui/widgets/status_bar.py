"""The one line that always says what the kernel is doing, on which device, and where you are.

It only formats state it is given; the screen feeds it kernel states and run
start/finish, and a timer here ticks the elapsed time while code runs. When
the line is too long for the terminal, the lesson title is shortened first,
then the last run's summary goes: the state, the device and the step number
always stay.
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
    lesson_title: reactive[str] = reactive("")  # the part of ``location`` that may be shortened
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
        text.append(f" · device {self.device}")
        room = self.size.width - 2 if self.size.width else 10_000  # 2: padding
        location = f" · {self.location}" if self.location else ""
        last_run = f" · {self.last_run}" if self.last_run and self.elapsed is None else ""
        if text.cell_len + len(location) + len(last_run) > room:
            last_run = ""
        overflow = text.cell_len + len(location) - room
        title = self.lesson_title
        if overflow > 0 and title and title in location:
            keep = max(len(title) - overflow - 1, 0)
            short = title[:keep].rstrip() + "…" if keep else ""
            location = location.replace(f" {title}", f" {short}" if short else "", 1)
        text.append(last_run)
        text.append(location)
        return text
