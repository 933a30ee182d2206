"""Broken training is never called healthy: NaN or inf numbers, exploding gradients, a NaN loss."""

from __future__ import annotations

import math

import pytest

from nnlearn.kernel.events import InsideSample, LayerActivity, ParamFlow
from nnlearn.render.inside import (
    InsideHistory,
    activation_table,
    format_number,
    gradient_table,
    inside_summary,
    inside_tables,
    layer_update_ratio,
    sparkline,
)
from nnlearn.render.inside_health import training_broke

NAN, INF = math.nan, math.inf
HEALTHY = "✓ every parameter receives a gradient"


def flow(name, grad, *, weight=1.0, ratio=1e-3):
    return ParamFlow(name, True, grad, weight, ratio, True)


def history_of(*samples: InsideSample) -> InsideHistory:
    history = InsideHistory()
    for sample in samples:
        history.add(sample)
    return history


def step(number: int, **norms: float | None) -> InsideSample:
    """A sample of two layers' weights, ``fc1`` and ``fc2``, with these gradient norms."""
    return InsideSample(
        step=number, params=tuple(flow(f"model.{name}.weight", n) for name, n in norms.items())
    )


def words(text: str) -> str:
    return " ".join(text.split())


def test_nan_gradients_are_named_with_what_they_mean_and_what_to_try(to_text):
    history = history_of(step(0, fc1=0.4, fc2=0.2), step(50, fc1=NAN, fc2=0.3))
    text = words(to_text(inside_tables(history), width=80))
    assert HEALTHY not in text
    assert "✗ the gradients of model.fc1.weight are NaN at step 50:" in text
    assert "model.fc2.weight are" not in text  # its gradient is still a number
    assert "the next optimizer.step() makes the weights NaN" in text  # they are not yet
    with_loss = words(to_text(inside_summary(history, [(50, INF)])))
    assert "are NaN at step 50, and so is the loss: the next optimizer.step()" in with_loss
    assert "look for log or sqrt of 0 or of a negative number" in text
    assert "lower the learning rate" in text
    assert "torch.autograd.set_detect_anomaly(True)" in text


def test_nan_gradients_say_whether_the_loss_and_the_weights_are_nan_too(to_text):
    weights_too = InsideSample(step=9, params=(flow("m.w", NAN, weight=NAN, ratio=None),))
    text = words(to_text(inside_summary(history_of(weights_too), [(9, NAN)])))
    assert (
        "✗ the gradients of m.w are NaN at step 9, and so are their weights and the loss: "
        "the model learns nothing from here on"
    ) in text
    # sqrt of exactly 0: a finite loss whose gradient is NaN.
    text = words(to_text(inside_summary(history_of(step(9, fc1=NAN)), [(9, 0.5)])))
    assert "the loss is finite, so it is the gradient of an operation" in text


def test_inf_gradients_say_inf_and_all_of_a_large_model_are_counted(to_text):
    params = tuple(flow(f"model.{i}.weight", INF) for i in range(6))
    text = words(to_text(inside_summary(history_of(InsideSample(step=3, params=params)))))
    assert "✗ the gradients of all 6 parameters are inf at step 3" in text
    assert HEALTHY not in text


def test_nan_weights_under_finite_gradients_are_named(to_text):
    history = history_of(InsideSample(step=9, params=(flow("m.fc.weight", 0.1, weight=NAN),)))
    text = words(to_text(inside_summary(history)))
    assert "✗ the weights of m.fc.weight are NaN or inf" in text
    assert HEALTHY not in text


def test_rows_show_nan_plainly_and_their_sparkline_marks_it(to_text):
    history = history_of(
        step(0, fc1=0.4),
        step(1, fc1=0.5),
        InsideSample(step=2, params=(flow("model.fc1.weight", NAN, weight=NAN, ratio=None),)),
    )
    lines = to_text(gradient_table(history), width=80).splitlines()
    row = next(line for line in lines if line.startswith("model.fc1.weight"))
    cells = row.split()
    assert cells[1].endswith("!")  # the NaN sample, after two bars
    assert cells[2:4] == ["NaN", "NaN"]  # the last norm; update/weight of a NaN weight
    assert row.endswith("✗ NaN")
    assert "0.5" not in row  # never the last finite norm passed off as the latest


def test_a_sparkline_marks_nan_and_inf_and_keeps_them_off_its_scale():
    assert sparkline([1e-3, NAN, 1.0, INF, None], log=True) == "▁!█! "
    assert sparkline([NAN, NAN]) == "!!"
    assert sparkline([0.5, NAN], bounds=(0.0, 1.0)) == "▅!"


def test_numbers_that_are_not_finite_read_as_such():
    assert [format_number(v) for v in (NAN, INF, -INF)] == ["NaN", "inf", "-inf"]


