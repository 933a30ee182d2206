"""``nnlearn doctor``: what this machine offers, the first thing to run on a new GPU box.

Everything about torch is asked of a real kernel (the UI process never
imports torch), so the timing shown is what the app's first start will cost.
Memory too is asked of the kernel: an attached kernel may run on another
machine, and its RAM and GPUs are the ones the learner's code will use.
"""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import sys
import time
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from nnlearn import __version__
from nnlearn.kernel.events import DeviceMemory, MemoryRow
from nnlearn.kernel.session import KernelError, KernelSession
from nnlearn.render import format_bytes


def _terminal_rows(console: Console) -> list[tuple[str, str]]:
    size = shutil.get_terminal_size((0, 0))
    if not (size.columns and size.lines):  # COLUMNS set, but no terminal to ask the height
        size = os.terminal_size((0, 0))
    colours = console.color_system or "none"
    if os.environ.get("NO_COLOR"):
        colours += " (NO_COLOR is set)"
    rows = [
        ("terminal", f"{size.columns}x{size.lines}" if size.columns else "not a terminal"),
        ("TERM", os.environ.get("TERM", "(unset)")),
        ("colours", colours),
    ]
    if size.columns and (size.columns < 80 or size.lines < 24):
        rows.append(("note", "nnlearn needs at least 80x24; make the window larger"))
    return rows


async def _kernel_rows(connection_file: str | None) -> tuple[list[tuple[str, str]], bool]:
    session = KernelSession(connection_file=connection_file)
    started = time.perf_counter()
    try:
        info = await session.start()
    except KernelError as exc:
        return [("kernel", f"FAILED: {exc}")], False
    finally:
        total = time.perf_counter() - started
    memory_rows = await _memory_rows(session)
    await session.shutdown()
    build = f"CUDA {info.cuda}" if info.cuda else "CPU-only build"
    rows = [
        ("torch", f"{info.torch} ({build})"),
        (
            "kernel start + warm",
            f"{total:.1f} s (torch import and warm-up {info.warm_seconds:.1f} s)",
        ),
    ]
    for device in info.devices:
        memory = f", {format_bytes(device.memory_bytes)}" if device.memory_bytes else ""
        rows.append((f"device {device.name}", f"{device.label}{memory}"))
    rows.extend(memory_rows)
    if not any(d.name.startswith("cuda") for d in info.devices):
        if info.cuda:
            hint = "torch has CUDA but sees no GPU: check nvidia-smi and CUDA_VISIBLE_DEVICES"
        else:
            hint = "no GPU: runs use the CPU (install a CUDA build of torch on a GPU box)"
        rows.append(("GPU", hint))
    return rows, True


MEMORY_CODE = "__import__('nnlearn.probe', fromlist=['report_memory']).report_memory()\n"


async def _memory_rows(session: KernelSession) -> list[tuple[str, str]]:
    memory: DeviceMemory | None = None
    async for event in session.run(MEMORY_CODE, device="cpu"):
        if isinstance(event, DeviceMemory):
            memory = event
    if memory is None:
        return [("memory", "the kernel did not report its memory")]
    return memory_table_rows(memory.rows)


def memory_table_rows(rows: Sequence[MemoryRow]) -> list[tuple[str, str]]:
    """``("memory cpu", "12.0 GiB free of 16.0 GiB")`` for the CPU and each GPU."""
    table = []
    for row in rows:
        name = f"memory {row.device}"
        free, total = row.free, row.total
        if row.error:
            table.append((name, f"cannot be read: {row.error}"))
        elif free is not None and total is not None:
            table.append((name, f"{format_bytes(free)} free of {format_bytes(total)}"))
        elif total is not None:
            table.append((name, f"{format_bytes(total)} (free memory unknown here)"))
        else:
            table.append((name, "unknown on this system"))
    return table


def doctor(connection_file: str | None = None) -> int:
    console = Console(highlight=False)
    table = Table(title=f"nnlearn {__version__} doctor", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    table.add_row("python", f"{platform.python_version()} ({sys.executable})")
    table.add_row("platform", platform.platform())
    console.print("checking the kernel (starts Python and imports torch)…")
    kernel_rows, ok = asyncio.run(_kernel_rows(connection_file))
    for name, value in kernel_rows + _terminal_rows(console):
        table.add_row(name, value)
    console.print(table)
    return 0 if ok else 1
