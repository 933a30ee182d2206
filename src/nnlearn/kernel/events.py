"""Typed events a run produces, and their stable JSON form.

The probe inside the kernel sends plain JSON reports; the client turns each
into one of these small frozen dataclasses. The TUI routes them to panes, the
CLI prints them, and ``to_json()`` gives the documented ``--json`` lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

# A shape is a list of ints for a tensor, or a short string (or None) for
# anything that is not a tensor.
ShapeLike = list[int] | str | None


@dataclass(frozen=True)
class Stream:
    """Text the learner's code wrote to stdout or stderr."""

    name: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": "stream", "name": self.name, "text": self.text}


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

    def to_json(self) -> dict[str, Any]:
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
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ShapeRow:
        return cls(
            path=data["path"],
            cls=data["class"],
            inputs=list(data.get("inputs", [])),
            outputs=list(data.get("outputs", [])),
            dtype=data.get("dtype"),
            device=data.get("device"),
            calls=int(data.get("calls", 1)),
            kwargs=_kwargs_from_json(data.get("kwargs")),
            signatures=tuple(
                ShapeSignature.from_json(signature)
                for signature in data.get("signatures", [])
                if isinstance(signature, dict)
            ),
        )


@dataclass(frozen=True)
class Shapes:
    """Every module seen during the run, in model order.

    A large report comes in parts (see ``kernel/parts.py``): ``rows`` is then the
    slice that starts at row ``first_row`` of ``rows_total``; None means whole.
    """

    rows: tuple[ShapeRow, ...]
    first_row: int = 0
    rows_total: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": "shapes", "rows": [r.to_json() for r in self.rows]}
        return data | _part_json(self.first_row, self.rows_total)


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
    """One parameter or buffer of a model."""

    name: str
    shape: list[int]
    numel: int
    dtype: str
    device: str
    requires_grad: bool
    buffer: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "shape": self.shape,
            "numel": self.numel,
            "dtype": self.dtype,
            "device": self.device,
            "requires_grad": self.requires_grad,
            "buffer": self.buffer,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParamRow:
        return cls(
            name=data["name"],
            shape=list(data["shape"]),
            numel=int(data["numel"]),
            dtype=data["dtype"],
            device=data["device"],
            requires_grad=bool(data["requires_grad"]),
            buffer=bool(data["buffer"]),
        )


@dataclass(frozen=True)
class Params:
    """The parameter table of one top-level model found in the namespace.

    Like ``Shapes``, a large table comes in parts: ``rows`` starts at ``first_row``
    of ``rows_total`` (None: whole); every part carries the totals.
    """

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
            "kind": "params",
            "model": self.model,
            "class": self.cls,
            "total": self.total,
            "trainable": self.trainable,
            "frozen": self.frozen,
            "buffers": self.buffers,
            "bytes": self.bytes,
            "rows": [r.to_json() for r in self.rows],
        } | _part_json(self.first_row, self.rows_total)


@dataclass(frozen=True)
class LossPoints:
    """New points of one series (``loss`` or a name given to ``nnlearn.track``)."""

    series: str
    points: tuple[tuple[int, float], ...]

    def to_json(self) -> dict[str, Any]:
        points = [[step, value if math.isfinite(value) else None] for step, value in self.points]
        return {"kind": "loss", "series": self.series, "points": points}


MAX_PLOT_POINTS = 2000
MAX_PLOT_NAME = 40


@dataclass(frozen=True)
class PlotPoints:
    """The latest points of one ``nnlearn.plot`` series: they replace any earlier ones.

    ``total`` is how many points the code gave; ``points`` holds the finite
    ones, thinned when there were many, and ``nonfinite`` counts those left out.
    """

    series: str
    points: tuple[tuple[float, float], ...]
    total: int
    nonfinite: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "plot",
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
class RunError:
    """The learner's code failed: what, where (1-based editor line), and how."""

    type: str
    message: str
    line: int | None
    traceback: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "error",
            "type": self.type,
            "message": self.message,
            "line": self.line,
            "traceback": self.traceback,
        }


@dataclass(frozen=True)
class CheckResult:
    """The outcome of an exercise's check, run after the learner's code."""

    ok: bool
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": "check", "ok": self.ok, "message": self.message}


