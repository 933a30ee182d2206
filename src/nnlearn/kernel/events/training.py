"""What a Run reports while it trains: loss points, ``nnlearn.plot`` series, the inside view."""

from __future__ import annotations

import base64
import math
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, overload

from nnlearn.kernel.events.base import Event
from nnlearn.kernel.events.fields import (
    measurement_json,
    measurement_or_none,
    str_field,
)


class StepValues(Sequence[tuple[int, float]]):
    """``(step, value)`` points kept as two sequences, steps (a ``range`` when consecutive)
    and values, that read as a tuple of pairs.

    The kernel builds a batch of a few thousand points four times a second while
    the learner's loop runs. A tuple per point counted towards Python's garbage
    collections: a one-second loop of a small MLP saw a dozen young collections,
    and now and then a full one (69 ms in a kernel holding 118,000 objects, more
    with a bigger program), all on the learner's time. Floats and a ``range``
    count for nothing.
    """

    __slots__ = ("steps", "values")

    def __init__(self, steps: Sequence[int], values: Sequence[float]) -> None:
        if len(steps) != len(values):
            raise ValueError(f"{len(steps)} steps for {len(values)} values")
        self.steps = steps
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, index: int) -> tuple[int, float]: ...
    @overload
    def __getitem__(self, index: slice) -> StepValues: ...
    def __getitem__(self, index: int | slice) -> tuple[int, float] | StepValues:
        if isinstance(index, slice):
            return StepValues(self.steps[index], self.values[index])
        return (self.steps[index], self.values[index])

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return zip(self.steps, self.values, strict=True)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"StepValues({self.steps!r}, {self.values!r})"

    def first_step(self) -> int | None:
        """The first step when the steps are consecutive (``first``, ``first + 1``…), else None."""
        steps = self.steps
        if isinstance(steps, range) and steps.step == 1:
            return steps.start
        if steps and list(steps) == list(range(steps[0], steps[0] + len(steps))):
            return steps[0]
        return None


@dataclass(frozen=True)
class LossPoints(Event):
    """New points of one series (``loss`` or a name given to ``nnlearn.track``).

    A value that is not finite is NaN here and null in JSON (which has no NaN).
    ``points`` is a tuple of pairs, or a ``StepValues`` (what the kernel sends).
    """

    kind: ClassVar[str] = "loss"

    series: str
    points: Sequence[tuple[int, float]]

    def to_json(self) -> dict[str, Any]:
        points = [[step, value if math.isfinite(value) else None] for step, value in self.points]
        return {"kind": self.kind, "series": self.series, "points": points}

    def to_wire(self) -> dict[str, Any]:
        """Consecutive steps as ``first`` and the values as base64 float64s.

        A training loop sends a few thousand points four times a second while
        it runs; as JSON numbers, encoding them (in the kernel, a thread
        that shares the GIL with the loop) and decoding them cost several times
        more than this (0.54 and 0.33 ms against 0.07 and 0.06 ms a thousand).
        """
        points = self.points
        if not points:
            return self.to_json()
        if not isinstance(points, StepValues):  # pairs: split in C passes
            points = StepValues(*zip(*points, strict=True))
        first = points.first_step()
        if first is None:
            return self.to_json()
        values = array("d", points.values)
        return {
            "kind": self.kind,
            "series": self.series,
            "first": first,
            "values_f64": base64.b64encode(values.tobytes()).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LossPoints:
        series = str_field(data["series"])
        if "values_f64" in data:  # to_wire()'s compact form
            values = array("d")
            values.frombytes(base64.b64decode(str_field(data["values_f64"]), validate=True))
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


# Training, seen from inside (issue 11 §3): gradient flow, updates, activations.

INSIDE_FLAGS = ("frozen", "no_grad", "zero_grad", "not_optimized")


@dataclass(frozen=True)
class ParamFlow:
    """One parameter tensor at one sampled training step (a row of an ``InsideSample``).

    ``grad_norm`` is None when its ``.grad`` was None (frozen, detached, unused);
    ``update_ratio`` is the norm of the optimizer step's change over the norm of the
    weight (None when no optimizer stepped it at this sample); ``optimized`` says
    whether an optimizer that stepped during the Run holds it (None: none stepped yet).
    A norm or ratio that is not finite stays NaN or inf here (the training broke) and is
    the string ``"nan"``, ``"inf"`` or ``"-inf"`` in JSON, which has no NaN.
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
            "grad_norm": measurement_json(self.grad_norm),
            "weight_norm": measurement_json(self.weight_norm),
            "update_ratio": measurement_json(self.update_ratio),
            "optimized": self.optimized,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParamFlow:
        optimized = data.get("optimized")
        return cls(
            name=str_field(data["name"]),
            requires_grad=bool(data.get("requires_grad", True)),
            grad_norm=measurement_or_none(data.get("grad_norm")),
            weight_norm=measurement_or_none(data.get("weight_norm")),
            update_ratio=measurement_or_none(data.get("update_ratio")),
            optimized=None if optimized is None else bool(optimized),
        )


@dataclass(frozen=True)
class LayerActivity:
    """The output of one layer (a module without children) at one sampled forward pass.

    ``zeros`` is the fraction of elements exactly 0 (dead ReLUs show as 1.0). A
    number that is not finite is kept, and written as ParamFlow's are.
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
            "mean": measurement_json(self.mean),
            "std": measurement_json(self.std),
            "zeros": measurement_json(self.zeros),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LayerActivity:
        return cls(
            name=str_field(data["name"]),
            cls=str(data.get("class", "")),
            mean=measurement_or_none(data.get("mean")),
            std=measurement_or_none(data.get("std")),
            zeros=measurement_or_none(data.get("zeros")),
        )


@dataclass(frozen=True)
class InsideSample(Event):
    """One sample of training seen from inside, taken at most every 0.2 s (``SAMPLE_INTERVAL``).

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
