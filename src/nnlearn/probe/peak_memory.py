"""The peak memory of a Run, measured where it can be measured honestly, and labelled.

On a GPU it is what the CUDA caching allocator handed out to tensors
(``torch.cuda.max_memory_allocated``), its peak reset at the Run's start. On
the CPU torch's allocations are not visible to ``tracemalloc`` (they are not
Python objects), so the measure is the kernel process's peak resident memory:
reset at the Run's start where Linux allows it (``/proc/self/clear_refs``),
else the peak since the kernel started (``ru_maxrss``), and said so. Both
include torch itself; the reading at the Run's start is given with it. Reading
a peak never synchronises the device.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from nnlearn.kernel.events import PeakMemory

CUDA = "cuda_max_allocated"
PROCESS_PEAK = "process_peak_rss"
PROCESS_PEAK_SINCE_START = "process_peak_rss_since_start"

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


class PeakMemoryMeter:
    """``start()`` before the learner's code, ``report()`` after it."""

    def __init__(self) -> None:
        self.device: torch.device | None = None
        self.measure = PROCESS_PEAK_SINCE_START
        self.baseline: int | None = None

    def start(self, device: torch.device) -> None:
        self.device = device
        try:
            if device.type == "cuda":
                # A Run that never touches the GPU must not pay for starting CUDA here;
                # CUDA's counters start at zero when the Run starts it.
                self.measure, self.baseline = CUDA, 0
                if torch.cuda.is_initialized():
                    torch.cuda.reset_peak_memory_stats(device)
                    self.baseline = torch.cuda.memory_allocated(device)
            elif _reset_process_peak():
                self.measure, self.baseline = PROCESS_PEAK, _status_bytes("VmRSS")
            else:
                self.measure, self.baseline = PROCESS_PEAK_SINCE_START, _max_rss()
        except Exception:  # a measure is a nicety: never a reason for a Run to fail
            self.device = None

    def report(self) -> list[PeakMemory]:
        """The ``memory`` report, or nothing when no measure could be read."""
        device, self.device = self.device, None
        if device is None:
            return []
        peak: int | None
        try:
            if self.measure == CUDA:
                initialized = torch.cuda.is_initialized()
                peak = torch.cuda.max_memory_allocated(device) if initialized else 0
            elif self.measure == PROCESS_PEAK:
                peak = _status_bytes("VmHWM")
            else:
                peak = _max_rss()
        except Exception:
            return []
        if peak is None:
            return []
        return [PeakMemory(str(device), self.measure, peak, self.baseline)]


def _reset_process_peak() -> bool:
    """Linux: writing 5 to clear_refs resets the peak resident size (VmHWM) to the current one."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return _status_bytes("VmHWM") is not None


def _status_bytes(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _max_rss() -> int | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024
