"""Coalesce a run's fast events so the screen redraws ten times a second, not per event.

A training loop can send thousands of output chunks and loss batches a
second. The screen puts them here and drains the buffer on a timer: output
chunks of the same stream are joined, loss points of the same series merged,
and output beyond ``max_chars`` per flush is dropped from the front with a
count, so a flood cannot grow memory or stall typing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nnlearn.kernel.events import LossPoints

MAX_CHARS_PER_FLUSH = 100_000


@dataclass
class Drained:
    """What one flush hands to the panes."""

    streams: list[tuple[str, str]] = field(default_factory=list)
    loss: list[LossPoints] = field(default_factory=list)
    dropped_chars: int = 0

    def __bool__(self) -> bool:
        return bool(self.streams or self.loss or self.dropped_chars)


class RunBuffer:
    """Accumulates ``Stream`` text and ``LossPoints`` between flushes."""

    def __init__(self, max_chars: int = MAX_CHARS_PER_FLUSH) -> None:
        self.max_chars = max_chars
        self._streams: list[tuple[str, str]] = []
        self._chars = 0
        self._dropped = 0
        self._loss: dict[str, list[tuple[int, float]]] = {}

    def add_stream(self, name: str, text: str) -> None:
        if not text:
            return
        if self._streams and self._streams[-1][0] == name:
            self._streams[-1] = (name, self._streams[-1][1] + text)
        else:
            self._streams.append((name, text))
        self._chars += len(text)
        if self._chars > self.max_chars:
            self._drop_oldest(self._chars - self.max_chars)

    def add_loss(self, event: LossPoints) -> None:
        self._loss.setdefault(event.series, []).extend(event.points)

    def drain(self) -> Drained:
        drained = Drained(
            streams=self._streams,
            loss=[LossPoints(name, tuple(points)) for name, points in self._loss.items()],
            dropped_chars=self._dropped,
        )
        self._streams = []
        self._chars = 0
        self._dropped = 0
        self._loss = {}
        return drained

    def _drop_oldest(self, excess: int) -> None:
        """Drop ``excess`` characters from the front, then up to the next line break."""
        while excess > 0 and self._streams:
            name, text = self._streams[0]
            if len(text) <= excess:
                self._streams.pop(0)
                excess -= len(text)
                self._dropped += len(text)
                self._chars -= len(text)
                continue
            cut = text.find("\n", excess)
            cut = len(text) if cut == -1 else cut + 1
            self._streams[0] = (name, text[cut:])
            if not self._streams[0][1]:
                self._streams.pop(0)
            self._dropped += cut
            self._chars -= cut
            excess = 0
