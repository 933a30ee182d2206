"""What each part of the probe's per-step recording costs a small training loop.

``bench_training_overhead.py`` measures the whole of it in the kernel, where
the kernel's own cost, the loss flusher's publishing and the machine's noise
(a few percent on a 2-core VM) all come in. This one looks at the two things
every training step pays, in one process and without a kernel: the
replacement of ``nn.Module.__call__`` (``ShapeRecorder``: per module call, a
shape compare and a counter) and the loss capture (``LossRecorder``: per
``backward()``, the loss read), each alone and both together, against the same
loop with neither. Each variant runs in turn in every repeat (rotating the
order), and the figure is the median step (robust to the machine's stalls).

    python bench/bench_hot_path.py [--repeats 21] [--steps 5000]

Last line: ``hot_path_ratio X`` (both recorders over neither); before it one
ratio per recorder alone.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import _common  # noqa: F401  (puts src/ on sys.path)
import torch
from torch import nn

from nnlearn.probe.loss import LossRecorder
from nnlearn.probe.shapes import ShapeRecorder

VARIANTS = ("torch", "shapes", "loss", "both")


def _training_loop() -> Callable[[int], float]:
    """A 3-8-1 MLP's training loop, timed per step: its median step in seconds."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    x = torch.randn(64, 3)
    y = torch.randn(64, 1)
    clock = time.perf_counter

    def median_step(steps: int) -> float:
        stamps = [0.0] * (steps + 1)
        for step in range(steps):
            stamps[step] = clock()
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        stamps[steps] = clock()
        return statistics.median(stamps[i + 1] - stamps[i] for i in range(steps))

    return median_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--steps", type=int, default=5000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    median_step = _training_loop()
    shapes = ShapeRecorder()
    loss = LossRecorder(lambda reports: None)
    steps: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for repeat in range(args.repeats):
        shift = repeat % len(VARIANTS)
        for name in VARIANTS[shift:] + VARIANTS[:shift]:
            if name in ("shapes", "both"):
                shapes.start()
            if name in ("loss", "both"):
                loss.start(flush_in_background=False)
            try:
                median_step(50)  # the recorders' first calls, and a warm loop
                steps[name].append(median_step(args.steps))
            finally:
                shapes.stop()
                loss.stop()
                shapes.clear()
                loss.reports()  # drops the points kept
    reference = statistics.median(steps["torch"])
    print(f"torch alone: median step {reference * 1e6:.2f} us over {args.repeats} repeats")
    for name, label in (("shapes", "shapes_ratio"), ("loss", "loss_ratio"), ("both", None)):
        step = statistics.median(steps[name])
        print(f"{name}: median step {step * 1e6:.2f} us")
        if label is not None:
            print(f"{label} {step / reference:.3f}")
    print(f"hot_path_ratio {statistics.median(steps['both']) / reference:.3f}")


if __name__ == "__main__":
    main()
