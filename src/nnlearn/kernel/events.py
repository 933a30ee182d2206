"""The one schema of what crosses between the probe and the client, and its JSON form.

Each report is a small frozen dataclass (standard library only, so the probe
inside the kernel builds the very same objects the client reads): the probe
sends ``to_wire()`` of each (``to_json()``, or a compact form for loss points)
inside one display-data message of type ``MIME``, the client turns each back
with ``from_json()``, the TUI routes them to panes, the CLI prints them, and
``to_json()`` gives the documented ``--json`` lines.

A new kind of report is one class, anywhere below: subclass ``Event``, set
``kind``, write ``to_json()`` (with ``"kind": self.kind``) and ``from_json()``.
Defining it registers it; nothing else lists the kinds.
"""

from __future__ import annotations

import base64
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

MIME = "application/vnd.nnlearn.v1+json"
BATCH_KIND = "batch"

# A shape is a list of ints for a tensor, or a short string (or None) for
# anything that is not a tensor.
ShapeLike = list[int] | str | None

_BY_KIND: dict[str, type[Event]] = {}


class Event:
    """Base of every report: ``kind`` names it on the wire and in ``--json``.

    ``from_probe`` is False for the events the client makes itself (the kernel's
    status, its death): a report claiming one of those kinds is not believed.
    """

    kind: ClassVar[str] = ""
    from_probe: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            if cls.kind in _BY_KIND:
                raise TypeError(f"two event classes for the kind {cls.kind!r}")
            _BY_KIND[cls.kind] = cls

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_wire(self) -> dict[str, Any]:
        """What the probe sends: ``to_json()``, or a compact form ``from_json()`` reads too."""
        return self.to_json()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        raise NotImplementedError


def event_kinds() -> dict[str, type[Event]]:
    """Every kind of event and its class (for tests and documentation)."""
    return dict(_BY_KIND)


def event_from_report(report: Any) -> Event | None:
    """One probe report (a JSON dict with ``kind``) as its event.

    None for an unknown kind (a newer probe never breaks an older client), for a
    kind only the client makes, and for a report that does not hold together:
    the learner's code can publish display data of our type too.
    """
    if not isinstance(report, dict):
        return None
    event_class = _BY_KIND.get(str(report.get("kind")))
    if event_class is None or not event_class.from_probe:
        return None
    try:
        return event_class.from_json(report)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None


def batch_data(events: Iterable[Event]) -> dict[str, Any]:
    """The display-data ``data`` that carries ``events`` (the probe's one encoding)."""
    return wire_data([event.to_wire() for event in events])


