"""How long a Run takes, end to end, compared with a bare Jupyter round trip.

Two kernels run the same 3 -> 8 -> 1 MLP script, interleaved: one driven by
nnlearn (fresh namespace, shapes, parameters, device, the full report until
``done``), one driven by plain jupyter_client (``execute`` until the kernel is
idle again, no nnlearn). Last line: ``run_latency_ratio X`` (median nnlearn
time / median bare time; target <= 1.5).

    python bench/bench_run_latency.py [--runs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from _common import MLP_SCRIPT, report
from jupyter_client.manager import AsyncKernelManager

from nnlearn.kernel.events import Params, RunFinished, Shapes
from nnlearn.kernel.session import KernelSession


class BareKernel:
    """The reference: ipykernel + jupyter_client and nothing else."""

    async def start(self) -> None:
        self.km = AsyncKernelManager(transport="ipc" if sys.platform != "win32" else "tcp")
        await self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=120)
        await self.execute("import torch")

    async def execute(self, code: str) -> None:
        msg_id = self.kc.execute(code, store_history=False)
        while True:
            msg = await self.kc.get_iopub_msg(timeout=120)
            if (
                msg["parent_header"].get("msg_id") == msg_id
                and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"
            ):
                return

    async def stop(self) -> None:
        self.kc.stop_channels()
        await self.km.shutdown_kernel(now=True)


async def nnlearn_run(session: KernelSession) -> None:
    saw_shapes = saw_params = False
    async for event in session.run(MLP_SCRIPT, device="cpu"):
        saw_shapes |= isinstance(event, Shapes)
        saw_params |= isinstance(event, Params) and event.total == 41
        if isinstance(event, RunFinished) and not event.ok:
            raise SystemExit("the MLP run failed")
    if not (saw_shapes and saw_params):
        raise SystemExit("the run's report was incomplete")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    bare, session = BareKernel(), KernelSession()
    await asyncio.gather(bare.start(), session.start())
    for _ in range(3):  # warm both paths the same way
        await bare.execute(MLP_SCRIPT)
        await nnlearn_run(session)
    reference, measured = [], []
    try:
        for _ in range(args.runs):
            started = time.perf_counter()
            await bare.execute(MLP_SCRIPT)
            reference.append(time.perf_counter() - started)
            started = time.perf_counter()
            await nnlearn_run(session)
            measured.append(time.perf_counter() - started)
    finally:
        await asyncio.gather(bare.stop(), session.shutdown())
    report("run_latency_ratio", reference, measured)


if __name__ == "__main__":
    asyncio.run(main())
