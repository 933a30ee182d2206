"""Gradient flow and activations for people: history, flags, sparklines and the tables."""

from __future__ import annotations

import pytest

from nnlearn.kernel.events import InsideSample, LayerActivity, ParamFlow
from nnlearn.render.inside import (
    HISTORY,
    InsideHistory,
    dead_layers,
    format_number,
    gradient_table,
    inside_flags,
    inside_tables,
    layer_update_ratio,
    sparkline,
)


def flow(name, grad, *, requires_grad=True, ratio=1e-3, optimized=True):
    return ParamFlow(name, requires_grad, grad, 1.0, ratio, optimized)


def history_of(*samples: InsideSample) -> InsideHistory:
    history = InsideHistory()
    for sample in samples:
        history.add(sample)
    return history


def test_each_reason_a_layer_does_not_learn_is_named_once_per_layer():
    sample = InsideSample(
        step=10,
        params=(
            flow("model.fc1.weight", 0.5),
            flow("model.fc1.bias", 0.1),
            flow("model.fc2.weight", None, requires_grad=False, ratio=None),
            flow("model.fc2.bias", None, requires_grad=False, ratio=None),
            flow("model.fc3.weight", None, ratio=None),
            flow("model.fc4.weight", 0.0),
            flow("model.fc5.weight", 0.2, ratio=None, optimized=False),
        ),
    )
    flags = {f.layer: f for f in inside_flags(history_of(sample, sample))}
    assert set(flags) == {"model.fc2", "model.fc3", "model.fc4", "model.fc5"}
    assert flags["model.fc2"].params == ("weight", "bias")
    assert "requires_grad is False" in flags["model.fc2"].reason
    assert ".detach()" in flags["model.fc3"].reason
    assert "zero gradient" in flags["model.fc4"].reason
    assert "no optimizer" in flags["model.fc5"].reason
    assert flags["model.fc2"].text().startswith("model.fc2 (weight, bias): frozen")


def test_one_zero_gradient_is_not_enough_to_flag_a_parameter():
    # A converged bias can get a gradient of exactly 0 in the one sample it has.
    zero = InsideSample(step=9, params=(flow("m.fc.bias", 0.0),))
    assert inside_flags(history_of(zero)) == []
    assert [f.layer for f in inside_flags(history_of(zero, zero))] == ["m.fc"]


def test_a_gradient_seen_once_clears_the_no_gradient_flag():
    first = InsideSample(step=0, params=(flow("m.w", None),))
    later = InsideSample(step=5, params=(flow("m.w", 0.3),))
    assert inside_flags(history_of(first)) != []
    assert inside_flags(history_of(first, later)) == []


def test_history_keeps_only_the_last_samples():
    samples = [InsideSample(step=i, params=(flow("m.w", float(i + 1)),)) for i in range(200)]
    history = history_of(*samples)
    assert history.samples == 200 and history.last_step == 199
    assert len(history.params["m.w"].grad_norms) == HISTORY
    assert history.params["m.w"].grad_norms[-1] == 200.0


def test_a_layers_update_ratio_weighs_its_tensors_by_their_size():
    sample = InsideSample(
        step=1,
        params=(
            ParamFlow("m.fc.weight", True, 0.1, 3.0, 0.01, True),  # update 0.03
            ParamFlow("m.fc.bias", True, 0.1, 4.0, 0.01, True),  # update 0.04
            ParamFlow("m.out.weight", True, 0.1, 1.0, None, True),
        ),
    )
    history = history_of(sample)
    assert layer_update_ratio(history, "m.fc") == pytest.approx(0.05 / 5.0)
    assert layer_update_ratio(history, "m.out") is None
    assert layer_update_ratio(history, "m.act") is None


def test_a_layer_whose_output_is_all_zeros_is_dead():
    layers = (
        LayerActivity("model.1", "ReLU", 0.0, 0.0, 1.0),
        LayerActivity("model.3", "ReLU", 0.4, 0.5, 0.5),
    )
    assert dead_layers(history_of(InsideSample(step=1, layers=layers))) == ["model.1"]


def test_sparklines_scale_per_row_and_show_gaps():
    assert sparkline([1.0, 2.0, 3.0]) == "▁▅█"
    assert sparkline([1e-9, 1e-6, 1e-3], log=True) == "▁▅█"
    assert sparkline([1.0, None, 1.0]) == "▅ ▅"
    assert sparkline([0.0, 0.0], bounds=(0.0, 1.0)) == "▁▁"
    assert sparkline([None, None]) == "  "
    assert len(sparkline([float(i) for i in range(100)])) == 12


