"""Capture loss values without slowing training down, and send them on time.

Every ``.backward()`` on a one-element tensor (what ``backward()`` takes
without a gradient) appends its value to a pending list, and
that is all the training loop pays: on the CPU the number itself (``.item()``
costs no sync there), on a GPU the detached 0-d tensor (so no GPU
synchronisation per step), no clock read. A flusher thread converts whatever
is pending in one batch (one device sync per batch, in that thread) and
publishes it, so the last points of a Run that is still busy after its last
``backward()`` reach the plot without waiting for the Run's end. It flushes
``FIRST_FLUSH_AFTER`` seconds into a Run (the first points show at once), then
every ``FLUSH_INTERVAL`` seconds, the rate the plot is redrawn at. Each
publish costs the loop more than its own half millisecond: the flusher and
the kernel's I/O thread take the GIL from the loop several times a publish,
and measured against a bare kernel ten publishes a second cost 1.4 % more
than four.
The thread lives as long as the kernel and sleeps between Runs.
``nnlearn.track(name, value)`` feeds other series the same way.

The hot path never takes a lock: lists only grow while the Run appends, and
the flush takes the first ``n`` items and deletes exactly those (each a
single operation under the GIL), so a point appended meanwhile waits for the
next batch. Flushes themselves (thread or final) are serialised by a lock.
"""

from __future__ import annotations

import functools
import math
import numbers
import threading
import time
from collections.abc import Callable
from typing import Any

import torch
from torch.overrides import handle_torch_function, has_torch_function_unary

from nnlearn.kernel.events import Event, LossPoints, StepValues
from nnlearn.probe.devices import accelerator_available
from nnlearn.probe.unseen import dispatch_modes, quietly

FIRST_FLUSH_AFTER = 0.1
FLUSH_INTERVAL = 0.25
LOSS_SERIES = "loss"
FLUSHER_THREAD_NAME = "nnlearn-loss-flusher"


class TrackError(TypeError):
    """``nnlearn.track`` got something that is not one number; the message says what to pass."""


