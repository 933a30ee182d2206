"""The one schema of what crosses between the probe and the client, and its JSON form.

Each report is a small frozen dataclass (standard library only, so the probe
inside the kernel builds the very same objects the client reads): the probe
sends ``to_wire()`` of each (``to_json()``, or a compact form for loss points)
inside one display-data message of type ``MIME``, the client turns each back
with ``from_json()``, the TUI routes them to panes, the CLI prints them, and
``to_json()`` gives the documented ``--json`` lines.

The package holds one job per module: ``base`` (``Event``, the registry of
kinds, the display-data wrapping), ``fields`` (checked reading of a field),
``run`` (output, error, check, done), ``reports`` (shapes, cost, parameters,
peak memory), ``training`` (loss, plot, inside) and ``kernel_state`` (status,
death, restart, devices). Everything is imported from here.

A new kind of report is one class, in the module of its job: subclass
``Event``, set ``kind``, write ``to_json()`` (with ``"kind": self.kind``) and
``from_json()``, and import it here. Defining it registers it; nothing else
lists the kinds.
"""

from nnlearn.kernel.events.base import (
    BATCH_KIND,
    MIME,
    Event,
    batch_data,
    event_from_report,
    event_kinds,
    reports_in_data,
    wire_data,
)
from nnlearn.kernel.events.kernel_state import (
    DeviceInfo,
    DeviceMemory,
    KernelDied,
    KernelInfo,
    KernelRestarted,
    KernelStatus,
    MemoryRow,
)
from nnlearn.kernel.events.reports import (
    MAX_UNCOUNTED_OPS,
    ModuleCost,
    ParamRow,
    Params,
    PeakMemory,
    ShapeLike,
    ShapeRow,
    Shapes,
    ShapeSignature,
)
from nnlearn.kernel.events.run import CheckResult, RunError, RunFinished, Stream
from nnlearn.kernel.events.training import (
    INSIDE_FLAGS,
    MAX_PLOT_NAME,
    MAX_PLOT_POINTS,
    InsideSample,
    LayerActivity,
    LossPoints,
    ParamFlow,
    PlotPoints,
    StepValues,
)

__all__ = [
    "BATCH_KIND",
    "INSIDE_FLAGS",
    "MAX_PLOT_NAME",
    "MAX_PLOT_POINTS",
    "MAX_UNCOUNTED_OPS",
    "MIME",
    "CheckResult",
    "DeviceInfo",
    "DeviceMemory",
    "Event",
    "InsideSample",
    "KernelDied",
    "KernelInfo",
    "KernelRestarted",
    "KernelStatus",
    "LayerActivity",
    "LossPoints",
    "MemoryRow",
    "ModuleCost",
    "ParamFlow",
    "ParamRow",
    "Params",
    "PeakMemory",
    "PlotPoints",
    "RunError",
    "RunFinished",
    "ShapeLike",
    "ShapeRow",
    "ShapeSignature",
    "Shapes",
    "StepValues",
    "Stream",
    "batch_data",
    "event_from_report",
    "event_kinds",
    "reports_in_data",
    "wire_data",
]
