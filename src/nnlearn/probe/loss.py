"""Capture loss values without slowing training down.

Every ``.backward()`` on a scalar appends the (detached) tensor to a pending
list: no ``.item()``, so no GPU synchronisation per step. At most about ten
times a second the pending values are converted in one batch and published.
``nnlearn.track(name, value)`` feeds other series the same way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import torch

FLUSH_INTERVAL = 0.1
LOSS_SERIES = "loss"


class LossRecorder:
    def __init__(self, publish: Callable[[list[dict[str, Any]]], None]) -> None:
        self._publish = publish
        self._pending: dict[str, list[tuple[int, Any]]] = {}
        self._counts: dict[str, int] = {}
        # The hot path, one .backward() per training step, gets a plain list.
        self._losses: list[Any] = []
        self._losses_sent = 0
        self._last_flush = 0.0
        self._original_backward: Any = None
        self.extra_reports: Callable[[], list[dict[str, Any]]] = list

    def start(self) -> None:
        self._pending = {}
        self._counts = {}
        self._losses = []
        self._losses_sent = 0
        self._last_flush = time.monotonic()
        if self._original_backward is None:
            self._original_backward = torch.autograd.backward
            torch.autograd.backward = self._backward  # type: ignore[assignment]

    def stop(self) -> None:
        if self._original_backward is not None:
            torch.autograd.backward = self._original_backward
            self._original_backward = None

    def _backward(self, tensors: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(tensors, torch.Tensor) and tensors.dim() == 0:
            self._add_loss(tensors.detach())
        return self._original_backward(tensors, *args, **kwargs)

    def _add_loss(self, value: Any) -> None:
        self._losses.append(value)
        if time.monotonic() - self._last_flush >= FLUSH_INTERVAL:
            self.flush()

    def add(self, series: str, value: Any, step: int | None) -> None:
        if series == LOSS_SERIES and step is None:
            self._add_loss(value)
            return
        count = self._counts.get(series, 0)
        self._counts[series] = count + 1
        pending = self._pending.get(series)
        if pending is None:
            pending = self._pending[series] = []
        pending.append((count if step is None else int(step), value))
        if time.monotonic() - self._last_flush >= FLUSH_INTERVAL:
            self.flush()

    def reports(self) -> list[dict[str, Any]]:
        """Convert everything pending into ``loss`` reports (one sync per series)."""
        reports = []
        if self._losses:
            first = self._losses_sent
            values = _to_floats(self._losses)
            points = [[first + i, v] for i, v in enumerate(values)]
            self._losses_sent += len(values)
            self._losses = []
            reports.append({"kind": "loss", "series": LOSS_SERIES, "points": points})
        for series, pending in self._pending.items():
            if pending:
                values = _to_floats([value for _, value in pending])
                points = [[step, v] for (step, _), v in zip(pending, values, strict=True)]
                reports.append({"kind": "loss", "series": series, "points": points})
        self._pending = {}
        return reports

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        reports = self.extra_reports() + self.reports()
        if reports:
            self._publish(reports)


def _to_floats(values: list[Any]) -> list[float | None]:
    converted: list[Any]
    try:
        # The usual case, 0-d losses on one device: one op and one sync for the batch.
        converted = torch.stack(values).float().tolist()
    except (TypeError, RuntimeError):
        converted = [_scalar(v) for v in values]
    # JSON has no NaN: a missing value is sent as null.
    return [v if v is not None and math.isfinite(v) else None for v in converted]


def _scalar(value: Any) -> float | None:
    try:
        return float(value.item() if isinstance(value, torch.Tensor) else value)
    except (TypeError, ValueError, RuntimeError):
        return None
