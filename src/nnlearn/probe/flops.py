"""Count the FLOPs of each module's first call with PyTorch's own ``FlopCounterMode``.

Why this shape: counting sends every op through a Python dispatch mode, which
is slow, so a count is open only while a module is in its first call; the
training loop's later calls never see it. The first call of a module opens a
counter when none is open (a model's first forward); first calls nested in it
read the same counter. A module's FLOPs are the growth of the counter's global
total during its own first call, so they include its children's, and the row
of a top-level model holds exactly what ``FlopCounterMode`` gives around
``model(x)``; no formula of ours is involved.

``FlopCounterMode`` counts only the ops it has a formula for (matrix products,
convolutions, attention) and silently skips the rest. Those are collected by
name (views left out: they compute nothing), so a ReLU reads "no formula for
relu" instead of 0. Views and factories (``zeros``) are left out of that list:
they compute nothing.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Any

import torch
from torch.utils import flop_counter
from torch.utils.flop_counter import FlopCounterMode


def _dispatch_mode_without_dynamo() -> Any:
    """torch's dispatch mode of ``FlopCounterMode``, minus its ``torch._dynamo`` guard.

    torch wraps a dispatch mode's ``__torch_dispatch__`` so that ``torch.compile``
    does not trace into it, and the wrapper imports ``torch._dynamo`` on its first
    call: a second on a small machine, paid by the first model call of every
    ``nnlearn run``. Our counts never run under a compile (compiled modules are
    not counted), so this subclass calls the unwrapped method. None where torch's
    internals differ: then the counter is torch's own, import and all.
    """
    base = getattr(flop_counter, "_FlopCounterMode", None)
    dispatch = getattr(base, "__dict__", {}).get("__torch_dispatch__")
    raw = getattr(dispatch, "__wrapped__", None)
    if base is None or raw is None:
        return None

    class _CountingMode(base):  # type: ignore[misc, valid-type]
        @classmethod
        def _should_skip_dynamo(cls) -> bool:
            return False

        __torch_dispatch__ = raw

    return _CountingMode


_COUNTING_MODE = _dispatch_mode_without_dynamo()


class _NamingCounter(FlopCounterMode):
    """A ``FlopCounterMode`` that also names the ops it has no formula for."""

    def __init__(self) -> None:
        super().__init__(display=False)
        self.uncounted: list[str] = []
        self.counted_ops = 0
        if hasattr(self, "mod_tracker"):
            self.mod_tracker = _GlobalOnly()  # type: ignore[assignment]

    def __enter__(self) -> _NamingCounter:
        if _COUNTING_MODE is None or not hasattr(self, "mod_tracker"):
            return super().__enter__()  # type: ignore[no-any-return]
        # FlopCounterMode.__enter__, with the dispatch mode above.
        self.flop_counts.clear()
        self.mod_tracker.__enter__()
        self.mode = _COUNTING_MODE(self)
        self.mode.__enter__()
        return self

    def _count_flops(self, func_packet: Any, out: Any, args: Any, kwargs: Any) -> Any:
        if func_packet in self.flop_registry:
            self.counted_ops += 1
        elif not _is_view(func_packet) and _takes_tensor(args):
            self.uncounted.append(_op_name(func_packet))
        return super()._count_flops(func_packet, out, args, kwargs)


class _GlobalOnly:
    """Stands in for ``FlopCounterMode``'s module tracker: every count goes to "Global".

    The per-module split is not needed (a module's count is the growth of the
    global total during its call), and the tracker's global module hooks would
    send each first call down torch's slow hook path, a few frames more per
    level: a model nested a few hundred deep would hit ``RecursionError`` on its
    first call, where plain Python runs it.
    """

    parents = frozenset({"Global"})

    def __enter__(self) -> _GlobalOnly:
        return self

    def __exit__(self, *args: object) -> None:
        return None


_VIEWS: dict[Any, bool] = {}


def _is_view(func_packet: Any) -> bool:
    """A view (``transpose``, ``select``) moves no data and computes nothing."""
    known = _VIEWS.get(func_packet)
    if known is None:
        try:
            known = any(getattr(func_packet, name).is_view for name in func_packet.overloads())
        except Exception:
            known = False
        _VIEWS[func_packet] = known
    return known


def _takes_tensor(args: Any) -> bool:
    """A factory (``zeros``, ``empty``) computes nothing on the module's data."""
    return any(isinstance(arg, torch.Tensor) for arg in args)


def _op_name(func_packet: Any) -> str:
    name = str(getattr(func_packet, "__name__", func_packet))
    return name.removeprefix("aten.")


@dataclass
class FlopsMark:
    """Where the counter stood when a first call began."""

    opened: bool
    total: int
    counted_ops: int
    uncounted_from: int


@dataclass(frozen=True)
class CallFlops:
    """The FLOPs of one call; ``flops`` is None when only ops without a formula ran."""

    flops: int | None
    uncounted: list[str]


class FlopTracker:
    """The counter shared by the first calls nested in one another (one thread: the Run's)."""

    def __init__(self) -> None:
        self._counter: _NamingCounter | None = None
        self._thread = 0

    def begin(self) -> FlopsMark | None:
        """Mark the start of a first call, opening a counter when none is open.

        A dispatch mode counts in its own thread only: a first call in another
        thread while a count is open is not counted (None), rather than given
        what the other thread's ops did meanwhile.
        """
        opened = False
        counter = self._counter
        if counter is not None and self._thread != threading.get_ident():
            return None
        if counter is None:
            try:
                counter = _NamingCounter()
                counter.__enter__()
            except Exception:  # counting must never break the learner's forward pass
                return None
            self._counter = counter
            self._thread = threading.get_ident()
            opened = True
        return FlopsMark(
            opened, counter.get_total_flops(), counter.counted_ops, len(counter.uncounted)
        )

    def end(self, mark: FlopsMark) -> CallFlops:
        """The FLOPs since ``mark``; closes the counter that ``mark`` opened."""
        counter = self._counter
        if counter is None:
            return CallFlops(None, [])
        flops = counter.get_total_flops() - mark.total
        counted = counter.counted_ops - mark.counted_ops
        uncounted = sorted(set(counter.uncounted[mark.uncounted_from :]))
        if mark.opened:
            self._close()
        if counted == 0 and uncounted:
            return CallFlops(None, uncounted)
        return CallFlops(flops, uncounted)

    def abandon(self, mark: FlopsMark | None) -> None:
        """The first call raised: close the counter if it opened it."""
        if mark is not None and mark.opened:
            self._close()

    def close(self) -> None:
        """The Run is over: no counter outlives it."""
        self._close()

    def _close(self) -> None:
        counter, self._counter = self._counter, None
        if counter is not None:
            # The learner's code may have left the mode stack in disorder.
            with contextlib.suppress(Exception):
                counter.__exit__(None, None, None)


def warm() -> None:
    """Count one tiny call, so the first Run does not pay for the counter's imports."""
    counter = _NamingCounter()
    with counter:
        torch.nn.functional.relu(torch.ones(2, 2) @ torch.ones(2, 2))
