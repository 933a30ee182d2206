"""Join the parts of a large report back into one event.

The probe sends a shapes or params report of a huge model (5,000 modules) in
parts of at most ``ROWS_PER_PART`` rows, each its own message, so that no line
of ``--json`` is megabytes long and the client parses one part while the
kernel encodes the next. ``--json`` prints the parts as they come; the tables
(``nnlearn run``'s text and the TUI) want the whole report, which ``PartJoiner``
gives them once its last part arrived.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from nnlearn.kernel.events import Event, Params, Shapes

ROWS_PER_PART = 1000


class PartJoiner:
    """Feed it every event; it returns each event whole, or None while parts are missing."""

    def __init__(self) -> None:
        self._pending: Shapes | Params | None = None
        self._rows: list[Any] = []

    def add(self, event: Event) -> Event | None:
        if not isinstance(event, (Shapes, Params)) or event.rows_total is None:
            return event
        if event.first_row == 0 or not self._continues(event):
            self._pending, self._rows = event, []
        self._rows.extend(event.rows)
        if len(self._rows) < event.rows_total:
            return None
        first, rows = self._pending, tuple(self._rows)
        self._pending, self._rows = None, []
        if isinstance(event, Shapes):
            return Shapes(rows)
        assert isinstance(first, Params)
        return dataclasses.replace(first, rows=rows, first_row=0, rows_total=None)

    def _continues(self, event: Shapes | Params) -> bool:
        """Whether ``event`` is the next part of the one pending (same kind, model, next row)."""
        pending = self._pending
        if pending is None or type(pending) is not type(event):
            return False
        if (
            isinstance(event, Params)
            and isinstance(pending, Params)
            and pending.model != event.model
        ):
            return False
        return len(self._rows) == event.first_row
