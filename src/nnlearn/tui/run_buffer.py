"""Coalesce a run's fast events so the screen redraws ten times a second, not per event.

A training loop can send thousands of output chunks and loss batches a
second, and ``for i in range(10**6): print(i)`` sends a megabyte of text a
second. The screen puts them here and drains the buffer on a timer: output
chunks of the same stream are joined, loss points of the same series merged,
and output beyond what the screen can take is dropped from the front with a
count. The line budget is a token bucket: a burst of up to ``max_lines``
lines is shown whole, and a flood gets ``lines_per_second`` (the end of each
flush's text, whole lines); ``max_chars`` bounds one flush's characters. What
reaches the Output tab in one flush is therefore bounded (writing a thousand
lines costs the screen tens of milliseconds, five thousand most of a
second), so a flood never grows memory, stalls typing or delays Stop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from nnlearn.kernel.events import LossPoints

BURST_LINES = 1000  # a loop that prints a few hundred lines at once shows them all
LINES_PER_SECOND = 2000  # a flood: far more than anyone reads, little work for the screen
MAX_CHARS_PER_FLUSH = 100_000


@dataclass
class Drained:
    """What one flush hands to the panes."""

    streams: list[tuple[str, str]] = field(default_factory=list)
    loss: list[LossPoints] = field(default_factory=list)
    dropped_chars: int = 0
    dropped_lines: int = 0
    dropped_stdout_lines: int = 0  # of dropped_lines: the run's printed lines still count

    def __bool__(self) -> bool:
        return bool(self.streams or self.loss or self.dropped_chars)


class RunBuffer:
    """Accumulates ``Stream`` text and ``LossPoints`` between flushes."""

    def __init__(
        self,
        max_chars: int = MAX_CHARS_PER_FLUSH,
        max_lines: int = BURST_LINES,
        lines_per_second: float = LINES_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_chars = max_chars
        self.burst_lines = max_lines
        self.lines_per_second = lines_per_second
        self._clock = clock
        self._tokens = float(max_lines)
        self._refilled_at = clock()
        self._streams: list[tuple[str, str]] = []
        self._chars = 0
        self._lines = 0
        self._dropped = 0
        self._dropped_lines = 0
        self._dropped_stdout_lines = 0
        self._loss: dict[str, list[tuple[int, float]]] = {}

    def add_stream(self, name: str, text: str) -> None:
        if not text:
            return
        if self._streams and self._streams[-1][0] == name:
            self._streams[-1] = (name, self._streams[-1][1] + text)
        else:
            self._streams.append((name, text))
        self._chars += len(text)
        self._lines += text.count("\n")
        if self._chars > self.max_chars or self._lines > self.max_lines:
            self._drop_oldest()

    @property
    def max_lines(self) -> int:
        """How many lines the next flush may hand over: the bucket's tokens, refilled by time."""
        now = self._clock()
        refill = (now - self._refilled_at) * self.lines_per_second
        self._tokens = min(float(self.burst_lines), self._tokens + refill)
        self._refilled_at = now
        return int(self._tokens)

    def add_loss(self, event: LossPoints) -> None:
        self._loss.setdefault(event.series, []).extend(event.points)

    def drain(self) -> Drained:
        self._tokens = max(0.0, self.max_lines - self._lines)
        drained = Drained(
            streams=self._streams,
            loss=[LossPoints(name, tuple(points)) for name, points in self._loss.items()],
            dropped_chars=self._dropped,
            dropped_lines=self._dropped_lines,
            dropped_stdout_lines=self._dropped_stdout_lines,
        )
        self._streams = []
        self._chars = 0
        self._lines = 0
        self._dropped = 0
        self._dropped_lines = 0
        self._dropped_stdout_lines = 0
        self._loss = {}
        return drained

    def _drop_oldest(self) -> None:
        """Drop whole chunks, then whole lines, from the front until both bounds hold."""
        max_lines = self.max_lines
        while self._streams and (self._chars > self.max_chars or self._lines > max_lines):
            name, text = self._streams[0]
            char_excess = self._chars - self.max_chars
            line_excess = self._lines - max_lines
            newlines = text.count("\n")
            whole_lines = newlines < line_excess or (
                newlines == line_excess and text.endswith("\n")
            )
            if len(text) <= char_excess or whole_lines:
                self._streams.pop(0)
                self._forget(name, len(text), newlines)
                continue
            cut = _cut_after_lines(text, line_excess, newlines) if line_excess > 0 else 0
            if self._chars - cut > self.max_chars:
                cut = max(cut, char_excess)
                line_end = text.find("\n", cut)
                # A line rewritten with \r (a progress bar) keeps its latest rewrites.
                rewrite = text.find("\r", cut, len(text) if line_end == -1 else line_end)
                if rewrite != -1 and text[rewrite : rewrite + 2] != "\r\n":
                    cut = rewrite
                else:
                    cut = len(text) if line_end == -1 else line_end + 1
            dropped = text[:cut]
            self._forget(name, cut, dropped.count("\n"))
            if cut < len(text):
                self._streams[0] = (name, text[cut:])
            else:
                self._streams.pop(0)

    def _forget(self, name: str, chars: int, lines: int) -> None:
        self._chars -= chars
        self._lines -= lines
        self._dropped += chars
        self._dropped_lines += lines
        if name == "stdout":
            self._dropped_stdout_lines += lines


def _cut_after_lines(text: str, lines: int, total: int) -> int:
    """The index just past the ``lines``-th of the ``total`` line breaks of ``text``.

    Searched from whichever end is nearer: a flood keeps a few lines of a big chunk.
    """
    if lines <= total - lines:
        position = -1
        for _ in range(lines):
            position = text.find("\n", position + 1)
        return position + 1
    position = len(text)
    for _ in range(total - lines + 1):
        position = text.rfind("\n", 0, position)
    return position + 1
