"""FLOPs in a real kernel equal FlopCounterMode's, run directly in the same kernel on the same call.

The script under test runs inside a wrapper that keeps the arguments of each
module's first call (a global forward pre-hook of the test's own, removed
after), then counts each top-level model again on those arguments with
``FlopCounterMode`` and prints the totals: the Shapes row of each model must
hold the same number (or None, with the ops named, where FlopCounterMode
counts 0 because it has no formula for what ran).
"""

from __future__ import annotations

import json

import pytest
from kernel_helpers import collect, only

from nnlearn.curriculum.bundled import bundled_lessons_dir
from nnlearn.curriculum.loader import load_lessons
from nnlearn.kernel.events import PeakMemory, RunError, Shapes, Stream

pytestmark = pytest.mark.kernel

MARK = "NNLEARN-TEST-FLOPS "

WRAPPER = """\
import json as _json
from torch import nn as _nn
from torch.utils.flop_counter import FlopCounterMode as _FlopCounterMode

_first_args = {}


def _keep_first(module, args):
    _first_args.setdefault(id(module), (module, args))


_handle = _nn.modules.module.register_module_forward_pre_hook(_keep_first)
try:
    exec(compile(SCRIPT, "<script>", "exec"), globals())
finally:
    _handle.remove()
_totals = {}
for _name, _value in list(globals().items()):
    if isinstance(_value, _nn.Module) and id(_value) in _first_args and not _name.startswith("_"):
        _module, _args = _first_args[id(_value)]
        try:
            with _FlopCounterMode(display=False) as _counter:
                _module(*_args)
        except Exception:  # called with keywords the hook did not see: not compared
            continue
        _totals[_name] = _counter.get_total_flops()
print(MARK + _json.dumps(_totals))
"""


def wrapped(script: str) -> str:
    return f"SCRIPT = {script!r}\nMARK = {MARK!r}\n" + WRAPPER


def direct_totals(events: list) -> dict[str, int]:
    text = "".join(event.text for event in only(events, Stream) if event.name == "stdout")
    [line] = [line for line in text.splitlines() if line.startswith(MARK)]
    return json.loads(line[len(MARK) :])


def compared(events: list) -> dict[str, tuple[int | None, int]]:
    """model name → (nnlearn's FLOPs, FlopCounterMode's), for the models it could replay."""
    assert not only(events, RunError), only(events, RunError)
    reports = only(events, Shapes)
    if not reports:  # a block that calls no module
        return {}
    shapes = reports[-1]  # the Run's final report
    rows = {row.path: row for row in shapes.rows}
    paths = [row.path for row in shapes.rows]
    pairs = {}
    for name, total in direct_totals(events).items():
        # A name given to several models (a loop rebinding ``conv``) is not compared.
        if paths.count(name) == 1:
            cost = rows[name].cost
            assert cost is not None
            pairs[name] = (cost.flops, total)
            if cost.flops is None:
                assert total == 0 and cost.flops_uncounted, name
            else:
                assert cost.flops == total, name
    return pairs


CNN = """\
import torch
from torch import nn

class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))

model = CNN()
loss = model(torch.randn(4, 1, 28, 28)).sum()
loss.backward()
"""

LSTM = """\
import torch
from torch import nn

class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.lstm = nn.LSTM(16, 32, num_layers=2, batch_first=True)
        self.out = nn.Linear(32, 5)

    def forward(self, tokens):
        hidden, _ = self.lstm(self.embed(tokens))
        return self.out(hidden)

model = Tagger()
print(model(torch.randint(0, 50, (3, 7))).shape)
"""

TRANSFORMER = """\
import torch
from torch import nn

layer = nn.TransformerEncoderLayer(32, 4, 64, batch_first=True)
model = nn.TransformerEncoder(layer, num_layers=3, enable_nested_tensor=False)
print(model(torch.randn(2, 10, 32)).shape)
"""


@pytest.mark.parametrize("script", [CNN, LSTM, TRANSFORMER], ids=["cnn", "lstm", "transformer"])
async def test_model_flops_equal_flop_counter_modes_in_the_same_kernel(kernel, script):
    events = await collect(kernel, wrapped(script), device="cpu")
    pairs = compared(events)
    assert "model" in pairs
    if script is not LSTM:
        assert pairs["model"][0] is not None and pairs["model"][0] > 0


async def test_lstm_layer_says_its_ops_have_no_formula(kernel):
    events = await collect(kernel, LSTM, device="cpu")
    rows = {row.path: row for shapes in only(events, Shapes) for row in shapes.rows}
    lstm = rows["model.lstm"].cost
    assert lstm is not None and lstm.flops is None and lstm.flops_uncounted
    out = rows["model.out"].cost
    assert out is not None and out.flops == 2 * 3 * 7 * 32 * 5


async def test_a_run_reports_its_peak_memory_labelled(kernel):
    script = "import torch\nx = torch.ones(20_000_000)\nprint(float(x.sum()))\n"
    events = await collect(kernel, script, device="cpu")
    [memory] = only(events, PeakMemory)
    assert memory.device == "cpu"
    assert memory.measure in ("process_peak_rss", "process_peak_rss_since_start")
    if memory.measure == "process_peak_rss":
        assert memory.baseline_bytes is not None
        assert memory.peak_bytes - memory.baseline_bytes >= 60_000_000


def lesson_scripts() -> list[tuple[str, str]]:
    loaded = load_lessons(bundled_lessons_dir())
    scripts = []
    for lesson in loaded.lessons:
        for step in lesson.steps:
            blocks = [b for b in step.examples if b.raises is None]
            if step.solution is not None:
                blocks.append(step.solution)
            for block in blocks:
                if "nn." in block.code:
                    scripts.append((f"{lesson.id}:{block.line}", block.code))
    return scripts


@pytest.mark.slow
async def test_bundled_lessons_models_flops_equal_flop_counter_modes(kernel):
    compared_models = 0
    for _where, script in lesson_scripts():
        events = await collect(kernel, wrapped(script), device="cpu")
        if only(events, RunError):  # a block that needs the step before it: not compared
            continue
        compared_models += len(compared(events))
    assert compared_models >= 10