def wire_data(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The display-data ``data`` for reports already in their wire form (``to_wire()``)."""
    return {MIME: {"kind": BATCH_KIND, "reports": reports}}


def reports_in_data(data: Any) -> list[dict[str, Any]]:
    """The reports in a display-data ``data`` dict (none when it is not ours)."""
    payload = data.get(MIME) if isinstance(data, dict) else None
    if not isinstance(payload, dict):
        return []
    if payload.get("kind") == BATCH_KIND:
        reports = payload.get("reports", [])
        return [r for r in reports if isinstance(r, dict)] if isinstance(reports, list) else []
    return [payload]


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _optional_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Stream(Event):
    """Text the learner's code wrote to stdout or stderr."""

    kind: ClassVar[str] = "stream"

    name: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stream:
        return cls(_str(data["name"]), _str(data["text"]))


@dataclass(frozen=True)
class ShapeSignature:
    """One distinct set of input shapes a module was called with, and how often."""

    inputs: list[ShapeLike]
    outputs: list[ShapeLike]
    calls: int
    kwargs: dict[str, list[ShapeLike]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "kwargs": self.kwargs,
            "outputs": self.outputs,
            "calls": self.calls,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ShapeSignature:
        return cls(
            inputs=list(data.get("inputs", [])),
            outputs=list(data.get("outputs", [])),
            calls=int(data.get("calls", 1)),
            kwargs=_kwargs_from_json(data.get("kwargs")),
        )


def _kwargs_from_json(value: Any) -> dict[str, list[ShapeLike]]:
    if not isinstance(value, dict):
        return {}
    return {str(name): list(shapes) for name, shapes in value.items() if isinstance(shapes, list)}


@dataclass(frozen=True)
class ShapeRow:
    """The first call of one module: what went in, what came out.

    ``kwargs`` holds the tensors passed by keyword, by name; ``signatures`` every
    distinct set of input shapes seen (the first ``MAX_SIGNATURES`` of them, first call
    first), each with its count, so their counts may add up to less than ``calls``.

    The cost of the module (``ModuleCost``): the FLOPs of its first call, its
    submodules' included, as ``FlopCounterMode`` counts them, None when only ops
    without a FLOP formula ran, and those ops by name; the bytes of its output
    tensors; its parameters (all, trainable) and the bytes of its parameters and
    buffers, its submodules' included.
    """

    path: str
    cls: str
    inputs: list[ShapeLike]
    outputs: list[ShapeLike]
    dtype: str | None
    device: str | None
    calls: int
    kwargs: dict[str, list[ShapeLike]] = field(default_factory=dict)
    signatures: tuple[ShapeSignature, ...] = ()
    cost: ModuleCost | None = None

    def to_json(self) -> dict[str, Any]:
        cost = self.cost if self.cost is not None else ModuleCost()
        return {
            "path": self.path,
            "class": self.cls,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "dtype": self.dtype,
            "device": self.device,
            "calls": self.calls,
            "kwargs": self.kwargs,
            "signatures": [signature.to_json() for signature in self.signatures],
            **cost.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ShapeRow:
        return cls(
            path=_str(data["path"]),
            cls=_str(data["class"]),
            inputs=list(data.get("inputs", [])),
            outputs=list(data.get("outputs", [])),
            dtype=_optional_str(data.get("dtype")),
            device=_optional_str(data.get("device")),
            calls=int(data.get("calls", 1)),
            kwargs=_kwargs_from_json(data.get("kwargs")),
            signatures=tuple(
                ShapeSignature.from_json(signature)
                for signature in data.get("signatures", [])
                if isinstance(signature, dict)
            ),
            cost=ModuleCost.from_json(data),
        )


@dataclass(frozen=True)
class Shapes(Event):
    """Every module seen during the run, in model order.

    A large report comes in parts (see ``kernel/parts.py``): ``rows`` is then the
    slice that starts at row ``first_row`` of ``rows_total``; None means whole.
    """

    kind: ClassVar[str] = "shapes"

    rows: tuple[ShapeRow, ...]
    first_row: int = 0
    rows_total: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "rows": [r.to_json() for r in self.rows]}
        return data | _part_json(self.first_row, self.rows_total)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Shapes:
        rows = tuple(ShapeRow.from_json(r) for r in data.get("rows", []))
        return cls(rows, **_part_from_json(data))


def _part_json(first_row: int, rows_total: int | None) -> dict[str, int]:
    return {} if rows_total is None else {"first_row": first_row, "rows_total": rows_total}


def _part_from_json(report: dict[str, Any]) -> dict[str, Any]:
    total = report.get("rows_total")
    if not isinstance(total, int) or isinstance(total, bool):
        return {}
    first = report.get("first_row", 0)
    return {"first_row": first if isinstance(first, int) else 0, "rows_total": total}


@dataclass(frozen=True)
class ParamRow:
    """One parameter or buffer of a model; ``bytes`` is its size (None from an older probe)."""

    name: str
    shape: list[int]
    numel: int
    dtype: str
    device: str
    requires_grad: bool
    buffer: bool
    bytes: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "shape": self.shape,
            "numel": self.numel,
            "dtype": self.dtype,
            "device": self.device,
            "requires_grad": self.requires_grad,
            "buffer": self.buffer,
            "bytes": self.bytes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParamRow:
        return cls(
            name=_str(data["name"]),
            shape=[int(size) for size in data["shape"]],
            numel=int(data["numel"]),
            dtype=_str(data["dtype"]),
            device=_str(data["device"]),
            requires_grad=bool(data["requires_grad"]),
            buffer=bool(data["buffer"]),
            bytes=_count_or_none(data.get("bytes")),
        )


@dataclass(frozen=True)
class Params(Event):
    """The parameter table of one top-level model found in the namespace.

    Like ``Shapes``, a large table comes in parts: ``rows`` starts at ``first_row``
    of ``rows_total`` (None: whole); every part carries the totals.
    """

    kind: ClassVar[str] = "params"

    model: str
    cls: str
    total: int
    trainable: int
    frozen: int
    buffers: int
    bytes: int
    rows: tuple[ParamRow, ...]
    first_row: int = 0
    rows_total: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "model": self.model,
            "class": self.cls,
            "total": self.total,
            "trainable": self.trainable,
            "frozen": self.frozen,
            "buffers": self.buffers,
            "bytes": self.bytes,
            "rows": [r.to_json() for r in self.rows],
        } | _part_json(self.first_row, self.rows_total)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Params:
        return cls(
            model=_str(data["model"]),
            cls=_str(data["class"]),
            total=int(data["total"]),
            trainable=int(data["trainable"]),
            frozen=int(data["frozen"]),
            buffers=int(data["buffers"]),
            bytes=int(data.get("bytes", 0)),
            rows=tuple(ParamRow.from_json(r) for r in data.get("rows", [])),
            **_part_from_json(data),
        )


@dataclass(frozen=True)
class LossPoints(Event):
    """New points of one series (``loss`` or a name given to ``nnlearn.track``).

    A value that is not finite is NaN here and null in JSON (which has no NaN).
    """

    kind: ClassVar[str] = "loss"

    series: str
    points: tuple[tuple[int, float], ...]

    def to_json(self) -> dict[str, Any]:
        points = [[step, value if math.isfinite(value) else None] for step, value in self.points]
        return {"kind": self.kind, "series": self.series, "points": points}

    def to_wire(self) -> dict[str, Any]:
        """Consecutive steps as ``first`` and the values as base64 float64s.

        A training loop sends about a thousand points every tenth of a second
        while it runs; as JSON numbers, encoding them (in the kernel, a thread
        that shares the GIL with the loop) and decoding them cost several times
        more than this.
        """
        points = self.points
        if not points:
            return self.to_json()
        first = points[0][0]
        steps = range(first, first + len(points))
        if any(step != expected for (step, _), expected in zip(points, steps, strict=True)):
            return self.to_json()
        values = array("d", [value for _, value in points])
        return {
            "kind": self.kind,
            "series": self.series,
            "first": first,
            "values_f64": base64.b64encode(values.tobytes()).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LossPoints:
        series = _str(data["series"])
        if "values_f64" in data:  # to_wire()'s compact form
            values = array("d")
            values.frombytes(base64.b64decode(_str(data["values_f64"]), validate=True))
            first = data["first"]
            if not isinstance(first, int) or isinstance(first, bool):
                raise TypeError("first must be a whole number")
            return cls(series=series, points=tuple(enumerate(values.tolist(), first)))
        return cls(
            series=series,
            points=tuple(
                (int(s), float("nan") if v is None else float(v)) for s, v in data.get("points", [])
            ),
        )


MAX_PLOT_POINTS = 2000
MAX_PLOT_NAME = 40


@dataclass(frozen=True)
class PlotPoints(Event):
    """The latest points of one ``nnlearn.plot`` series: they replace any earlier ones.

    ``total`` is how many points the code gave; ``points`` holds the finite
    ones, thinned when there were many, and ``nonfinite`` counts those left out.
    """

    kind: ClassVar[str] = "plot"

    series: str
    points: tuple[tuple[float, float], ...]
    total: int
    nonfinite: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "series": self.series,
            "points": [[x, y] for x, y in self.points],
            "total": self.total,
            "nonfinite": self.nonfinite,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlotPoints:
        # The probe sends at most MAX_PLOT_POINTS finite points and a short printable
        # name; anything else on the wire did not come from it and is cut to that.
        points = []
        for point in data.get("points", [])[:MAX_PLOT_POINTS]:
            x, y = float(point[0]), float(point[1])
            if math.isfinite(x) and math.isfinite(y):
                points.append((x, y))
        name = "".join(c for c in str(data["series"]) if c.isprintable())[:MAX_PLOT_NAME]
        return cls(
            series=name,
            points=tuple(points),
            total=int(data.get("total", len(points))),
            nonfinite=int(data.get("nonfinite", 0)),
        )


@dataclass(frozen=True)
class RunError(Event):
    """The learner's code failed: what, where (1-based editor line), and how."""

    kind: ClassVar[str] = "error"

    type: str
    message: str
    line: int | None
    traceback: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "type": self.type,
            "message": self.message,
            "line": self.line,
            "traceback": self.traceback,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunError:
        return cls(
            type=_str(data["type"]),
            message=_str(data.get("message", "")),
            line=_optional_int(data.get("line")),
            traceback=_str(data.get("traceback", "")),
        )


@dataclass(frozen=True)
class CheckResult(Event):
    """The outcome of an exercise's check, run after the learner's code."""

    kind: ClassVar[str] = "check"

    ok: bool
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "ok": self.ok, "message": self.message}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        return cls(ok=bool(data["ok"]), message=_str(data.get("message", "")))


@dataclass(frozen=True)
class RunFinished(Event):
    """The run is over; every other event of the run came before this one.

    ``exit_code`` is the status the script asked for with ``sys.exit(N)``/``exit(N)``
    (N not 0), as ``python`` would end with it; None otherwise.
    """

    kind: ClassVar[str] = "done"

    ok: bool
    device: str | None
    seconds: float
    interrupted: bool = False
    exit_code: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "ok": self.ok,
            "device": self.device,
            "seconds": round(self.seconds, 6),
        }
        if self.interrupted:
            data["interrupted"] = True
        if self.exit_code is not None:
            data["exit_code"] = self.exit_code
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunFinished:
        return cls(
            ok=bool(data["ok"]),
            device=_optional_str(data.get("device")),
            seconds=float(data.get("seconds", 0.0)),
            interrupted=bool(data.get("interrupted", False)),
            exit_code=_optional_int(data.get("exit_code")),
        )


