"""The cost columns of the Shapes table and the depth of the module tree.

FLOPs read as FlopCounterMode counts them (a multiply-add is 2), in SI units
so that ``1.2 M`` and ``3.4 G`` compare at a glance; a module whose ops have no
FLOP formula reads ``?``, never 0. The tree's depth is the number of dots in a
module's path after its model's name (``model`` 0, ``model.fc1`` 1), so
folding to depth N hides deeper rows, whose cost their parent's row already
includes. Pure functions; no terminal, no torch.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from nnlearn.kernel.events import ModuleCost, PeakMemory, ShapeRow
from nnlearn.render.params import format_bytes

UNKNOWN = "?"
NOTHING = "—"
_SI = ("K", "M", "G", "T", "P", "E")


def format_flops(flops: int | None) -> str:
    """``192`` → ``192``, ``31104`` → ``31.1 K``, ``2.5e9`` → ``2.5 G``; None → ``?``."""
    if flops is None:
        return UNKNOWN
    if flops < 1000:
        return f"{flops}"
    value = float(flops)
    for unit in _SI:
        value /= 1000
        if value < 999.95 or unit == _SI[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def trainable_status(params: int, trainable: int) -> str:
    """``trainable``, ``frozen`` or ``partial`` (some of its parameters frozen); empty when none."""
    if params == 0:
        return ""
    if trainable == params:
        return "trainable"
    if trainable == 0:
        return "frozen"
    return "partial"


_STATUS_STYLE = {"trainable": "green", "frozen": "yellow", "partial": "yellow"}


def params_cell(params: int | None, trainable: int | None) -> Text:
    """``41`` (green: all trainable), ``41 frozen`` or ``41 partial`` (yellow); ``—`` for none."""
    if params is None or trainable is None:
        return Text(UNKNOWN)
    if params == 0:
        return Text(NOTHING, style="dim")
    status = trainable_status(params, trainable)
    text = f"{params:,}" if status == "trainable" else f"{params:,} {status}"
    return Text(text, style=_STATUS_STYLE[status])


def flops_cell(cost: ModuleCost | None) -> Text:
    if cost is None:
        return Text(UNKNOWN, style="dim")
    return Text(format_flops(cost.flops), style="dim" if cost.flops is None else "")


def bytes_cell(size: int | None) -> Text:
    return Text(UNKNOWN if size is None else format_bytes(size))


def has_cost(rows: Sequence[ShapeRow]) -> bool:
    """Whether the probe measured cost (an older probe's rows carry none)."""
    return any(row.cost is not None and row.cost.params is not None for row in rows)


def tree_depth(path: str) -> int:
    """How deep a module sits under its model: ``model`` 0, ``model.blocks.0.fc`` 3."""
    return path.count(".")


def max_depth(paths: Sequence[str]) -> int:
    return max((tree_depth(path) for path in paths), default=0)


def folded(paths: Sequence[str], depth: int | None) -> tuple[list[int], set[int]]:
    """Indexes of the paths shown at ``depth`` (None: all), and those that hide deeper ones."""
    if depth is None:
        return list(range(len(paths))), set()
    shown: list[int] = []
    hiding: set[int] = set()
    for index, path in enumerate(paths):
        if tree_depth(path) <= depth:
            shown.append(index)
        elif shown:
            hiding.add(shown[-1])
    return shown, hiding


def uncounted_note(rows: Sequence[ShapeRow]) -> str | None:
    """One line naming the ops FlopCounterMode had no formula for, or None when every op counted."""
    ops = sorted({op for row in rows if row.cost is not None for op in row.cost.flops_uncounted})
    if not ops:
        return None
    shown = ", ".join(ops[:8]) + (f" and {len(ops) - 8} more" if len(ops) > 8 else "")
    return (
        f"FLOPs as PyTorch's FlopCounterMode counts them, without {shown} "
        f"(no formula; {UNKNOWN} where nothing else ran)"
    )


_MEASURES = {
    "cuda_max_allocated": "tensors allocated on {device} (torch.cuda.max_memory_allocated)",
    "process_peak_rss": "resident memory of the kernel process, torch included",
    "process_peak_rss_since_start": (
        "resident memory of the kernel process since it started, torch included"
    ),
}


def peak_memory_line(memory: PeakMemory) -> str:
    """``Peak memory: 1.2 GiB (tensors allocated on cuda:0 …; 300 MiB at the start)``."""
    template = _MEASURES.get(memory.measure, "{measure}")
    what = template.format(device=memory.device, measure=memory.measure)
    start = (
        f"; {format_bytes(memory.baseline_bytes)} at the start"
        if memory.baseline_bytes is not None
        else ""
    )
    return f"Peak memory: {format_bytes(memory.peak_bytes)} ({what}{start})"
