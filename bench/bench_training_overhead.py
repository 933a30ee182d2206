"""How much nnlearn's hooks and loss capture slow down a training loop.

A 10,000-step training loop (3 -> 8 -> 1 MLP, MSE, SGD) runs in a plain
``python`` process and in nnlearn's kernel (shape recording, which replaces
``Module.__call__``, and loss capture on), alternating, several times, and in the kernel again with the
inside views off (``--no-inside``: no gradient, update or activation
sampling), and in the same kernel without nnlearn at all (the loop sent as
a plain execute request: what ipykernel itself costs). Each loop times
itself, so process and kernel start-up are left out. The three kernel runs
of a repeat follow the plain one in a rotating order: the run right after a
``python`` process was measured 5 % slower than the next one, and a fixed
order gave that to one variant. Each repeat starts a kernel of its own
(``--one-kernel``: one for all): a process's memory layout makes all its runs
a few percent faster or slower, and with one kernel for the whole bench that
bias was in every kernel run while each plain run drew a new one
(``kernel_overhead_ratio`` went from 0.979 to 1.033 between benches of 21
repeats; the three kernel variants against each other stayed within 1 %).
Last line: ``training_overhead_ratio X``
with everything on (nnlearn median / plain median; target <= 1.05); before
it ``training_overhead_ratio_no_inside`` (the inside views off) and
``kernel_overhead_ratio`` (the bare kernel). ``--device cuda`` runs the
loops on the GPU (the model and data moved with ``.to(device)``, as lessons do).

    python bench/bench_training_overhead.py [--repeats 7] [--steps 10000] [--device cuda]
                                            [--one-kernel]
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


async def bare_kernel_run(session: KernelSession, code: str) -> float:
    """The loop as a plain execute request: ipykernel without nnlearn's probe."""
    text = ""
    async for msg in session._execute(code):
        if msg["msg_type"] == "stream":
            text += msg["content"].get("text", "")
        elif msg["msg_type"] == "error":
            raise SystemExit(f"the bare kernel run failed: {msg['content'].get('evalue')}")
    return _seconds(text)


async def _kernel_runs(
    session: KernelSession,
    code: str,
    args: argparse.Namespace,
    repeat: int,
    times: dict[str, list[float]],
) -> None:
    """One repeat's three kernel runs, in an order that rotates with the repeat."""
    runs = {
        "nnlearn": lambda: nnlearn_run(session, code, args.steps, args.device),
        "nnlearn --no-inside": lambda: nnlearn_run(
            session, code, args.steps, args.device, inside=False
        ),
        "bare kernel": lambda: bare_kernel_run(session, code),
    }
    order = list(runs)
    shift = repeat % len(order)
    for name in order[shift:] + order[:shift]:
        times[name].append(await runs[name]())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda or cuda:N")
    parser.add_argument(
        "--one-kernel",
        action="store_true",
        help="every repeat in the same kernel (quicker; its layout's bias is in every run)",
    )
    args = parser.parse_args()
    code = LOOP.format(steps=args.steps, device=args.device)
    plain: list[float] = []
    times: dict[str, list[float]] = {"nnlearn": [], "nnlearn --no-inside": [], "bare kernel": []}
    session: KernelSession | None = None
    try:
        for repeat in range(args.repeats):
            plain.append(plain_run(code))
            if session is None or not args.one_kernel:
                if session is not None:
                    await session.shutdown()
                session = KernelSession()
                await session.start()
            await _kernel_runs(session, code, args, repeat, times)
            line = "  ".join(f"{name} {values[-1]:.3f}s" for name, values in times.items())
            print(f"plain {plain[-1]:.3f}s  {line}", flush=True)
    finally:
        if session is not None:
            await session.shutdown()
    print(f"device: {args.device}")
    report("kernel_overhead_ratio", plain, times["bare kernel"])
    report("training_overhead_ratio_no_inside", plain, times["nnlearn --no-inside"])
    report("training_overhead_ratio", plain, times["nnlearn"])


if __name__ == "__main__":
    asyncio.run(main())