def checked_value(name: str, value: Any) -> Any:
    """A value ``track`` can plot later: a real number or a one-element real tensor."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or value.is_complex():
            raise TrackError(
                f"nnlearn.track({name!r}, value): value must be one number, but it is a tensor "
                f"of shape {tuple(value.shape)} ({str(value.dtype).replace('torch.', '')}). "
                "Pass one number, e.g. value.mean() or value[0]."
            )
        return value.detach().reshape(())
    if isinstance(value, numbers.Real):
        return value
    raise TrackError(
        f"nnlearn.track({name!r}, value): value must be a number or a one-element tensor, "
        f"not {type(value).__name__}."
    )


class LossRecorder:
    def __init__(self, publish: Callable[[list[Event]], None]) -> None:
        self._publish = publish
        # A named series' steps and values, in two lists (a tuple per point would count
        # towards the garbage collector's runs: see StepValues).
        self._series: dict[str, tuple[list[int], list[Any]]] = {}
        self._counts: dict[str, int] = {}
        # The hot path, one .backward() per training step, gets a plain list.
        self._losses: list[Any] = []
        self._losses_sent = 0
        self._original_backward: Any = None
        self._original_tensor_backward: Any = None
        self._flush_lock = threading.Lock()
        self._active = False  # a Run is on: flushes may publish (read and set under the lock)
        self._running = threading.Event()  # the flusher sleeps on it between Runs
        self._flusher: _Flusher | None = None
        self._started = 0.0  # when the Run began (time.monotonic)
        self.extra_reports: Callable[[], list[Event]] = list
        self.flush_errors: list[str] = []

    @property
    def flusher(self) -> threading.Thread | None:
        return self._flusher

    @property
    def active(self) -> bool:
        return self._active

    def start(self, *, flush_in_background: bool = True, watcher: Any = None) -> None:
        """Capture the Run's losses; ``watcher.after_backward()`` runs after a backward
        while ``watcher.due`` (the inside views: one wrapper of backward, not two)."""
        self._series = {}
        self._counts = {}
        self._losses = []
        self._losses_sent = 0
        self.flush_errors = []
        self._started = time.monotonic()
        if self._original_backward is None:
            self._original_backward = torch.autograd.backward
            self._original_tensor_backward = torch.Tensor.backward
            tensor_backward, autograd_backward = self._make_backwards(watcher)
            torch.autograd.backward = autograd_backward  # type: ignore[assignment]
            torch.Tensor.backward = tensor_backward  # type: ignore[method-assign]
        with self._flush_lock:
            self._active = True
        if flush_in_background:
            # One thread for the kernel's life: starting and joining one per Run cost
            # about half a millisecond of every Run's latency.
            if self._flusher is None or not self._flusher.is_alive():
                self._flusher = _Flusher(self)
                self._flusher.start()
            self._running.set()

    def stop(self) -> None:
        """End the Run: no flush publishes after this (``reports()`` takes what is left)."""
        if self._original_backward is not None:
            torch.autograd.backward = self._original_backward
            torch.Tensor.backward = self._original_tensor_backward  # type: ignore[method-assign]
            self._original_backward = self._original_tensor_backward = None
        self._running.clear()
        with self._flush_lock:
            self._active = False

    def flush_interval(self) -> float:
        """How long the flusher sleeps now: briefly at a Run's start, then a plot redraw."""
        young = time.monotonic() - self._started < FIRST_FLUSH_AFTER
        return FIRST_FLUSH_AFTER if young else FLUSH_INTERVAL

    def _flush_loop(self) -> None:
        while True:
            self._running.wait()
            time.sleep(self.flush_interval())
            try:
                self.flush()
            except Exception as exc:  # the thread must outlive one bad batch
                self.flush_errors.append(f"{type(exc).__name__}")

    def _make_backwards(self, watcher: Any = None) -> tuple[Any, Any]:
        """``Tensor.backward`` and ``torch.autograd.backward`` that first keep a scalar's
        value (the hot path: one per training step).

        ``loss.backward()`` is ``Tensor.backward``, which calls ``torch.autograd.backward``:
        wrapping only the latter added a Python call to every step. The replacement of
        ``Tensor.backward`` does what torch's does (``__torch_function__`` first, then
        ``torch.autograd.backward``) and keeps the value on the way, so the usual step
        pays no extra frame; the wrapper of ``torch.autograd.backward`` catches the
        function called directly. Each backward is seen once.
        """
        original = self._original_backward
        original_tensor_backward = self._original_tensor_backward
        append = self._losses.append  # the list lives for the whole Run (see the docstring)
        tensor_type = torch.Tensor
        autograd = torch.autograd
        compiling = getattr(torch.compiler, "is_dynamo_compiling", lambda: False)

        # No accelerator: every tensor the Run can make is the CPU's (or meta, which
        # .item() refuses), so the hot path reads the value without asking the device.
        cpu_only = not accelerator_available()

        def keep(tensors: Any) -> None:
            if type(tensors) is tensor_type:
                if dispatch_modes():  # the learner's mode must not see our read
                    if tensors.numel() == 1:
                        append(quietly(_kept, tensors))
                elif cpu_only:
                    # _kept, inlined, and one C call where a test and a read were two:
                    # .item() refuses a tensor of more than one element (not a loss).
                    try:
                        append(tensors.item())
                    except Exception:
                        if tensors.numel() == 1:
                            append(tensors.detach())
                elif tensors.numel() == 1:
                    append(_kept(tensors))
            elif isinstance(tensors, tensor_type) and tensors.numel() == 1:
                append(tensors)  # a subclass: no call its __torch_function__ would see

        @functools.wraps(original)  # a learner's TorchFunctionMode sees its name
        def autograd_backward(tensors: Any, *args: Any, **kwargs: Any) -> Any:
            if compiling():  # see tensor_backward
                return original(tensors, *args, **kwargs)
            if not has_torch_function_unary(tensors):
                # Else torch's own test hands the call to the mode or subclass, which
                # calls this again with (tensor,): the value is kept then, once, unseen.
                one = type(tensors) in (tuple, list) and len(tensors) == 1
                keep(tensors[0] if one else tensors)
            result = original(tensors, *args, **kwargs)
            if watcher is not None and watcher.due:
                watcher.after_backward()
            return result

        @functools.wraps(original_tensor_backward)
        def tensor_backward(
            self: Any,
            gradient: Any = None,
            retain_graph: Any = None,
            create_graph: bool = False,
            inputs: Any = None,
        ) -> None:
            if compiling():
                # torch.compile traces into this function: it must see torch's own (our
                # reading of the value broke its graph, with dynamo's warnings in the
                # learner's output). A compiled step's loss is not kept (README).
                return original_tensor_backward(  # type: ignore[no-any-return]
                    self, gradient, retain_graph, create_graph, inputs
                )
            if has_torch_function_unary(self):
                return handle_torch_function(  # type: ignore[no-any-return]
                    tensor_backward,
                    (self,),
                    self,
                    gradient=gradient,
                    retain_graph=retain_graph,
                    create_graph=create_graph,
                    inputs=inputs,
                )
            if autograd.backward is not autograd_backward:
                # Replaced during the Run: call the replacement, as torch's method would
                # (it may call ours, which keeps the value).
                autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)
                return None
            if cpu_only and type(self) is tensor_type and not dispatch_modes():
                try:  # keep(self), inlined for the usual step
                    append(self.item())
                except Exception:
                    keep(self)
            else:
                keep(self)
            original(self, gradient, retain_graph, create_graph, inputs=inputs)
            if watcher is not None and watcher.due:
                watcher.after_backward()
            return None

        return tensor_backward, autograd_backward

    def steps_taken(self) -> int:
        """How many loss points the Run has so far (the step of the next one)."""
        return self._losses_sent + len(self._losses)

    def add(self, series: str, value: Any, step: int | None) -> None:
        """A point of a named series; raises ``TrackError`` for a value that is not one number."""
        value = checked_value(series, value)
        if step is not None:
            if isinstance(step, bool) or not isinstance(step, numbers.Integral):
                raise TrackError(
                    f"nnlearn.track({series!r}, value, step): step must be a whole number, "
                    f"not {type(step).__name__}."
                )
            step = int(step)
        if series == LOSS_SERIES and step is None:
            self._losses.append(value)
            return
        count = self._counts.get(series, 0)
        self._counts[series] = count + 1
        steps, values = self._series.setdefault(series, ([], []))
        steps.append(count if step is None else step)
        values.append(value)  # after its step: a flush takes as many as there are values

    def reports(self) -> list[LossPoints]:
        """Convert everything pending into ``loss`` reports (one sync per series)."""
        with self._flush_lock:
            return self._take_reports()

    def _take_reports(self) -> list[LossPoints]:
        reports = []
        losses = self._losses
        count = len(losses)
        if count:
            batch = losses[:count]
            del losses[:count]
            first = self._losses_sent
            values = _to_floats(batch)
            self._losses_sent += len(values)
            steps = range(first, first + len(values))
            reports.append(LossPoints(LOSS_SERIES, StepValues(steps, values)))
        for series, (pending_steps, pending_values) in list(self._series.items()):
            count = len(pending_values)
            if count:
                taken_steps = pending_steps[:count]
                del pending_steps[:count]
                values = _to_floats(pending_values[:count])
                del pending_values[:count]
                reports.append(LossPoints(series, StepValues(taken_steps, values)))
        return reports

    def flush(self) -> None:
        """Publish what is pending (with the extra reports, e.g. new shapes), if anything is."""
        with self._flush_lock:
            if not self._active:
                return
            reports = self._take_reports()
            if reports:
                self._publish([*self.extra_reports(), *reports])


