"""``nnlearn.plot``'s recorder in-process: what it accepts, what it refuses, its bounds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnlearn.kernel.events import PlotPoints
from nnlearn.probe.points import MAX_POINTS, MAX_SERIES, PlotInputError, PointsRecorder


def recorder() -> tuple[PointsRecorder, list[list[PlotPoints]]]:
    published: list[list[PlotPoints]] = []
    rec = PointsRecorder(published.append)
    rec.start()
    return rec, published


def test_lists_arrays_and_tensors_with_gradients_become_the_same_points():
    rec, published = recorder()
    weight = torch.nn.Parameter(torch.tensor([2.0]))
    x = torch.tensor([[0.0], [1.0], [2.0]])
    rec.add("list", [0, 1, 2], [0.0, 2.0, 4.0])
    rec.add("numpy", np.array([0.0, 1.0, 2.0]), np.array([0.0, 2.0, 4.0]))
    rec.add("tensor", x, x * weight)
    rec.add("scalars", [torch.tensor(0.0), 1, 2], [torch.tensor(0.0), 2.0, torch.tensor(4.0)])
    reports = [r for batch in published for r in batch] + rec.reports()
    assert [r.series for r in reports] == ["list", "numpy", "tensor", "scalars"]
    for report in reports:
        assert report.points == ((0.0, 0.0), (1.0, 2.0), (2.0, 4.0))
        assert report.total == 3 and report.nonfinite == 0


def test_a_series_plotted_again_is_replaced_and_sent_with_the_next_flush():
    rec, published = recorder()
    rec.add("pred", [0, 1], [5, 5])
    rec.add("pred", [0, 1], [1, 2])  # within 0.1 s: kept pending, not published
    assert published == [[rec_report("pred", [[0.0, 5.0], [1.0, 5.0]])]]
    assert rec.reports() == [rec_report("pred", [[0.0, 1.0], [1.0, 2.0]])]
    assert rec.reports() == []


def rec_report(name: str, points: list[list[float]]) -> PlotPoints:
    return PlotPoints(name, tuple((x, y) for x, y in points), total=2, nonfinite=0)


def test_non_finite_points_are_left_out_and_counted():
    rec, published = recorder()
    rec.add("s", [0, 1, float("nan"), 3], [1, float("inf"), 2, 3])
    [[report]] = published
    assert report.points == ((0.0, 1.0), (3.0, 3.0))
    assert report.total == 4 and report.nonfinite == 2


def test_many_points_are_thinned_evenly_keeping_both_ends():
    rec, published = recorder()
    n = 7 * MAX_POINTS + 7  # thinned after the copy: both ends exact
    rec.add("big", torch.arange(n), torch.arange(n) * 2)
    [[report]] = published
    points = report.points
    assert len(points) == MAX_POINTS and report.total == n
    assert points[0] == (0.0, 0.0) and points[-1] == (n - 1, 2.0 * (n - 1))
    assert all(a[0] < b[0] for a, b in zip(points, points[1:], strict=False))


def test_a_huge_input_is_sampled_before_it_is_copied_and_still_spans_the_range():
    rec, published = recorder()
    n = 1_000_003
    x = torch.arange(n, dtype=torch.float32)
    rec.add("huge", x, -x)
    [[report]] = published
    points = report.points
    assert report.total == n and len(points) == MAX_POINTS
    assert points[0] == (0.0, 0.0) and points[-1][0] > 0.99 * n


def test_mismatched_lengths_and_non_numbers_get_a_clear_message():
    rec, _ = recorder()
    with pytest.raises(PlotInputError, match="x has 3 values but y has 2"):
        rec.add("s", [1, 2, 3], [1, 2])
    with pytest.raises(PlotInputError, match="y must be numbers"):
        rec.add("s", [1, 2], ["a", "b"])
    with pytest.raises(PlotInputError, match="x must be numbers"):
        rec.add("s", torch.zeros(2, dtype=torch.complex64, device="meta"), [1, 2])
    with pytest.raises(PlotInputError, match="needs a name"):
        rec.add("  ", [1], [1])


def test_the_number_of_series_is_bounded_but_reusing_a_name_is_fine():
    rec, _ = recorder()
    for i in range(MAX_SERIES):
        rec.add(f"s{i}", [0], [i])
    rec.add("s0", [0], [9])
    with pytest.raises(PlotInputError, match=f"at most {MAX_SERIES} series"):
        rec.add("one too many", [0], [0])
    rec.start()  # a new run starts counting again
    rec.add("one too many", [0], [0])


def test_a_name_is_one_short_line():
    rec, published = recorder()
    rec.add("pred\nafter\x1b[31m training" + "x" * 100, [0], [0])
    [[report]] = published
    assert report.series.startswith("pred after [31m training")
    assert report.series.isprintable() and len(report.series) <= 40
