"""Record what goes into and comes out of every module call.

The first call of each module is described in full; every later call only
bumps a counter. This wraps ``nn.Module.__call__`` for the duration of a Run
instead of registering a global forward hook: any global hook sends every
module call down torch's slow hook-dispatch path, which measured 5-7 % of a
small training loop, while the wrapper costs one dict lookup per call. Like
a hook, it sees ``model(x)`` and not ``model.forward(x)``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

_MAX_ENTRIES = 8

# Record layout, a list for cheap in-place counting: [module, class, inputs, outputs,
# dtype, device, calls, call order]
_CALLS = 6


def describe(value: Any, out: list[Any], depth: int = 0) -> None:
    """Append one shape per tensor in ``value``; a short word for anything else."""
    if len(out) >= _MAX_ENTRIES:
        if out[-1] != "…":
            out.append("…")
        return
    if isinstance(value, torch.Tensor):
        out.append(list(value.shape))
    elif value is None:
        out.append(None)
    elif isinstance(value, (tuple, list)) and depth < 3:
        for item in value:
            describe(item, out, depth + 1)
    elif isinstance(value, dict) and depth < 3:
        for item in value.values():
            describe(item, out, depth + 1)
    else:
        out.append(type(value).__name__)


def _first_tensor(*values: Any) -> torch.Tensor | None:
    for value in values:
        if isinstance(value, torch.Tensor):
            return value
        if isinstance(value, (tuple, list)):
            found = _first_tensor(*value)
            if found is not None:
                return found
        if isinstance(value, dict):
            found = _first_tensor(*value.values())
            if found is not None:
                return found
    return None


class ShapeRecorder:
    """Owns the global forward hook for one run."""

    def __init__(self) -> None:
        self.records: dict[int, list[Any]] = {}
        self._original_call: Any = None
        self.new_since_flush = False

    def start(self) -> None:
        self.records.clear()
        self.new_since_flush = False
        if self._original_call is not None:
            return
        original = self._original_call = nn.Module.__call__
        records = self.records
        record_first_call = self._record_first_call

        def recording_call(module: Any, *args: Any, **kwargs: Any) -> Any:
            record = records.get(id(module))
            if record is not None:
                record[_CALLS] += 1
                return original(module, *args, **kwargs)
            output = original(module, *args, **kwargs)
            record_first_call(module, args, output)
            return output

        nn.Module.__call__ = recording_call  # type: ignore[method-assign]

    def stop(self) -> None:
        if self._original_call is not None:
            nn.Module.__call__ = self._original_call  # type: ignore[method-assign]
            self._original_call = None

    def _record_first_call(self, module: Any, args: Any, output: Any) -> None:
        inputs: list[Any] = []
        outputs: list[Any] = []
        try:
            describe(args, inputs)
            describe(output, outputs)
            sample = _first_tensor(output, args)
            dtype = str(sample.dtype).replace("torch.", "") if sample is not None else None
            device = str(sample.device) if sample is not None else None
        except Exception:  # a hook must never break the learner's forward pass
            inputs, outputs, dtype, device = ["?"], ["?"], None, None
        self.records[id(module)] = [
            module,
            type(module).__name__,
            inputs,
            outputs,
            dtype,
            device,
            1,
            len(self.records),
        ]
        self.new_since_flush = True

    def report(self, paths: dict[int, tuple[int, str]]) -> dict[str, Any]:
        """The shapes report; ``paths`` maps id(module) to (model order, path)."""
        rows = []
        unnamed_order = len(paths) + 1
        for key, record in self.records.items():
            order, path = paths.get(key, (unnamed_order + record[7], f"({record[1]})"))
            rows.append(
                (
                    order,
                    {
                        "path": path,
                        "class": record[1],
                        "inputs": record[2],
                        "outputs": record[3],
                        "dtype": record[4],
                        "device": record[5],
                        "calls": record[_CALLS],
                    },
                )
            )
        rows.sort(key=lambda item: item[0])
        self.new_since_flush = False
        return {"kind": "shapes", "rows": [row for _, row in rows]}

    def clear(self) -> None:
        self.records.clear()
