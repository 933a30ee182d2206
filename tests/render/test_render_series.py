"""Downsampling keeps a curve's shape and its exact ends; LossSeries stays bounded."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnlearn.kernel.events import LossPoints
from nnlearn.render import LossSeries, downsample


def test_short_series_is_returned_unchanged():
    points = [(i, float(i)) for i in range(10)]
    assert downsample(points, 10) == points


def test_downsample_keeps_first_last_min_and_max():
    points = [(i, 2.0 + math.sin(i / 1000)) for i in range(100_000)]
    points[54_321] = (54_321, -5.0)
    kept = downsample(points, 200)
    assert len(kept) <= 200
    assert kept[0] == points[0]
    assert kept[-1] == points[-1]
    assert (54_321, -5.0) in kept
    assert max(v for _, v in kept) == max(v for _, v in points)


def test_downsample_keeps_a_non_finite_last_point_exactly():
    points = [(i, 1.0) for i in range(1000)] + [(1000, math.nan)]
    kept = downsample(points, 50)
    assert kept[-1][0] == 1000
    assert math.isnan(kept[-1][1])
    assert all(math.isfinite(v) for _, v in kept[:-1])


def test_downsample_rejects_tiny_budget():
    with pytest.raises(ValueError, match="at least 2"):
        downsample([(0, 1.0)], 1)


def test_downsample_with_repeated_steps_uses_positions():
    points = [(7, float(i)) for i in range(1000)]
    kept = downsample(points, 20)
    assert len(kept) <= 20
    assert kept[0] == points[0] and kept[-1] == points[-1]


@given(
    st.lists(
        st.tuples(st.integers(0, 10_000), st.floats(allow_nan=True, allow_infinity=True)),
        min_size=1,
        max_size=300,
    ),
    st.integers(2, 60),
)
def test_downsample_is_bounded_and_keeps_ends(points, max_points):
    kept = downsample(points, max_points)
    assert len(kept) <= max_points
    assert kept[0] is points[0]
    assert kept[-1] is points[-1]


def test_loss_series_appends_events_and_bumps_revision():
    acc = LossSeries()
    assert not acc
    acc.add(LossPoints("loss", ((0, 0.5), (1, 0.4))))
    acc.add(LossPoints("val", ((0, 0.6),)))
    acc.add(LossPoints("loss", ((2, 0.3),)))
    assert acc.revision == 3
    assert acc.names == ["loss", "val"]
    assert acc.points("loss") == [(0, 0.5), (1, 0.4), (2, 0.3)]
    assert acc.as_dict()["val"] == [(0, 0.6)]
    acc.add(LossPoints("loss", ()))
    assert acc.revision == 3


def test_loss_series_stays_bounded_and_keeps_last_exact():
    acc = LossSeries(cap=100)
    for start in range(0, 10_000, 50):
        acc.add(LossPoints("loss", tuple((s, 1.0 / (s + 1)) for s in range(start, start + 50))))
    points = acc.points("loss")
    assert len(points) <= 100
    assert points[-1] == (9999, 1.0 / 10_000)
    assert points[0] == (0, 1.0)
    assert acc.received("loss") == 10_000


def test_loss_series_counts_nan_dropped_while_compacting():
    acc = LossSeries(cap=10)
    acc.extend("loss", [(0, 1.0), (1, math.nan), (2, math.nan)] + [(i, 0.5) for i in range(3, 11)])
    assert acc.dropped == {"loss": 2}
    assert all(math.isfinite(v) for _, v in acc.points("loss"))


def test_loss_series_clear_forgets_everything():
    acc = LossSeries()
    acc.extend("loss", [(0, 1.0)])
    acc.clear()
    assert acc.as_dict() == {}
    assert acc.received("loss") == 0
    assert len(acc) == 0


def test_loss_series_rejects_tiny_cap():
    with pytest.raises(ValueError, match="cap"):
        LossSeries(cap=2)
