"""``nnlearn.plot`` series as text: scatter plot, summary, and the latest-points store."""

from __future__ import annotations

from nnlearn.kernel.events import PlotPoints
from nnlearn.render import PlotSeries, plot_summary, scatter_plot
from nnlearn.render.scatter import NO_PLOTS

LINE = [(i / 50, 0.7 * i / 50 + 0.3) for i in range(50)]


def test_scatter_without_colour_labels_each_series_with_its_own_marker():
    text = scatter_plot({"data": LINE, "pred": [(x, 0.1) for x, _ in LINE]}, 60, 15, color=False)
    assert "\x1b" not in text
    assert "• data" in text.replace("••", "•") and "+ pred" in text.replace("++", "+")
    assert all(len(line) <= 60 for line in text.splitlines())
    assert len(text.splitlines()) == 15


def test_scatter_with_colour_has_escape_codes():
    assert "\x1b[" in scatter_plot({"data": LINE}, 40, 10, color=True)


def test_nothing_to_draw_and_too_small_areas_say_so():
    assert scatter_plot({}, 60, 15) == NO_PLOTS
    assert scatter_plot({"empty": []}, 60, 15) == NO_PLOTS
    assert "too small" in scatter_plot({"data": LINE}, 10, 3)


def test_plot_series_keeps_only_the_latest_points_of_each_name():
    series = PlotSeries()
    assert not series
    series.set(PlotPoints("pred", ((0.0, 1.0),), 1))
    series.set(PlotPoints("data", ((0.0, 2.0),), 1))
    revision = series.revision
    series.set(PlotPoints("pred", ((0.0, 3.0), (1.0, 4.0)), 2))
    assert series.revision > revision
    assert series.as_dict() == {"pred": [(0.0, 3.0), (1.0, 4.0)], "data": [(0.0, 2.0)]}
    series.clear()
    assert not series and series.as_dict() == {}


def test_plot_series_keeps_a_bounded_number_of_names():
    series = PlotSeries(max_series=2)
    for name in ("a", "b", "c"):
        series.set(PlotPoints(name, ((0.0, 0.0),), 1))
    series.set(PlotPoints("a", ((1.0, 1.0),), 1))
    assert series.as_dict() == {"a": [(1.0, 1.0)], "b": [(0.0, 0.0)]}


def test_summary_gives_counts_ranges_and_what_was_left_out():
    summary = plot_summary(
        [
            PlotPoints("data", ((0.0, 0.3), (0.98, 0.986)), total=2),
            PlotPoints("big", ((0.0, 1.0), (1.0, 2.0)), total=5000, nonfinite=1),
        ]
    )
    first, second = summary.splitlines()
    assert first == "data: 2 points, x 0 … 0.98, y 0.3 … 0.986"
    assert second == "big: 5,000 points, x 0 … 1, y 1 … 2 (2 drawn, 1 NaN/inf left out)"
    assert plot_summary([]) == NO_PLOTS
