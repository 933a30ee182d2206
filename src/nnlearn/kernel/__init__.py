"""The client side of the engine: drive a Jupyter kernel, turn probe reports into events.

Never imports torch or Textual.
"""

from nnlearn.kernel.events import (
    CheckResult,
    DeviceInfo,
    Event,
    InsideSample,
    KernelDied,
    KernelInfo,
    KernelRestarted,
    KernelStatus,
    LayerActivity,
    LossPoints,
    ParamFlow,
    ParamRow,
    Params,
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
    "InsideSample",
    "LayerActivity",
    "ParamFlow",
]