@dataclass(frozen=True)
class KernelStatus(Event):
    """The kernel's life-cycle state changed (for status lines).

    ``state`` is one of: ``starting``, ``warming`` (importing torch),
    ``idle``, ``busy``, ``restarting``, ``dead``, ``stopped``.
    """

    kind: ClassVar[str] = "status"
    from_probe: ClassVar[bool] = False

    state: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "state": self.state, "detail": self.detail}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KernelStatus:
        return cls(_str(data["state"]), _str(data.get("detail", "")))


@dataclass(frozen=True)
class KernelDied(Event):
    """The kernel process went away (os._exit, a segfault, the OOM killer).

    ``reason`` completes "The kernel died: …", e.g. "the process exited with code 1".
    """

    kind: ClassVar[str] = "kernel_died"
    from_probe: ClassVar[bool] = False

    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KernelDied:
        return cls(_str(data["reason"]))


@dataclass(frozen=True)
class KernelRestarted(Event):
    """The kernel was restarted: everything defined in it is gone.

    ``reason`` says why, e.g. "the code did not stop when interrupted".
    """

    kind: ClassVar[str] = "kernel_restarted"
    from_probe: ClassVar[bool] = False

    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KernelRestarted:
        return cls(_str(data["reason"]))


@dataclass(frozen=True)
class DeviceInfo:
    """One device the kernel can run on."""

    name: str
    label: str
    memory_bytes: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "memory_bytes": self.memory_bytes}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceInfo:
        name = _str(data["name"])
        return cls(name, _str(data.get("label", name)), _optional_int(data.get("memory_bytes")))


