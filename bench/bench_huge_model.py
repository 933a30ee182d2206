"""Does a model with thousands of modules keep ``nnlearn run`` quick?

A script builds a model of N small submodules (blocks of a Linear and a
ReLU) and calls it once. It is run as ``python FILE``, ``nnlearn run FILE
--json`` (every module's row, streamed) and ``nnlearn run FILE`` (the bounded,
grouped text report), each a fresh process, interleaved, for N = 6 (the fixed
cost of a Run: the kernel's start and warm-up), 5,000 and 20,000. Each line
gives the medians and ratios; the last line is
``huge_model_ratio X``: the median ``nnlearn run --json`` over the median
``python`` for 5,000 submodules, the whole process each (the kernel's start
included). Target: 1.5 or less.

    python bench/bench_huge_model.py [--repeats 3] [--sizes 5000 20000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import median

SCRIPT = """\
import sys

import torch
from torch import nn

MODULES = int(sys.argv[1])


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x))


class Big(nn.Module):
    def __init__(self, blocks):
        super().__init__()
        self.blocks = nn.ModuleList(Block() for _ in range(blocks))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


model = Big(MODULES // 3)
print(model(torch.zeros(2, 4)).shape)
"""


def timed(command: list[str]) -> tuple[float, int]:
    """Seconds for the whole process, and the bytes it wrote to stdout."""
    env = {**os.environ, "COLUMNS": "80", "LINES": "24", "NO_COLOR": "1"}
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr.decode(errors='replace')}")
    return seconds, len(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[6, 5000, 20000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "huge_model.py"
        script.write_text(SCRIPT)
        commands = {
            "python": [sys.executable, str(script)],
            "json": [sys.executable, "-m", "nnlearn", "run", str(script), "--json"],
            "text": [sys.executable, "-m", "nnlearn", "run", str(script)],
        }
        timed([*commands["json"], "3"])  # warm the disk cache and .pyc files, untimed
        ratios: dict[int, float] = {}
        for size in args.sizes:
            seconds: dict[str, list[float]] = {name: [] for name in commands}
            written: dict[str, int] = {}
            for _ in range(args.repeats):
                for name, command in commands.items():
                    took, size_out = timed([*command, str(size)])
                    seconds[name].append(took)
                    written[name] = size_out
            python = median(seconds["python"])
            line = [f"{size:,} submodules: python {python:.2f} s"]
            for name in ("json", "text"):
                took = median(seconds[name])
                line.append(
                    f"{name} {took:.2f} s ({took / python:.2f}×, {written[name] / 1e3:,.0f} KB)"
                )
            print(", ".join(line), flush=True)
            ratios[size] = median(seconds["json"]) / python
    first = 5000 if 5000 in ratios else args.sizes[0]
    print(f"huge_model_ratio {ratios[first]:.3f}")


if __name__ == "__main__":
    main()
