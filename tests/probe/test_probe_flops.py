"""FLOPs of first calls, output bytes and parameters per module, in-process (no kernel)."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils._python_dispatch import _get_current_dispatch_mode_stack
from torch.utils.flop_counter import FlopCounterMode

from nnlearn.probe.params import module_paths
from nnlearn.probe.shapes import ShapeRecorder, tensor_bytes
from nnlearn.probe.weights import module_weights


def direct_flops(model: nn.Module, *args) -> int:
    with FlopCounterMode(display=False) as counter:
        model(*args)
    return counter.get_total_flops()


def recorded_rows(name: str, model: nn.Module, *args, calls: int = 3) -> dict[str, dict]:
    recorder = ShapeRecorder()
    recorder.start()
    try:
        for _ in range(calls):
            model(*args)
    finally:
        recorder.stop()
    report = recorder.report(module_paths([(name, model)])).to_json()
    return {row["path"]: row for row in report["rows"]}


def cnn() -> tuple[nn.Module, torch.Tensor]:
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 3 * 3, 10),
    )
    return model, torch.randn(2, 3, 8, 8)


def transformer() -> tuple[nn.Module, torch.Tensor]:
    layer = nn.TransformerEncoderLayer(16, 4, 32, batch_first=True)
    return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False), torch.randn(2, 5, 16)


@pytest.mark.parametrize("build", [cnn, transformer], ids=["cnn", "transformer"])
def test_model_row_holds_flop_counter_modes_total(build):
    model, x = build()
    expected = direct_flops(model, x)
    rows = recorded_rows("model", model, x)
    assert expected > 0
    assert rows["model"]["flops"] == expected


def test_each_layer_counts_its_own_first_call_and_children_add_up():
    model, x = cnn()
    rows = recorded_rows("model", model, x)
    conv, linear = model[0], model[5]
    assert rows["model.0"]["flops"] == direct_flops(conv, x)
    assert rows["model.5"]["flops"] == direct_flops(linear, torch.randn(2, 72))
    assert rows["model"]["flops"] == rows["model.0"]["flops"] + rows["model.5"]["flops"]


def test_ops_without_a_formula_are_named_not_counted_as_zero():
    model, x = cnn()
    rows = recorded_rows("model", model, x)
    assert rows["model.2"]["flops"] is None
    assert rows["model.2"]["flops_uncounted"] == ["relu"]
    assert "relu" in rows["model"]["flops_uncounted"]
    # Flatten is a view: it computes nothing, and says 0 rather than unknown.
    assert rows["model.4"]["flops"] == 0
    assert rows["model.4"]["flops_uncounted"] == []


def test_lstm_on_the_cpu_has_no_formula_and_says_so():
    lstm, x = nn.LSTM(5, 7, num_layers=2, batch_first=True), torch.randn(2, 4, 5)
    rows = recorded_rows("lstm", lstm, x)
    assert direct_flops(lstm, x) == 0
    assert rows["lstm"]["flops"] is None
    assert rows["lstm"]["flops_uncounted"]


def test_counting_is_on_only_during_first_calls():
    seen: list[int] = []

    class Spy(nn.Module):
        def forward(self, x):
            seen.append(len(_get_current_dispatch_mode_stack()))
            return x * 2

    model = nn.Sequential(Spy())
    rows = recorded_rows("model", model, torch.ones(2), calls=3)
    assert seen == [1, 0, 0]
    assert rows["model"]["calls"] == 3
    assert _get_current_dispatch_mode_stack() == []


def test_a_first_call_that_raises_closes_its_count():
    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("no")

    model = nn.Sequential(nn.Linear(2, 2), Broken())
    recorder = ShapeRecorder()
    recorder.start()
    try:
        with pytest.raises(ValueError):
            model(torch.zeros(1, 2))
        assert _get_current_dispatch_mode_stack() == []
        model[0](torch.zeros(1, 2))
    finally:
        recorder.stop()
    assert _get_current_dispatch_mode_stack() == []


def test_output_bytes_cover_every_tensor_of_a_tuple():
    assert tensor_bytes(torch.zeros(4, 3)) == 48
    assert (
        tensor_bytes((torch.zeros(2, dtype=torch.float64), [torch.zeros(3, dtype=torch.int8)]))
        == 19
    )
    assert tensor_bytes("text") == 0
    lstm = nn.LSTM(5, 7, batch_first=True)
    rows = recorded_rows("lstm", lstm, torch.randn(2, 4, 5), calls=1)
    assert rows["lstm"]["output_bytes"] == (2 * 4 * 7 + 2 * 1 * 2 * 7) * 4


def test_parameters_per_module_with_trainable_count_and_bytes():
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.Linear(8, 1))
    model[0].bias.requires_grad_(False)
    weights = module_weights(model)
    assert weights["params"] == sum(p.numel() for p in model.parameters())
    assert weights["trainable"] == weights["params"] - 8
    buffer_bytes = sum(b.numel() * b.element_size() for b in model.buffers())
    assert weights["param_bytes"] == weights["params"] * 4 + buffer_bytes


def test_tied_weights_count_once():
    embed = nn.Embedding(10, 4)
    head = nn.Linear(4, 10, bias=False)
    head.weight = embed.weight
    model = nn.ModuleDict({"embed": embed, "head": head})
    assert module_weights(model)["params"] == 40


def test_flop_counting_can_be_turned_off():
    model, x = cnn()
    recorder = ShapeRecorder()
    recorder.count_flops = False
    recorder.start()
    try:
        model(x)
    finally:
        recorder.stop()
    rows = {
        row["path"]: row for row in recorder.report(module_paths([("m", model)])).to_json()["rows"]
    }
    assert rows["m"]["flops"] is None and rows["m"]["flops_uncounted"] == []
    assert rows["m"]["params"] == sum(p.numel() for p in model.parameters())


def test_weights_of_a_module_that_contains_itself_do_not_loop():
    model = nn.Sequential(nn.Linear(2, 2))
    model.add_module("again", model)
    assert module_weights(model)["params"] == 6


def test_a_first_call_in_another_thread_during_a_count_is_not_misattributed():
    import threading

    other = nn.Linear(4, 4)
    done = threading.Event()

    class CallsOtherThread(nn.Module):
        def forward(self, x):
            worker = threading.Thread(target=lambda: (other(torch.ones(1, 4)), done.set()))
            worker.start()
            worker.join()
            return x @ torch.ones(3, 3)

    model = CallsOtherThread()
    recorder = ShapeRecorder()
    recorder.start()
    try:
        model(torch.ones(2, 3))
    finally:
        recorder.stop()
    assert done.is_set()
    rows = recorder.report(module_paths([("model", model), ("other", other)])).to_json()["rows"]
    by_path = {row["path"]: row for row in rows}
    assert by_path["model"]["flops"] == 2 * 2 * 3 * 3
    assert by_path["other"]["flops"] is None


def test_a_root_named_like_a_global_model_gets_its_own_path():
    recorder = ShapeRecorder()
    recorder.start()
    try:
        for _ in range(2):
            conv = nn.Conv2d(1, 1, 1)
            conv(torch.zeros(1, 1, 2, 2))
    finally:
        recorder.stop()
    roots = recorder.roots({id(conv)}, ("conv",))
    assert [name for name, _ in roots] == ["conv#2"]
