"""The reports of what a Run built: every module's shapes and cost, parameters, peak memory.

Why together: a shapes row carries its module's cost, and both tables of a
huge model come in parts (``first_row``, ``rows_total``) with one encoding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from nnlearn.kernel.events.base import Event
from nnlearn.kernel.events.fields import count_or_none, optional_str, str_field

# A shape is a list of ints for a tensor, or a short string (or None) for
# anything that is not a tensor.
ShapeLike = list[int] | str | None


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
            path=str_field(data["path"]),
            cls=str_field(data["class"]),
            inputs=list(data.get("inputs", [])),
            outputs=list(data.get("outputs", [])),
            dtype=optional_str(data.get("dtype")),
            device=optional_str(data.get("device")),
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
            name=str_field(data["name"]),
            shape=[int(size) for size in data["shape"]],
            numel=int(data["numel"]),
            dtype=str_field(data["dtype"]),
            device=str_field(data["device"]),
            requires_grad=bool(data["requires_grad"]),
            buffer=bool(data["buffer"]),
            bytes=count_or_none(data.get("bytes")),
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
            model=str_field(data["model"]),
            cls=str_field(data["class"]),
            total=int(data["total"]),
            trainable=int(data["trainable"]),
            frozen=int(data["frozen"]),
            buffers=int(data["buffers"]),
            bytes=int(data.get("bytes", 0)),
            rows=tuple(ParamRow.from_json(r) for r in data.get("rows", [])),
            **_part_from_json(data),
        )


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
            flops=count_or_none(data.get("flops")),
            flops_uncounted=tuple(str(op)[:80] for op in ops[:MAX_UNCOUNTED_OPS]),
            output_bytes=count_or_none(data.get("output_bytes")),
            params=count_or_none(data.get("params")),
            trainable=count_or_none(data.get("trainable")),
            param_bytes=count_or_none(data.get("param_bytes")),
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
        peak = count_or_none(data.get("peak_bytes"))
        if peak is None:
            raise ValueError("a memory report without its peak")
        return cls(
            device=str(data.get("device", "?"))[:40],
            measure=str(data.get("measure", "?"))[:40],
            peak_bytes=peak,
            baseline_bytes=count_or_none(data.get("baseline_bytes")),
        )
