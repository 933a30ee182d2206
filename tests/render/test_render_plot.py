"""The loss plot: plain or coloured text, NaN handling, downsampling, repeated calls."""

from __future__ import annotations

import math
import re

from nnlearn.render import loss_plot, series_summary
from nnlearn.render.plot import short_value_ticks

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def curve(n: int, start: int = 0) -> list[tuple[int, float]]:
    return [(start + i, 1.0 / (i + 1)) for i in range(n)]


def test_no_colour_means_no_escape_codes():
    text = loss_plot({"loss": curve(300), "val": curve(30)}, 60, 15, color=False)
    assert "\x1b" not in text
    assert "loss" in text
    assert "val" in text


def test_colour_uses_escape_codes_and_the_requested_size():
    text = loss_plot({"loss": curve(300)}, 60, 15)
    assert ANSI.search(text)
    plain_lines = [ANSI.sub("", line) for line in text.splitlines()]
    assert len(plain_lines) == 15
    assert max(len(line) for line in plain_lines) == 60


def test_plain_plot_has_the_requested_size():
    lines = loss_plot({"loss": curve(50)}, 50, 12, color=False).splitlines()
    assert len(lines) == 12
    assert all(len(line) == 50 for line in lines)


def test_x_axis_shows_integer_steps():
    text = loss_plot({"loss": curve(300)}, 60, 12, color=False)
    axis = text.splitlines()[-1]
    assert "299" in axis
    assert "." not in axis


def y_labels(text: str) -> list[str]:
    return [line.split("┤")[0].strip() for line in text.splitlines() if "┤" in line]


def test_an_exploded_loss_keeps_its_axis_labels_short():
    # plotext would write 8700000000000000000000.0: a third of an 80-column plot.
    text = loss_plot({"loss": [(0, 1.3), (1, 3e10), (2, 8.7e21)]}, 60, 12, color=False)
    labels = y_labels(text)
    assert labels[0] == "8.7e+21" and labels[-1] == "1.3"
    assert max(len(label) for label in labels) <= 8
    tiny = y_labels(loss_plot({"loss": [(0, 5e-6), (1, 1e-6)]}, 60, 9, color=False))
    assert tiny[0] == "5e-06" and tiny[-1] == "1e-06"


def test_an_ordinary_loss_keeps_plotexts_own_labels():
    assert short_value_ticks(0.01, 2.5, 4) is None
    assert short_value_ticks(0.0, 0.0, 4) is None
    assert short_value_ticks(1.3, 8.7e21, 3) == (
        [1.3, 4.35e21, 8.7e21],
        ["1.3", "4.35e+21", "8.7e+21"],
    )


def test_no_points_gives_a_short_message():
    assert loss_plot({}, 60, 15) == "no loss points yet"
    assert loss_plot({"loss": []}, 60, 15) == "no loss points yet"


def test_single_point_is_drawn():
    text = loss_plot({"loss": [(5, 0.3)]}, 40, 10, color=False)
    assert "●" in text.split("loss", 1)[1]
    assert "5" in text.splitlines()[-1]


def test_nan_and_inf_are_dropped_and_counted():
    points = [(0, 1.0), (1, math.nan), (2, math.inf), (3, 0.5), (4, -math.inf)]
    text = loss_plot({"loss": points}, 40, 10, color=False)
    assert text.splitlines()[-1] == "3 NaN/inf points left out"
    assert len(text.splitlines()) == 10
    assert "nan" not in text.lower().replace("nan/inf", "")


def test_only_nan_says_nothing_to_draw():
    text = loss_plot({"loss": [(0, math.nan)]}, 40, 10)
    assert text == "no loss points yet (1 NaN/inf point left out)"


def test_counts_dropped_upstream_are_added():
    text = loss_plot({"loss": curve(5)}, 40, 10, color=False, dropped={"loss": 7})
    assert "7 NaN/inf points left out" in text


def test_too_small_area_says_so():
    assert "too small" in loss_plot({"loss": curve(5)}, 10, 3)


def test_huge_series_is_drawn_from_a_downsample():
    points = [(i, 2.0 + math.sin(i / 1000)) for i in range(100_000)]
    text = loss_plot({"loss": points}, 80, 20, color=False)
    assert "99999" in text.splitlines()[-1]
    assert "3.00" in text


def test_repeated_calls_do_not_share_state():
    first = loss_plot({"loss": curve(100)}, 60, 12, color=False)
    loss_plot({"other": curve(10, start=500)}, 30, 8, color=True)
    assert loss_plot({"loss": curve(100)}, 60, 12, color=False) == first


def test_summary_names_last_step_value_and_min():
    points = [(0, 0.5), (150, 0.0101), (299, 0.0123)]
    assert series_summary({"loss": points}) == "loss: step 299 = 0.0123 (min 0.0101)"


def test_summary_one_line_per_series_and_nan_last():
    summary = series_summary({"loss": [(0, 1.0), (1, math.nan)], "acc": []})
    assert summary.splitlines() == ["loss: step 1 = nan (min 1)", "acc: no points yet"]


def test_summary_of_nothing():
    assert series_summary({}) == "no loss points yet"
