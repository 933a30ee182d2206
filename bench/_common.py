"""Helpers shared by the benchmarks: medians, interleaving, and the last-line ratio."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

MLP_SCRIPT = """\
import torch
from torch import nn

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 8)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))

model = MLP()
x = torch.randn(4, 3)
print(model(x).shape)
"""


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(name: str, reference: list[float], measured: list[float], unit: str = "s") -> float:
    ref, got = median(reference), median(measured)
    print(f"reference median: {ref:.6f} {unit} over {len(reference)} runs")
    print(f"nnlearn   median: {got:.6f} {unit} over {len(measured)} runs")
    ratio = got / ref
    print(f"{name} {ratio:.3f}")
    return ratio


def interleave(
    runs: int,
    reference: tuple[str, Callable[[], float]],
    measured: tuple[str, Callable[[], float]],
) -> tuple[list[float], list[float]]:
    """Time ``reference`` and ``measured`` alternately, after one untimed call of each.

    The untimed calls warm the file cache and .pyc files, so every timed one is a new
    process in the same conditions; alternating keeps a load change from favouring one.
    """
    (ref_name, ref_once), (got_name, got_once) = reference, measured
    ref_once()
    got_once()
    ref_times: list[float] = []
    got_times: list[float] = []
    for run in range(runs):
        ref_times.append(ref_once())
        got_times.append(got_once())
        print(
            f"run {run + 1}: {ref_name} {ref_times[-1]:.3f} s, {got_name} {got_times[-1]:.3f} s",
            flush=True,
        )
    return ref_times, got_times
