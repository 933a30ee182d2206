"""How long from a restart (F8) to the next Run's output, with and without the spare kernel?

Two sessions, interleaved in one run: one keeps a spare kernel (as the TUI does
by default), one does not. Each round restarts the session and times from the
restart to the output of ``print('RAN')`` run right after it. Before each
restart the spare session's replacement spare is given time to warm, as it has
while a learner reads. Last line: ``restart_ratio X`` (median time with the
spare / median time without; the issue's goal is a Run within 0.3 s of a
restart, printed as ``with spare`` above).

    python bench/bench_restart.py [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from _common import report

from nnlearn.kernel.events import RunFinished, Stream
from nnlearn.kernel.session import KernelSession


async def restart_to_output(session: KernelSession) -> float:
    started = time.perf_counter()
    await session.restart()
    async for event in session.run("print('RAN')\n", device="cpu"):
        if isinstance(event, Stream) and "RAN" in event.text:
            elapsed = time.perf_counter() - started
        if isinstance(event, RunFinished) and not event.ok:
            raise SystemExit("the run after the restart failed")
    return elapsed


async def spare_warm(session: KernelSession) -> None:
    assert session.spare is not None
    while not session.spare.ready:
        await asyncio.sleep(0.05)


async def main_async(runs: int) -> None:
    plain, spared = KernelSession(), KernelSession(spare=True)
    await plain.start()
    await spared.start()
    try:
        without: list[float] = []
        with_spare: list[float] = []
        for run in range(runs):
            without.append(await restart_to_output(plain))
            await spare_warm(spared)
            with_spare.append(await restart_to_output(spared))
            print(
                f"run {run + 1}: restart to output without spare {without[-1]:.3f} s, "
                f"with spare {with_spare[-1]:.3f} s",
                flush=True,
            )
        report("restart_ratio", without, with_spare)
    finally:
        await spared.shutdown()
        await plain.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each (at least 5)")
    args = parser.parse_args()
    asyncio.run(main_async(max(args.runs, 5)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
