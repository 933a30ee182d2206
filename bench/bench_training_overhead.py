"""How much nnlearn's hooks and loss capture slow down a training loop.

A 10,000-step training loop (3 -> 8 -> 1 MLP, MSE, SGD) runs in a plain
``python`` process and in nnlearn's kernel (shape recording, which replaces
``Module.__call__``, and loss capture on), alternating, several times, and in the kernel again with the
inside views off (``--no-inside``: no gradient, update or activation
sampling). Each loop times itself, so process and kernel start-up are left
out. Last line: ``training_overhead_ratio X`` with everything on (nnlearn
median / plain median; target <= 1.05); the line before it,
``training_overhead_ratio_no_inside``, the same without the inside views. ``--device cuda`` runs both
loops on the GPU (the model and data moved with ``.to(device)``, as lessons do).

    python bench/bench_training_overhead.py [--repeats 5] [--steps 10000] [--device cuda]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys

from _common import report

from nnlearn.kernel.events import InsideSample, LossPoints, RunFinished, Stream
from nnlearn.kernel.session import KernelSession

LOOP = """\
import time
import torch
from torch import nn

device = torch.device("{device}")
torch.manual_seed(0)
torch.set_num_threads(1)
model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1)).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
x = torch.randn(64, 3).to(device)
y = torch.randn(64, 1).to(device)
for step in range(50):
    optimizer.zero_grad(); loss_fn(model(x), y).backward(); optimizer.step()
if device.type == "cuda":
    torch.cuda.synchronize(device)
started = time.perf_counter()
for step in range({steps}):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
if device.type == "cuda":
    torch.cuda.synchronize(device)
print("LOOP_SECONDS", time.perf_counter() - started)
"""


def _seconds(text: str) -> float:
    match = re.search(r"LOOP_SECONDS ([0-9.e-]+)", text)
    if match is None:
        raise SystemExit(f"the loop printed no timing:\n{text}")
    return float(match.group(1))


def plain_run(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        last = out.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise SystemExit(f"the plain loop failed: {last[0]}")
    return _seconds(out.stdout)


async def nnlearn_run(
    session: KernelSession, code: str, steps: int, device: str, *, inside: bool = True
) -> float:
    text, points, samples = "", 0, 0
    async for event in session.run(code, device=device, inside=inside):
        if isinstance(event, Stream):
            text += event.text
        elif isinstance(event, LossPoints):
            points += len(event.points)
        elif isinstance(event, InsideSample):
            samples += 1
        elif isinstance(event, RunFinished) and not event.ok:
            raise SystemExit(f"the run failed:\n{text}")
    if points < steps:
        raise SystemExit(f"expected at least {steps} loss points, got {points}")
    if inside and not samples:
        raise SystemExit("the inside views sent no sample")
    return _seconds(text)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda or cuda:N")
    args = parser.parse_args()
    code = LOOP.format(steps=args.steps, device=args.device)
    session = KernelSession()
    await session.start()
    plain, hooked, lean = [], [], []
    try:
        for _ in range(args.repeats):
            plain.append(plain_run(code))
            hooked.append(await nnlearn_run(session, code, args.steps, args.device))
            lean.append(await nnlearn_run(session, code, args.steps, args.device, inside=False))
            print(
                f"plain {plain[-1]:.3f}s  nnlearn {hooked[-1]:.3f}s  "
                f"nnlearn --no-inside {lean[-1]:.3f}s",
                flush=True,
            )
    finally:
        await session.shutdown()
    print(f"device: {args.device}")
    report("training_overhead_ratio_no_inside", plain, lean)
    report("training_overhead_ratio", plain, hooked)


if __name__ == "__main__":
    asyncio.run(main())