def test_noise_stays_flat_in_a_sparkline():
    # A few per cent up and down is not a trend: no bar at either end of the scale.
    for line in (sparkline([1.0, 1.02, 0.99, 1.01]), sparkline([3.3e-9, 3.1e-9], log=True)):
        assert "▁" not in line and "█" not in line, line


def test_numbers_stay_short_at_any_magnitude():
    assert [format_number(v) for v in (None, 0.0, 0.0312, 2.4e-9, 123456.0)] == [
        "—",
        "0",
        "0.0312",
        "2.4e-09",
        "1.2e+05",
    ]


def test_the_tables_fit_80_columns_and_show_warnings_first(to_text):
    sample = InsideSample(
        step=42,
        params=(
            flow("model.0.weight", 0.5),
            flow("model.2.weight", None, requires_grad=False, ratio=None),
            flow("model.4.weight", 1e-12),
        ),
        layers=(LayerActivity("model.1", "ReLU", 0.0, 0.0, 1.0),),
    )
    text = to_text(inside_tables(history_of(sample)), width=80)
    lines = text.splitlines()
    assert lines[0].startswith("⚠ model.2 (weight): frozen")
    assert "⚠ dead: model.1" in text
    assert "1 sample up to step 42" in text
    assert "⚠ vanishing" in text  # model.4's 1e-12
    assert "100% dead" in text
    assert max(len(line) for line in lines) <= 80


def test_updates_far_from_a_thousandth_of_the_weight_twice_running_are_named(to_text):
    def sample(step):
        return InsideSample(
            step=step,
            params=(
                flow("m.a.weight", 0.1, ratio=0.165),
                flow("m.b.weight", 0.1, ratio=1e-7),
                flow("m.c.weight", 0.1, ratio=1e-3),
            ),
        )

    lines = to_text(gradient_table(history_of(sample(3), sample(9))), width=100).splitlines()
    notes = {line.split()[0]: line for line in lines if line.startswith("m.")}
    assert notes["m.a.weight"].endswith("update too large")
    assert notes["m.b.weight"].endswith("update too small")
    assert "update" not in notes["m.c.weight"].split("0.001")[-1]


def test_one_large_update_at_the_start_is_not_a_trend(to_text):
    """Lesson 8's solution: a bias moved by 11 % of itself at step 1, then only the Run's
    end was sampled (no update measured there): its row must not say "update too large"."""
    start = InsideSample(step=1, params=(flow("model.b", 0.5, ratio=0.111),))
    end = InsideSample(step=499, params=(flow("model.b", 8.1e-5, ratio=None),))
    settled = InsideSample(step=250, params=(flow("model.b", 1e-3, ratio=2e-3),))
    for history in (history_of(start, end), history_of(start, settled, end)):
        text = to_text(gradient_table(history), width=100)
        assert "update too" not in text
        assert "0.111" in text or "0.002" in text  # the ratio is still shown


def test_a_healthy_run_says_so_and_long_tables_are_cut(to_text):
    params = tuple(flow(f"model.{i}.weight", 0.1) for i in range(10))
    text = to_text(inside_tables(history_of(InsideSample(step=1, params=params)), max_rows=4))
    assert "✓ every parameter receives a gradient" in text
    assert "model.3.weight" in text and "model.4.weight" not in text
    assert "6 more parameters not shown" in text


def test_vanishing_gradients_are_not_called_healthy(to_text):
    # Lesson 19's dead ReLUs: one sample, the gradients before the dead layer exactly 0.
    params = (
        flow("model.0.weight", 0.0),
        flow("model.0.bias", 0.0),
        flow("model.2.weight", 1e-9),
        flow("model.2.bias", 0.0),
        flow("model.4.bias", 0.4),
    )
    text = to_text(inside_tables(history_of(InsideSample(step=0, params=params))), width=100)
    assert "✓ every parameter receives a gradient" not in text
    assert (
        "⚠ vanishing: the gradient of model.0.weight, model.0.bias, model.2.weight and 1 more "
        "is (nearly) zero at the last sample"
    ) in " ".join(text.split())