class _Flusher(threading.Thread):
    """The loss flusher (a class of its own: the Run's thread check knows it is not theirs)."""

    def __init__(self, recorder: LossRecorder) -> None:
        super().__init__(name=FLUSHER_THREAD_NAME, daemon=True)
        self.recorder = recorder

    def run(self) -> None:
        self.recorder._flush_loop()


def _kept(loss: torch.Tensor) -> Any:
    """What the pending list keeps of a one-element loss: its value on the CPU, else
    the tensor, as a 0-d one (the flusher stacks a batch of them).

    A CPU tensor is read now: that needs no sync, and keeping each step's tensor
    (even detached) pins its memory, which made every later step 5 % slower. On a
    GPU the detached tensor waits for the flusher, which reads a batch at once (no
    sync per step); ``detach()`` lets the step's graph go now, as under python.
    """
    if loss.is_cpu:
        try:
            return loss.item()
        except Exception:  # unreadable: the flush says NaN, training goes on
            return loss.detach()
    kept = loss.detach()
    return kept if kept.dim() == 0 else kept.reshape(())


def _to_floats(values: list[Any]) -> list[float]:
    """Each value as a float, NaN where it is not a finite number.

    The flusher runs this four times a second beside the training loop, which
    waits for the GIL meanwhile: the usual batch (CPU losses, floats already) is
    checked in C passes, not a Python loop per point.
    """
    converted: list[Any]
    if not values:
        return []
    if set(map(type, values)) == {float}:  # CPU losses, read when they were made
        if math.isfinite(sum(values)):  # so is every value (or the sum overflowed)
            return values
        return [v if math.isfinite(v) else math.nan for v in values]
    try:
        # The usual case, 0-d losses on one device: one op and one sync for the batch.
        with torch.no_grad():
            converted = torch.stack(values).float().tolist()
    except (TypeError, RuntimeError):
        converted = [_scalar(v) for v in values]
    # A value that cannot be read is NaN, which LossPoints sends as null.
    return [
        v if isinstance(v, float) and math.isfinite(v) else math.nan
        for v in (_scalar(c) if not isinstance(c, float) else c for c in converted)
    ]


def _scalar(value: Any) -> float | None:
    try:
        return float(value.item() if isinstance(value, torch.Tensor) else value)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        return None