@dataclass(frozen=True)
class KernelInfo(Event):
    """What the warmed kernel reported about itself (its ``ready`` report)."""

    kind: ClassVar[str] = "ready"

    python: str
    torch: str
    cuda: str | None
    devices: tuple[DeviceInfo, ...]
    warm_seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "python": self.python,
            "torch": self.torch,
            "cuda": self.cuda,
            "devices": [d.to_json() for d in self.devices],
            "warm_seconds": round(self.warm_seconds, 3),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KernelInfo:
        return cls(
            python=_str(data.get("python", "?")),
            torch=_str(data.get("torch", "?")),
            cuda=_optional_str(data.get("cuda")),
            devices=tuple(DeviceInfo.from_json(d) for d in data.get("devices") or []),
            warm_seconds=float(data.get("warm_seconds", 0.0)),
        )


def _count_or_none(value: Any) -> int | None:
    """A count from the wire: a non-negative int, else None (never a guess)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


MAX_UNCOUNTED_OPS = 20


@dataclass(frozen=True)
class ModuleCost:
    """What one module costs: the fields a shapes row carries next to its shapes.

    ``flops`` is None when unknown (only ops without a FLOP formula ran, or the
    module was compiled); ``flops_uncounted`` names the ops ``FlopCounterMode``
    has no formula for that ran in the first call (not counted in ``flops``).
    """

    flops: int | None = None
    flops_uncounted: tuple[str, ...] = ()
    output_bytes: int | None = None
    params: int | None = None
    trainable: int | None = None
    param_bytes: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "flops": self.flops,
            "flops_uncounted": list(self.flops_uncounted),
            "output_bytes": self.output_bytes,
            "params": self.params,
            "trainable": self.trainable,
            "param_bytes": self.param_bytes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModuleCost:
        uncounted = data.get("flops_uncounted")
        ops = uncounted if isinstance(uncounted, list) else []
        return cls(
            flops=_count_or_none(data.get("flops")),
            flops_uncounted=tuple(str(op)[:80] for op in ops[:MAX_UNCOUNTED_OPS]),
            output_bytes=_count_or_none(data.get("output_bytes")),
            params=_count_or_none(data.get("params")),
            trainable=_count_or_none(data.get("trainable")),
            param_bytes=_count_or_none(data.get("param_bytes")),
        )


@dataclass(frozen=True)
class PeakMemory(Event):
    """The peak memory of the Run's device, and what was measured (``measure``).

    ``measure`` is one of ``cuda_max_allocated`` (tensors the CUDA caching
    allocator handed out, reset at the Run's start), ``process_peak_rss`` (the
    kernel process's peak resident memory during the Run, torch itself
    included: Linux) or ``process_peak_rss_since_start`` (the same since the
    kernel started: where it cannot be reset). ``baseline_bytes`` is what that
    measure read at the Run's start.
    """

    kind: ClassVar[str] = "memory"

    device: str
    measure: str
    peak_bytes: int
    baseline_bytes: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "device": self.device,
            "measure": self.measure,
            "peak_bytes": self.peak_bytes,
            "baseline_bytes": self.baseline_bytes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PeakMemory:
        peak = _count_or_none(data.get("peak_bytes"))
        if peak is None:
            raise ValueError("a memory report without its peak")
        return cls(
            device=str(data.get("device", "?"))[:40],
            measure=str(data.get("measure", "?"))[:40],
            peak_bytes=peak,
            baseline_bytes=_count_or_none(data.get("baseline_bytes")),
        )


@dataclass(frozen=True)
class MemoryRow:
    """Free and total bytes of one device (None where it cannot be known), or why not."""

    device: str
    free: int | None = None
    total: int | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"device": self.device, "free": self.free, "total": self.total}
        if self.error is not None:
            data["error"] = self.error
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MemoryRow:
        return cls(
            device=_str(data["device"]),
            free=_optional_int(data.get("free")),
            total=_optional_int(data.get("total")),
            error=_optional_str(data.get("error")),
        )


@dataclass(frozen=True)
class DeviceMemory(Event):
    """The memory of the CPU and of every GPU the kernel sees (for ``nnlearn doctor``)."""

    kind: ClassVar[str] = "device_memory"

    rows: tuple[MemoryRow, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "rows": [row.to_json() for row in self.rows]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceMemory:
        return cls(tuple(MemoryRow.from_json(row) for row in data.get("rows", [])))


# Training, seen from inside (issue 11 §3): gradient flow, updates, activations.

INSIDE_FLAGS = ("frozen", "no_grad", "zero_grad", "not_optimized")


@dataclass(frozen=True)
class ParamFlow:
    """One parameter tensor at one sampled training step (a row of an ``InsideSample``).

    ``grad_norm`` is None when its ``.grad`` was None (frozen, detached, unused);
    ``update_ratio`` is the norm of the optimizer step's change over the norm of the
    weight (None when no optimizer stepped it at this sample); ``optimized`` says
    whether an optimizer that stepped during the Run holds it (None: none stepped yet).
    """

    name: str
    requires_grad: bool
    grad_norm: float | None
    weight_norm: float | None
    update_ratio: float | None = None
    optimized: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "requires_grad": self.requires_grad,
            "grad_norm": _finite_or_none(self.grad_norm),
            "weight_norm": _finite_or_none(self.weight_norm),
            "update_ratio": _finite_or_none(self.update_ratio),
            "optimized": self.optimized,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParamFlow:
        optimized = data.get("optimized")
        return cls(
            name=_str(data["name"]),
            requires_grad=bool(data.get("requires_grad", True)),
            grad_norm=_float_or_none(data.get("grad_norm")),
            weight_norm=_float_or_none(data.get("weight_norm")),
            update_ratio=_float_or_none(data.get("update_ratio")),
            optimized=None if optimized is None else bool(optimized),
        )


@dataclass(frozen=True)
class LayerActivity:
    """The output of one layer (a module without children) at one sampled forward pass.

    ``zeros`` is the fraction of elements exactly 0 (dead ReLUs show as 1.0).
    """

    name: str
    cls: str
    mean: float | None
    std: float | None
    zeros: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "class": self.cls,
            "mean": _finite_or_none(self.mean),
            "std": _finite_or_none(self.std),
            "zeros": _finite_or_none(self.zeros),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LayerActivity:
        return cls(
            name=_str(data["name"]),
            cls=str(data.get("class", "")),
            mean=_float_or_none(data.get("mean")),
            std=_float_or_none(data.get("std")),
            zeros=_float_or_none(data.get("zeros")),
        )


@dataclass(frozen=True)
class InsideSample(Event):
    """One sample of training seen from inside, taken at most once per flush (0.1 s).

    ``step`` is the loss series' step of the ``.backward()`` it was taken after.
    A sample holds the gradients and updates of that step (``params``), the
    activations of the next forward pass (``layers``), or both.
    """

    kind: ClassVar[str] = "inside"

    step: int
    params: tuple[ParamFlow, ...] = ()
    layers: tuple[LayerActivity, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "step": self.step,
            "params": [p.to_json() for p in self.params],
            "layers": [layer.to_json() for layer in self.layers],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InsideSample:
        step = data.get("step", 0)
        if isinstance(step, bool) or not isinstance(step, int):
            raise TypeError(f"an inside sample's step must be an int, got {type(step).__name__}")
        return cls(
            step=step,
            params=tuple(
                ParamFlow.from_json(p) for p in data.get("params", []) if isinstance(p, dict)
            ),
            layers=tuple(
                LayerActivity.from_json(layer)
                for layer in data.get("layers", [])
                if isinstance(layer, dict)
            ),
        )


def _float_or_none(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
