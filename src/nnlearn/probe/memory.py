"""Running out of memory, told plainly, and device memory given back after each Run.

Runs inside the kernel (imports torch). torch's own out-of-memory text is a
wall of allocator statistics; the learner needs three things from it: what
the step asked for, what was free, and what to do next. The message is built
by a pure function (``out_of_memory_message``) so it can be tested without a
GPU. After a Run on a GPU the memory torch keeps cached for the next
allocation is released, as it would be when ``python FILE`` exits: the kernel
stays usable after an out-of-memory error and other processes on a shared GPU
box get the memory back.
"""

from __future__ import annotations

import contextlib
import gc
import re
from pathlib import Path

import torch

from nnlearn.kernel.events import DeviceMemory, MemoryRow

_OUT_OF_MEMORY = getattr(torch, "OutOfMemoryError", torch.cuda.OutOfMemoryError)
_CPU_ALLOCATOR_FAILED = "can't allocate memory"
_UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
_TRIED_TO_ALLOCATE = re.compile(r"[Tt]ried to allocate ([0-9.]+) ?(B|KiB|MiB|GiB|TiB)\b")
_TRIED_BYTES = re.compile(r"you tried to allocate ([0-9]+) bytes")


def is_out_of_memory(exc: BaseException) -> bool:
    """A CUDA (or MPS) out-of-memory error, or the CPU allocator refusing a tensor."""
    if isinstance(exc, (_OUT_OF_MEMORY, MemoryError)):
        return True
    return isinstance(exc, RuntimeError) and _CPU_ALLOCATOR_FAILED in _text(exc)


def requested_bytes(message: str) -> int | None:
    """How much the failing allocation asked for, read from torch's message."""
    match = _TRIED_TO_ALLOCATE.search(message)
    if match is not None:
        return int(float(match.group(1)) * _UNITS[match.group(2)])
    match = _TRIED_BYTES.search(message)
    return int(match.group(1)) if match is not None else None


def format_size(size: int) -> str:
    """Powers of 1024 (``512 B``, ``1.5 GiB``), as torch and nvidia-smi count."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB"):
        value /= 1024
        if value < 1024 or unit == "PiB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def out_of_memory_message(
    device: str,
    requested: int | None,
    free: int | None,
    total: int | None,
    held_by_run: int | None,
) -> str:
    """What was asked, what was free, and the way out; ``None`` for what is unknown."""
    where = "the CPU's memory (RAM)" if device == "cpu" else f"the memory of {device}"
    parts = [f"Out of memory: {where} is full."]
    asked = f"This step asked for {format_size(requested)}" if requested is not None else ""
    if free is not None and total is not None:
        available = f"{format_size(free)} of {format_size(total)} was free"
        parts.append(f"{asked} and only {available}." if asked else f"{available}.")
    elif asked:
        parts.append(f"{asked}.")
    if held_by_run:
        parts.append(f"Tensors of this Run held {format_size(held_by_run)} of it.")
    if device != "cpu":
        parts.append("nnlearn has released the memory this Run kept cached: you can Run again.")
    way_out = (
        "To fit: use a smaller batch or a smaller model, delete tensors you no longer need "
        "(del x), and compute what needs no gradients under torch.no_grad()"
    )
    if device != "cpu":
        way_out += ", or choose the CPU, which usually has more memory"
    parts.append(way_out + ".")
    return " ".join(parts)


def out_of_memory_report(exc: BaseException, device: torch.device) -> str:
    """``out_of_memory_message`` for an error raised on ``device``, with figures asked of it."""
    requested = requested_bytes(_text(exc))
    free, total, held = _memory_figures(device)
    return out_of_memory_message(str(device), requested, free, total, held)


def release_cached_memory(device: torch.device) -> None:
    """Give the memory a finished Run cached on a GPU back to the driver.

    Never raises: after a device-side error the GPU may refuse even this, and the
    Run's report must still go out.
    """
    if device.type not in ("cuda", "mps"):
        return
    gc.collect()  # tensors kept alive only by reference cycles (a traceback's frames)
    with contextlib.suppress(Exception):
        if device.type == "cuda":
            torch.cuda.empty_cache()
        else:
            torch.mps.empty_cache()


def _memory_figures(device: torch.device) -> tuple[int | None, int | None, int | None]:
    """(free, total, allocated by torch) in bytes; None where the device cannot say."""
    try:
        if device.type == "cuda":
            gpu_free, gpu_total = torch.cuda.mem_get_info(device)
            return int(gpu_free), int(gpu_total), int(torch.cuda.memory_allocated(device))
        if device.type == "cpu":
            return (*cpu_memory(), None)
    except Exception:  # figures are a courtesy: never lose the error report for them
        pass
    return None, None, None


def cpu_memory(meminfo: Path = Path("/proc/meminfo")) -> tuple[int | None, int | None]:
    """(available, total) bytes of RAM from ``/proc/meminfo``; (None, None) elsewhere."""
    try:
        text = meminfo.read_text()
    except OSError:
        return None, None
    fields = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        amount = rest.split()
        if amount and amount[0].isdigit():
            fields[name.strip()] = int(amount[0]) * 1024
    return fields.get("MemAvailable"), fields.get("MemTotal")


def _text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return ""


def device_memory() -> DeviceMemory:
    """Free and total memory of the CPU and of every GPU, for ``nnlearn doctor``."""
    free, total = cpu_memory()
    rows = [MemoryRow("cpu", free, total)]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            try:
                gpu_free, gpu_total = torch.cuda.mem_get_info(index)
                rows.append(MemoryRow(f"cuda:{index}", gpu_free, gpu_total))
            except RuntimeError as exc:  # a GPU in a bad state: say so, keep the others
                rows.append(MemoryRow(f"cuda:{index}", error=str(exc).splitlines()[0]))
    return DeviceMemory(tuple(rows))
