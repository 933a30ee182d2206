"""Helpers shared by the benchmarks: medians, interleaving, and the last-line ratio."""

from __future__ import annotations

import statistics
import sys
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
