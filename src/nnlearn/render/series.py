"""Loss series that stay small however long training runs.

A 100,000-step loop sends 100,000 points; a terminal plot is ~100 columns
wide. ``downsample`` keeps the shape of a curve (the lowest and highest value
of every bucket, plus the exact first and last points), and ``LossSeries``
collects ``LossPoints`` events for a pane that redraws now and then, keeping
each series under a fixed cap so memory and redraw time stay flat.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import pairwise
from operator import itemgetter

from nnlearn.kernel.events import LossPoints

Point = tuple[int, float]
_step = itemgetter(0)
_value = itemgetter(1)


def is_finite_point(point: Point) -> bool:
    return math.isfinite(point[1])


def downsample(points: Sequence[Point], max_points: int) -> list[Point]:
    """At most ``max_points`` points that draw like ``points``.

    The first and last points are kept exactly. The steps between them are cut
    into equal buckets and each bucket keeps its lowest and highest value, in
    step order, so spikes and the overall minimum and maximum survive. Buckets
    follow steps rather than list positions, so a series compacted many times
    keeps an even resolution. Non-finite interior values (NaN, inf) are dropped.
    """
    if max_points < 2:
        raise ValueError(f"max_points must be at least 2, got {max_points}")
    if len(points) <= max_points:
        return list(points)
    first, last = points[0], points[-1]
    buckets = (max_points - 2) // 2
    isfinite = math.isfinite
    interior = sorted((p for p in points[1:-1] if isfinite(p[1])), key=_step)
    if not interior or buckets == 0:
        return [first, last]
    edges = _bucket_edges(interior, first[0], last[0], buckets)
    kept: list[Point] = [first]
    for start, stop in pairwise(edges):
        if start >= stop:
            continue
        bucket = interior[start:stop]
        low = min(bucket, key=_value)
        high = max(bucket, key=_value)
        kept.extend(sorted({low, high}))
    kept.append(last)
    return kept


def _bucket_edges(
    interior: list[Point], first_step: int, last_step: int, buckets: int
) -> list[int]:
    """Slice boundaries into ``interior`` (sorted by step) for equal step ranges.

    When the steps do not increase, equal-sized slices are used instead.
    """
    count = len(interior)
    span = last_step - first_step
    if span <= 0:
        return [round(count * b / buckets) for b in range(buckets + 1)]
    steps = [p[0] for p in interior]
    inner = [bisect_left(steps, first_step + span * b / buckets) for b in range(1, buckets)]
    return [0, *inner, count]


class LossSeries:
    """Accumulates ``LossPoints`` events, one bounded point list per series.

    ``revision`` grows with every change, so a widget can redraw only when it
    moved. When a series grows past ``cap`` it is downsampled to half the cap;
    the last point always stays exact and the count of non-finite points
    dropped on the way is kept in ``dropped``.
    """

    def __init__(self, cap: int = 4000) -> None:
        if cap < 8:
            raise ValueError(f"cap must be at least 8, got {cap}")
        self.cap = cap
        self.revision = 0
        self._points: dict[str, list[Point]] = {}
        self._dropped: dict[str, int] = {}
        self._received: dict[str, int] = {}

    def add(self, event: LossPoints) -> None:
        """Append the points of one event to its series."""
        self.extend(event.series, event.points)

    def extend(self, name: str, points: Iterable[Point]) -> None:
        new = [(int(step), float(value)) for step, value in points]
        if not new:
            return
        series = self._points.setdefault(name, [])
        series.extend(new)
        self._received[name] = self._received.get(name, 0) + len(new)
        if len(series) > self.cap:
            self._compact(name)
        self.revision += 1

    def _compact(self, name: str) -> None:
        series = self._points[name]
        interior_nonfinite = sum(1 for p in series[1:-1] if not is_finite_point(p))
        self._dropped[name] = self._dropped.get(name, 0) + interior_nonfinite
        self._points[name] = downsample(series, self.cap // 2)

    def clear(self) -> None:
        """Forget every series (a new run starts)."""
        self._points.clear()
        self._dropped.clear()
        self._received.clear()
        self.revision += 1

    @property
    def names(self) -> list[str]:
        return list(self._points)

    def points(self, name: str) -> list[Point]:
        return list(self._points.get(name, []))

    def received(self, name: str) -> int:
        """How many points of this series arrived, before any downsampling."""
        return self._received.get(name, 0)

    @property
    def dropped(self) -> dict[str, int]:
        """Non-finite points already removed by downsampling, per series."""
        return dict(self._dropped)

    def as_dict(self) -> dict[str, list[Point]]:
        """The series in the form ``loss_plot`` and ``series_summary`` take."""
        return {name: list(points) for name, points in self._points.items()}

    def __len__(self) -> int:
        return len(self._points)

    def __bool__(self) -> bool:
        return any(self._points.values())