@dataclass(frozen=True)
class RunFinished:
    """The run is over; every other event of the run came before this one.

    ``exit_code`` is the status the script asked for with ``sys.exit(N)``/``exit(N)``
    (N not 0), as ``python`` would end with it; None otherwise.
    """

    ok: bool
    device: str | None
    seconds: float
    interrupted: bool = False
    exit_code: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": "done",
            "ok": self.ok,
            "device": self.device,
            "seconds": round(self.seconds, 6),
        }
        if self.interrupted:
            data["interrupted"] = True
        if self.exit_code is not None:
            data["exit_code"] = self.exit_code
        return data


@dataclass(frozen=True)
class KernelStatus:
    """The kernel's life-cycle state changed (for status lines).

    ``state`` is one of: ``starting``, ``warming`` (importing torch),
    ``idle``, ``busy``, ``restarting``, ``dead``, ``stopped``.
    """

    state: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": "status", "state": self.state, "detail": self.detail}


@dataclass(frozen=True)
class KernelDied:
    """The kernel process went away (os._exit, a segfault, the OOM killer).

    ``reason`` completes "The kernel died: …", e.g. "the process exited with code 1".
    """

    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": "kernel_died", "reason": self.reason}


@dataclass(frozen=True)
class KernelRestarted:
    """The kernel was restarted: everything defined in it is gone.

    ``reason`` says why, e.g. "the code did not stop when interrupted".
    """

    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": "kernel_restarted", "reason": self.reason}


@dataclass(frozen=True)
class DeviceInfo:
    """One device the kernel can run on."""

    name: str
    label: str
    memory_bytes: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "memory_bytes": self.memory_bytes}


@dataclass(frozen=True)
class KernelInfo:
    """What the warmed kernel reported about itself."""

    python: str
    torch: str
    cuda: str | None
    devices: tuple[DeviceInfo, ...]
    warm_seconds: float

    @property
    def device_names(self) -> list[str]:
        return [d.name for d in self.devices]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "ready",
            "python": self.python,
            "torch": self.torch,
            "cuda": self.cuda,
            "devices": [d.to_json() for d in self.devices],
            "warm_seconds": round(self.warm_seconds, 3),
        }


Event = (
    Stream
    | Shapes
    | Params
    | LossPoints
    | PlotPoints
    | RunError
    | CheckResult
    | RunFinished
    | KernelStatus
    | KernelDied
    | KernelRestarted
)


def event_from_report(report: dict[str, Any]) -> Event | None:
    """Turn one probe report (a JSON dict with ``kind``) into its event.

    Unknown kinds give None so that a newer probe never breaks an older client.
    """
    kind = report.get("kind")
    if kind == "shapes":
        rows = tuple(ShapeRow.from_json(r) for r in report.get("rows", []))
        return Shapes(rows, **_part_from_json(report))
    if kind == "params":
        return Params(
            model=report["model"],
            cls=report["class"],
            total=int(report["total"]),
            trainable=int(report["trainable"]),
            frozen=int(report["frozen"]),
            buffers=int(report["buffers"]),
            bytes=int(report.get("bytes", 0)),
            rows=tuple(ParamRow.from_json(r) for r in report.get("rows", [])),
            **_part_from_json(report),
        )
    if kind == "loss":
        return LossPoints(
            series=report["series"],
            points=tuple(
                (int(s), float("nan") if v is None else float(v))
                for s, v in report.get("points", [])
            ),
        )
    if kind == "plot":
        return PlotPoints.from_json(report)
    if kind == "error":
        return RunError(
            type=report["type"],
            message=report.get("message", ""),
            line=report.get("line"),
            traceback=report.get("traceback", ""),
        )
    if kind == "check":
        return CheckResult(ok=bool(report["ok"]), message=report.get("message", ""))
    if kind == "done":
        return RunFinished(
            ok=bool(report["ok"]),
            device=report.get("device"),
            seconds=float(report.get("seconds", 0.0)),
            interrupted=bool(report.get("interrupted", False)),
            exit_code=_exit_code(report.get("exit_code")),
        )
    if kind == "stream":
        return Stream(report["name"], report["text"])
    return None


def _exit_code(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def kernel_info_from_report(report: dict[str, Any]) -> KernelInfo:
    return KernelInfo(
        python=report.get("python", "?"),
        torch=report.get("torch", "?"),
        cuda=report.get("cuda"),
        devices=tuple(
            DeviceInfo(d["name"], d.get("label", d["name"]), d.get("memory_bytes"))
            for d in report.get("devices", [])
        ),
        warm_seconds=float(report.get("warm_seconds", 0.0)),
    )
