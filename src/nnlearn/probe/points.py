"""``nnlearn.plot(name, x, y)``: series of points the learner draws from their code.

Each call replaces the named series with the new points, so plotting the
predictions again after training (or in every epoch) shows the latest ones.
Whatever the learner passes (lists, numpy arrays, tensors on any device, with
or without gradients) becomes two lists of floats here, inside the kernel.
Every series is bounded (evenly thinned past ``MAX_POINTS``) and so is the
number of series, so no call can flood the client. A new series is published
at once; a series replaced in a loop at most about ten times a second (and
with the loss batches), and whatever is left at the end of the Run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch

from nnlearn.kernel.events import PlotPoints

MAX_POINTS = 2000
PRESAMPLE_ABOVE = 8 * MAX_POINTS
MAX_SERIES = 8
MAX_NAME = 40
PUBLISH_INTERVAL = 0.1


class PlotInputError(ValueError):
    """``nnlearn.plot`` was given something it cannot draw; the message says what to do."""


class PointsRecorder:
    """Holds the latest points of each named series until they are published."""

    def __init__(self, publish: Callable[[list[PlotPoints]], None]) -> None:
        self._publish = publish
        self._pending: dict[str, PlotPoints] = {}
        self._names: set[str] = set()
        self._last_publish = 0.0

    def start(self) -> None:
        self._pending = {}
        self._names = set()
        self._last_publish = time.monotonic()

    def add(self, name: Any, x: Any, y: Any) -> None:
        label = _series_name(name)
        if label not in self._names and len(self._names) >= MAX_SERIES:
            raise PlotInputError(
                f"nnlearn.plot draws at most {MAX_SERIES} series in one run; "
                f"{label!r} would be number {MAX_SERIES + 1}. Reuse a name to replace a series."
            )
        xs = _vector(x, "x")
        ys = _vector(y, "y")
        if xs.numel() != ys.numel():
            raise PlotInputError(
                f"nnlearn.plot({label!r}, x, y): x has {xs.numel()} values but y has "
                f"{ys.numel()}; give one y for every x."
            )
        total = xs.numel()
        if total > PRESAMPLE_ABOVE:
            # Thin huge inputs where they live (a strided view) before copying to the CPU.
            step = -(-total // (4 * MAX_POINTS))
            xs, ys = xs[::step], ys[::step]
        new = label not in self._names
        self._names.add(label)
        self._pending[label] = points_report(label, _on_cpu(xs, "x"), _on_cpu(ys, "y"), total)
        # A new series shows at once; a series redrawn in a loop at most ten times a second.
        if new or time.monotonic() - self._last_publish >= PUBLISH_INTERVAL:
            self.flush()

    def reports(self) -> list[PlotPoints]:
        """The series changed since the last call, as ``plot`` reports."""
        reports = list(self._pending.values())
        self._pending = {}
        return reports

    def flush(self) -> None:
        self._last_publish = time.monotonic()
        reports = self.reports()
        if reports:
            self._publish(reports)


def points_report(
    name: str, xs: torch.Tensor, ys: torch.Tensor, total: int | None = None
) -> PlotPoints:
    """A ``plot`` report: finite points only, evenly thinned to ``MAX_POINTS``.

    ``total`` is how many points the code gave when ``xs``/``ys`` are already a sample.
    """
    finite = torch.isfinite(xs) & torch.isfinite(ys)
    points = torch.stack((xs[finite], ys[finite]), dim=1)
    if len(points) > MAX_POINTS:
        keep = torch.linspace(0, len(points) - 1, MAX_POINTS).round().long()
        points = points[keep]
    return PlotPoints(
        series=name,
        points=tuple((x, y) for x, y in points.tolist()),
        total=xs.numel() if total is None else total,
        nonfinite=int(xs.numel() - int(finite.sum())),
    )


def _series_name(name: Any) -> str:
    # One short printable line: the name is drawn in a legend and a summary.
    text = " ".join("".join(c if c.isprintable() else " " for c in str(name)).split())
    if not text:
        raise PlotInputError(
            "nnlearn.plot needs a name for the series, e.g. nnlearn.plot('data', x, y)."
        )
    return text[:MAX_NAME]


def _vector(values: Any, which: str) -> torch.Tensor:
    """Any sequence of numbers (list, numpy array, tensor on any device) as a flat tensor."""
    try:
        if isinstance(values, torch.Tensor):
            return values.detach().flatten()
        return torch.as_tensor(_plain(values)).flatten()
    except (TypeError, ValueError, RuntimeError) as exc:
        raise _not_numbers(values, which, exc) from None


def _on_cpu(values: torch.Tensor, which: str) -> torch.Tensor:
    try:
        return values.to("cpu", torch.float64)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise _not_numbers(values, which, exc) from None


def _not_numbers(values: Any, which: str, exc: Exception) -> PlotInputError:
    return PlotInputError(
        f"nnlearn.plot: {which} must be numbers (a list, a numpy array or a tensor), "
        f"not {type(values).__name__} ({exc})"
    )


def _plain(values: Any) -> Any:
    """Lists of 0-d tensors (``[loss.item() ...]`` forgotten) become lists of floats."""
    if isinstance(values, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in values):
        return [float(v.detach().cpu()) if isinstance(v, torch.Tensor) else v for v in values]
    if isinstance(values, (int, float)):
        return [values]
    return values
