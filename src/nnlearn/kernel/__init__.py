"""The client side of the engine: drive a Jupyter kernel, turn probe reports into events.

Never imports torch or Textual.
"""

from nnlearn.kernel.events import (
    CheckResult,
    DeviceInfo,
    DeviceMemory,
    Event,
    KernelDied,
    KernelInfo,
    KernelRestarted,
    KernelStatus,
    LossPoints,
    MemoryRow,
    ModuleCost,
    ParamRow,
    Params,
    PeakMemory,
    PlotPoints,
    RunError,
    RunFinished,
    ShapeRow,
    Shapes,
    Stream,
)

__all__ = [
    "CheckResult",
    "DeviceInfo",
    "Event",
    "KernelDied",
    "KernelInfo",
    "KernelRestarted",
    "KernelStatus",
    "LossPoints",
    "ParamRow",
    "Params",
    "PlotPoints",
    "RunError",
    "RunFinished",
    "ShapeRow",
    "Shapes",
    "Stream",
    "DeviceMemory",
    "MemoryRow",
    "ModuleCost",
    "PeakMemory",
]