def test_activations_and_layer_ratios_survive_nan_and_huge_weights(to_text):
    sample = InsideSample(
        step=4,
        params=(flow("m.a.weight", 0.1, weight=NAN), flow("m.b.weight", 0.1, weight=1e200)),
        layers=(LayerActivity("m.a", "Linear", NAN, INF, NAN),),
    )
    history = history_of(sample)
    assert math.isnan(layer_update_ratio(history, "m.a") or 0.0)
    assert layer_update_ratio(history, "m.b") == pytest.approx(1e-3)  # no overflow
    row = next(
        line for line in to_text(activation_table(history)).splitlines() if line.startswith("m.a")
    )
    assert row.split()[2:] == ["NaN", "inf", "!", "NaN", "NaN"]


def test_exploding_gradients_are_named_before_they_turn_nan(to_text):
    history = history_of(step(0, fc1=0.3, fc2=0.2), step(1, fc1=8e16, fc2=3e4))
    text = words(to_text(inside_tables(history), width=100))
    assert HEALTHY not in text
    assert (
        "⚠ exploding: all the gradients together went from 0.361 at step 0 to 8.0e+16 at "
        "step 1 (largest: model.fc1.weight, model.fc2.weight)"
    ) in text
    assert "clip the gradients" in text
    rows = [line for line in to_text(gradient_table(history)).splitlines() if line[:6] == "model."]
    assert len(rows) == 2 and all(row.endswith("⚠ exploding") for row in rows)


def test_they_exploded_first_when_the_gradients_then_turn_nan(to_text):
    history = history_of(step(0, fc1=0.3), step(1, fc1=8e16), step(299, fc1=NAN))
    text = words(to_text(inside_summary(history), width=100))
    assert "✗ the gradients of model.fc1.weight are NaN at step 299" in text
    assert "⚠ they exploded first: all the gradients together went from 0.3" in text
    assert "lower the learning rate" in text


@pytest.mark.parametrize(
    "norms",
    [
        # The largest growth of the lessons' own loops: 8x (lesson 19's wide network).
        [(0, 0.2, 0.1), (40, 1.6, 0.5)],
        # A layer behind a zero-initialised one: its own first norm is tiny, not the model's.
        [(0, 2.7e-7, 0.9), (1, 1.5, 0.8)],
        # Grown a lot, but shrinking again now: not exploding at the latest sample.
        [(0, 0.1, 0.1), (1, 500.0, 0.1), (2, 0.2, 0.1)],
        # Nearly trained at the start, then new data: 5,000x, but still small gradients.
        [(0, 1e-4, 1e-5), (5, 0.5, 0.1)],
    ],
)
def test_healthy_growth_is_not_called_exploding(to_text, norms):
    history = history_of(*(step(s, fc1=a, fc2=b) for s, a, b in norms))
    text = to_text(inside_tables(history), width=100)
    assert "exploding" not in text and "exploded" not in text
    assert HEALTHY in text


def test_a_nan_loss_with_finite_gradients_is_not_called_healthy(to_text):
    # torch.log of a negative number: the loss is NaN, its gradient 1/x is not.
    loss = [(0, NAN), (1, NAN), (199, NAN)]
    history = history_of(step(0, fc1=0.01), step(199, fc1=0.01))
    text = words(to_text(inside_tables(history, loss=loss), width=100))
    assert HEALTHY not in text
    assert "✗ the loss is NaN at step 199" in text
    assert "look for log or sqrt of 0 or of a negative number" in text
    assert HEALTHY in to_text(inside_summary(history, [(0, NAN), (199, 0.5)]))
    assert training_broke(history, loss) and not training_broke(history, [(199, 0.5)])


def test_a_loss_that_exploded_between_the_samples_says_why_it_turned_nan(to_text):
    # The samples came at steps 0, 1 and 6; the loss saw it grow at every step.
    loss = [(0, 1.69), (1, 14.7), (2, 2677.0), (3, 6.5e10), (4, 1.25e33), (5, INF), (6, NAN)]
    history = history_of(step(0, fc1=0.4), step(1, fc1=2.0), step(6, fc1=NAN))
    text = words(to_text(inside_summary(history, loss), width=100))
    assert "⚠ the loss exploded first: from 1.69 at step 0 to 1.2e+33 at step 4" in text
    assert "→ lower the learning rate, or clip the gradients" in text
    assert "look for log" not in text
    # A loss that grew 100x is not called exploded; nor is a negative one.
    for calm in ([(0, 1.0), (1, 100.0), (2, NAN)], [(0, -2.0), (1, 5e3), (2, NAN)]):
        assert "exploded" not in to_text(inside_summary(history, calm))
