"""``nnlearn.plot`` from the learner's code, through a real kernel, to events and ``nnlearn run``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from kernel_helpers import collect, only

from nnlearn.kernel.events import PlotPoints, RunError, RunFinished

pytestmark = pytest.mark.kernel

FIT = """\
import torch
import nnlearn
from torch import nn

torch.manual_seed(0)
X = torch.arange(0, 1, 0.25).unsqueeze(1)
y = 0.7 * X + 0.3
model = nn.Linear(1, 1)
nnlearn.plot("data", X, y)
nnlearn.plot("pred", X, model(X))          # a tensor that requires grad
opt = torch.optim.SGD(model.parameters(), lr=0.5)
for _ in range(300):
    loss = nn.functional.mse_loss(model(X), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
nnlearn.plot("pred", X.tolist(), model(X).detach().numpy())   # replaces the first one
print("done")
"""


def latest(events: list) -> dict[str, PlotPoints]:
    return {event.series: event for event in only(events, PlotPoints)}


async def test_plotted_series_arrive_as_events_and_the_last_one_wins(kernel):
    events = await collect(kernel, FIT, device="cpu")
    assert events[-1] == RunFinished(True, "cpu", events[-1].seconds)
    series = latest(events)
    assert list(series) == ["data", "pred"]
    expected = [(x, 0.7 * x + 0.3) for x in (0.0, 0.25, 0.5, 0.75)]
    assert list(series["data"].points) == [pytest.approx(p) for p in expected]
    # The pred series sent last is the trained one: on the data's line.
    trained = series["pred"].points
    assert [p[0] for p in trained] == [0.0, 0.25, 0.5, 0.75]
    assert all(abs(y - (0.7 * x + 0.3)) < 0.01 for x, y in trained)
    first_pred = only(events, PlotPoints)[1]
    assert first_pred.series == "pred" and first_pred.points != trained


async def test_bad_plot_input_is_an_error_on_the_learners_line(kernel):
    code = "import nnlearn\nx = [1, 2, 3]\nnnlearn.plot('data', x, [1, 2])\n"
    events = await collect(kernel, code, device="cpu")
    [error] = only(events, RunError)
    assert error.type == "PlotInputError" and error.line == 3
    assert "x has 3 values but y has 2" in error.message
    assert not only(events, PlotPoints)


async def test_series_do_not_leak_into_the_next_run(kernel):
    names = [f"s{i}" for i in range(8)]
    code = "import nnlearn\n" + "".join(f"nnlearn.plot({n!r}, [0], [1])\n" for n in names)
    await collect(kernel, code, device="cpu")
    events = await collect(kernel, "import nnlearn\nnnlearn.plot('new', [0], [1])\n", device="cpu")
    assert not only(events, RunError), "a new run starts with no series counted"
    assert list(latest(events)) == ["new"]


def test_plot_does_nothing_under_plain_python():
    code = "import sys, nnlearn\nnnlearn.plot('a', [1], [2])\nprint('torch' in sys.modules)\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "False\n"


def test_nnlearn_run_prints_the_scatter_and_json_has_plot_lines(tmp_path):
    path = tmp_path / "fit.py"
    path.write_text(FIT)
    env = {**os.environ, "COLUMNS": "80", "LINES": "24", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "nnlearn", "run", str(path), "--device", "cpu"]
    text = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert text.returncode == 0, text.stderr
    assert "data: 4 points, x 0 … 0.75, y 0.3 … 0.825" in text.stdout
    assert "• data" in text.stdout
    assert all(len(line) <= 80 for line in text.stdout.splitlines())
    lines = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=300)
    kinds = [json.loads(line) for line in lines.stdout.splitlines()]
    plots = [k for k in kinds if k["kind"] == "plot"]
    assert [p["series"] for p in plots] == ["data", "pred", "pred"]
    assert set(plots[0]) == {"kind", "series", "points", "total", "nonfinite"}
    assert plots[0]["total"] == 4 and plots[0]["nonfinite"] == 0
    expected = [[0.0, 0.3], [0.25, 0.475], [0.5, 0.65], [0.75, 0.825]]
    assert plots[0]["points"] == [pytest.approx(p) for p in expected]
