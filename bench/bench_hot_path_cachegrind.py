"""What the recorders add to a training step, counted by cachegrind instead of timed.

On a 2-core VM the clock wanders by a few percent between processes, more
than the recorders' whole cost, so ``bench_hot_path.py`` can say that they
cost 2-4 % and not much more. Valgrind's cachegrind counts what a step
executes, the same from one run to the next: the instructions and the
first-level cache misses of the 3-8-1 MLP's training step, with torch alone
and with both recorders on (the same loop as ``bench_hot_path.py``, in one
process, the loss flusher paused). Each variant runs twice, for
``--steps`` and for twice as many, and a step's figure is the difference
divided by the extra steps, so Python's and torch's start-up drop out.

The instruction count says little: the recorders' code takes the place of
frames that ``nn.Module.__call__`` would have run. What a step pays for is
code it would not otherwise touch, which evicts the step's own from the
instruction cache; that is the last line, ``hot_path_icache_ratio X``
(instruction-cache misses per step, both recorders over torch alone): two
runs of torch alone gave 34,725 and 34,728 a step. Instructions vary more
(torch's idle BLAS thread spins for a varying time), data-cache misses by a
few percent, printed without a ratio.

    python bench/bench_hot_path_cachegrind.py [--steps 1000]

About 3.5 minutes on 2 cores (the runs go in parallel, one per core). Needs
``valgrind`` on the PATH.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

VARIANTS = ("torch", "both")
COUNTERS = {"instructions": "I   refs", "I1 misses": "I1  misses", "D1 misses": "D1  misses"}


def child(variant: str, steps: int) -> None:
    """The measured process: warm up, then ``steps`` training steps."""
    import _common  # noqa: F401  (puts src/ on sys.path)
    import torch
    from torch import nn

    torch.manual_seed(0)
    torch.set_num_threads(1)
    if variant == "both":
        from nnlearn.probe.loss import LossRecorder
        from nnlearn.probe.shapes import ShapeRecorder

        ShapeRecorder().start()
        LossRecorder(lambda reports: None).start(flush_in_background=False)
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    x = torch.randn(64, 3)
    y = torch.randn(64, 1)
    for _ in range(50 + steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()


def counted(variant: str, steps: int, folder: Path) -> dict[str, int]:
    """cachegrind's totals for one run of ``child``."""
    out = folder / f"{variant}.{steps}.out"
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=yes",
        f"--cachegrind-out-file={out}",
        sys.executable,
        __file__,
        "--child",
        variant,
        str(steps),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-3:]
        raise SystemExit(f"the {variant} run failed:\n" + "\n".join(last))
    totals = {}
    for name, label in COUNTERS.items():
        match = re.search(rf"{re.escape(label)}:\s+([0-9,]+)", done.stderr)
        if match is None:
            raise SystemExit(f"cachegrind printed no {label!r} line for the {variant} run")
        totals[name] = int(match.group(1).replace(",", ""))
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "STEPS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not on the PATH: install it (e.g. apt install valgrind)")
    runs = [(variant, steps) for variant in VARIANTS for steps in (args.steps, 2 * args.steps)]
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        counts = pool.map(lambda run: counted(*run, Path(folder)), runs)
        results = dict(zip(runs, counts, strict=True))
    per_step = {
        variant: {
            name: (results[variant, 2 * args.steps][name] - results[variant, args.steps][name])
            / args.steps
            for name in COUNTERS
        }
        for variant in VARIANTS
    }
    for name in COUNTERS:
        torch_alone, both = per_step["torch"][name], per_step["both"][name]
        print(f"{name} per step: torch {torch_alone:,.0f}, with the recorders {both:,.0f}")
    instructions = per_step["both"]["instructions"] / per_step["torch"]["instructions"]
    print(f"hot_path_instructions_ratio {instructions:.4f}")
    icache = per_step["both"]["I1 misses"] / per_step["torch"]["I1 misses"]
    print(f"hot_path_icache_ratio {icache:.4f}")


if __name__ == "__main__":
    main()
