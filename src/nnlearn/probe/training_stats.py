"""Training, seen from inside: gradient flow, update sizes and activations, sampled.

What the learner gets: per parameter tensor the norm of its gradient and the
size of the optimizer's update against the weight's, and per layer (a module
without children) the mean, standard deviation and fraction of exact zeros of
its output. A parameter whose gradient never arrives is visible as such.

The budget (the training loop is sacred):

* Nothing is measured on most steps. The loss flusher asks for a sample when it
  flushes (0.1 s into a Run, then every 0.25 s, and only while loss points flow),
  at most every ``SAMPLE_INTERVAL``; the next ``.backward()`` then takes it. Until then a
  step pays one attribute test after its backward (in the loss recorder's
  ``Tensor.backward``, ``loss.py``, when the probe runs both). The optimizer
  hooks that measure updates are registered only while a sample is open, and a
  new optimizer is noticed when it is made (``Optimizer.__init__``), not at
  each of its steps. Measured on a 3-8-1 MLP: samples every 0.1 s and hooks on
  every step cost about 4 % of the loop.
* A sample is a handful of tensor ops on the device (``torch._foreach_norm`` over
  all gradients, a copy of the weights around one ``optimizer.step()``, forward
  hooks on the layers for one forward pass that remove themselves). On a GPU it
  is never read on the training thread: the flusher converts whole samples in
  one batch (one device sync), as it does for loss points. On the CPU a sample
  is read when it closes (no sync there), which spares the flusher three torch
  ops that each traded the GIL with the training loop.
* The time a sample took on the training thread sets when the next may be
  taken (at most ``COST_SHARE`` of the Run), so a huge model is sampled less
  often instead of slowing down.

A sample is opened by a ``.backward()`` (gradients), filled by the following
``optimizer.step()`` (updates) and forward pass (activations), and closed by
the next ``.backward()``; only closed samples are sent.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.optim.optimizer import (
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
)

from nnlearn.kernel.events import InsideSample, LayerActivity, ParamFlow
from nnlearn.probe.loss import _to_floats
from nnlearn.probe.unseen import quietly

MAX_PARAMS = 256
MAX_LAYERS = 128
COST_SHARE = 0.01
# Seconds between samples at most: under the flusher's 0.25 s, so each of its flushes may
# ask for one (a sample is taken a little after the flush that asked).
SAMPLE_INTERVAL = 0.2

ModelsFn = Callable[[], list[tuple[str, nn.Module]]]


@dataclass
class _Sample:
    step: int
    names: list[str]
    params: list[torch.Tensor]
    requires_grad: list[bool]
    grad_norms: list[torch.Tensor | None]
    weight_norms: list[torch.Tensor | None]
    update_norms: dict[int, torch.Tensor] = field(default_factory=dict)  # index -> norm
    layers: list[tuple[str, str, list[torch.Tensor]]] = field(default_factory=list)
    stepped: set[int] = field(default_factory=set)  # ids of optimizers already measured
    floats: list[float] | None = None  # the measures read, in _measures' order (CPU: at close)


class InsideRecorder:
    """Samples gradient norms, update/weight ratios and activation statistics during a Run."""

    def __init__(self, models: ModelsFn, steps: Callable[[], int]) -> None:
        self._models = models
        self._steps = steps
        self.enabled = False
        self.due = False  # read on every backward: something to do at the next one
        self._requested = False
        self._next_allowed = 0.0
        self._open: _Sample | None = None
        self._ready: list[_Sample] = []
        self._before: dict[int, list[torch.Tensor]] = {}  # optimizer id -> weights before
        # ids of the parameters held by any optimizer seen stepping in this Run (None: none)
        self._optimized: set[int] | None = None
        self._hooks: list[Any] = []
        self._handles: list[Any] = []
        self._last_sampled = -1  # the step of the last sample
        self._stepping: dict[int, Any] = {}  # optimizers seen stepping in this Run, by id
        self._original_backward: Any = None
        self._installed_backward: Any = None
        self._original_init: Any = None
        self.errors = 0

    # ---------------------------------------------------------------- life cycle

    def start(self, enabled: bool = True, *, wrap_backward: bool = True) -> None:
        """Watch the Run; ``wrap_backward=False`` when the caller calls ``after_backward``."""
        self.enabled = enabled
        self.due = False
        self._requested = False
        self._next_allowed = 0.0
        self._open = None
        self._ready = []
        self._before = {}
        self._optimized = None
        self._stepping = {}
        self._last_sampled = -1
        self.errors = 0
        if not enabled:
            return
        if wrap_backward:
            self._original_backward = torch.autograd.backward
            self._installed_backward = self._make_backward()
            torch.autograd.backward = self._installed_backward  # type: ignore[assignment]
        self._watch_new_optimizers()
        self._request_now()  # the first backward of the Run is sampled

    def stop(self) -> None:
        """Unhook everything; the open sample is closed (``reports`` sends it).

        A Run that trained on after its last sample gets one more, of the gradients
        its last ``.backward()`` left (a short Run would otherwise show only its start).
        """
        if self.enabled and self._steps() > self._last_sampled:
            try:
                self._close()
                quietly(functools.partial(self._sample, watch_layers=False))
            except Exception:
                self.errors += 1
                self._open = None
        if self._installed_backward is not None:
            if torch.autograd.backward is self._installed_backward:
                torch.autograd.backward = self._original_backward
            self._installed_backward = None
            self._original_backward = None
        if self._original_init is not None:
            torch.optim.Optimizer.__init__ = self._original_init  # type: ignore[method-assign]
            self._original_init = None
        self._remove_optimizer_hooks()
        self._remove_layer_hooks()
        self._close()
        self._before = {}
        self._stepping = {}
        self.due = False
        self.enabled = False

    def request(self) -> None:
        """Ask for a sample at the next backward (the flusher calls this when it wakes)."""
        if self.enabled and time.perf_counter() >= self._next_allowed:
            self._request_now()

    def _request_now(self) -> None:
        self._requested = True
        self.due = True

    def _watch_new_optimizers(self) -> None:
        """Sample the training a new optimizer starts (a second model may train for 0.1 s)."""
        original = self._original_init = torch.optim.Optimizer.__init__
        recorder = self

        @functools.wraps(original)
        def __init__(optimizer: Any, *args: Any, **kwargs: Any) -> None:
            original(optimizer, *args, **kwargs)
            if recorder.enabled:
                recorder._request_now()

        torch.optim.Optimizer.__init__ = __init__  # type: ignore[method-assign,assignment]

    def _add_optimizer_hooks(self) -> None:
        if not self._handles:
            # Hooks of ours run among the learner's ops: no mode of theirs may see them.
            self._handles = [
                register_optimizer_step_pre_hook(functools.partial(quietly, self._before_step)),
                register_optimizer_step_post_hook(functools.partial(quietly, self._after_step)),
            ]

    def _remove_optimizer_hooks(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    # ---------------------------------------------------------------- the training thread

    def _make_backward(self) -> Callable[..., Any]:
        original = self._original_backward

        def backward(tensors: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(tensors, *args, **kwargs)
            if self.due:
                self.after_backward()
            return result

        return backward

    def after_backward(self) -> None:
        """A ``.backward()`` has finished while ``due``: close the open sample, take one."""
        started = time.perf_counter()
        try:
            self._close()
            if self._requested:
                self._requested = False
                quietly(self._sample)  # a sample's ops are not the learner's: unseen.py
        except Exception:  # the learner's training must never fail because of us
            self.errors += 1
            self._open = None
        finally:
            self.due = self._open is not None or self._requested
            self._spent(time.perf_counter() - started)

    def _spent(self, seconds: float) -> None:
        self._next_allowed = max(self._next_allowed, time.perf_counter() + seconds / COST_SHARE)

    def _sampled(self) -> None:
        self._next_allowed = max(self._next_allowed, time.perf_counter() + SAMPLE_INTERVAL)

    def _close(self) -> None:
        self._remove_layer_hooks()
        self._remove_optimizer_hooks()
        self._before = {}
        if self._open is not None:
            quietly(_read_on_cpu, self._open)
            self._ready.append(self._open)
            self._open = None

    def _sample(self, *, watch_layers: bool = True) -> None:
        # Only models in training (one of their parameters has a .grad): a model that is
        # not trained yet, or a frozen teacher, is not "a layer that gets no gradient".
        training = [
            (name, model)
            for name, model in self._models()
            if any(p.grad is not None for p in model.parameters())
        ]
        named, leaves = self._named(training)
        if not named and not leaves:
            return
        params = [p for _, p in named]
        with torch.no_grad():
            grads = [p.grad for p in params]
            present = [g for g in grads if g is not None]
            norms = iter(_norms(present))
            grad_norms = [None if g is None else next(norms) for g in grads]
            weight_norms: list[torch.Tensor | None] = list(_norms([p.detach() for p in params]))
        self._last_sampled = step = self._steps()
        self._sampled()
        self._add_optimizer_hooks()
        self._open = _Sample(
            step=step,
            names=[name for name, _ in named],
            params=params,
            requires_grad=[p.requires_grad for p in params],
            grad_norms=grad_norms,
            weight_norms=weight_norms,
        )
        for name, module in leaves if watch_layers else []:
            handle: list[Any] = []
            hook = functools.partial(quietly, self._layer_hook(name, module, handle))
            handle.append(module.register_forward_hook(hook))
            self._hooks.append(handle[0])

    def _named(
        self, models: list[tuple[str, nn.Module]]
    ) -> tuple[list[tuple[str, torch.Tensor]], list[tuple[str, nn.Module]]]:
        named: list[tuple[str, torch.Tensor]] = []
        leaves: list[tuple[str, nn.Module]] = []
        seen: set[int] = set()
        for model_name, model in models:
            for sub_name, module in model.named_modules():
                if id(module) in seen:
                    continue
                seen.add(id(module))
                path = f"{model_name}.{sub_name}" if sub_name else model_name
                if len(leaves) < MAX_LAYERS and not module._modules:
                    leaves.append((path, module))
                for param_name, param in module.named_parameters(recurse=False):
                    if id(param) not in seen and len(named) < MAX_PARAMS:
                        seen.add(id(param))
                        named.append((f"{path}.{param_name}", param))
        return named, leaves

    def _layer_hook(self, name: str, module: nn.Module, handle: list[Any]) -> Callable[..., None]:
        """A hook that measures one output and removes itself (the layer's first call)."""
        cls = type(module).__name__

        def hook(_module: Any, _args: Any, output: Any) -> None:
            started = time.perf_counter()
            sample = self._open
            handle[0].remove()  # torch iterates over a copy of the hooks: safe here
            try:
                tensor = _first_tensor(output)
                if sample is None or tensor is None or not tensor.is_floating_point():
                    return
                with torch.no_grad():
                    values = tensor.detach()
                    if values.numel() == 0:
                        return
                    wide = values.float()
                    std = wide.std() if values.numel() > 1 else torch.zeros((), device=wide.device)
                    zeros = (values == 0).sum() / values.numel()
                    sample.layers.append((name, cls, [wide.mean(), std, zeros]))
            except Exception:
                self.errors += 1
            finally:
                self._spent(time.perf_counter() - started)

        return hook

    def _remove_layer_hooks(self) -> None:
        for handle in self._hooks:
            handle.remove()
        self._hooks = []

    def _before_step(self, optimizer: Any, _args: Any, _kwargs: Any) -> None:
        if id(optimizer) not in self._stepping:  # once per optimizer: who holds what
            self._note_optimizer(optimizer)
        sample = self._open
        if sample is None or id(optimizer) in sample.stepped:
            return
        started = time.perf_counter()
        try:
            held = {id(p) for group in optimizer.param_groups for p in group["params"]}
            self._optimized = (self._optimized or set()) | held  # param groups added since
            indices = [i for i, p in enumerate(sample.params) if id(p) in held]
            with torch.no_grad():
                self._before[id(optimizer)] = [sample.params[i].detach().clone() for i in indices]
        except Exception:
            self.errors += 1
        finally:
            self._spent(time.perf_counter() - started)

    def _note_optimizer(self, optimizer: Any) -> None:
        """A new optimizer: note what it holds, and sample the training it starts."""
        self._stepping[id(optimizer)] = optimizer  # held until stop: its id stays its own
        # A second model trained after the first may be done within 0.1 s: without
        # this, it would be seen only at the end of the Run, with no activations.
        self._requested = True
        self.due = True
        try:
            held = {id(p) for group in optimizer.param_groups for p in group["params"]}
        except Exception:
            self.errors += 1
            return
        self._optimized = (self._optimized or set()) | held

    def _after_step(self, optimizer: Any, _args: Any, _kwargs: Any) -> None:
        sample = self._open
        before = self._before.pop(id(optimizer), None)
        if sample is None or before is None:
            return
        started = time.perf_counter()
        try:
            sample.stepped.add(id(optimizer))
            held = {id(p) for group in optimizer.param_groups for p in group["params"]}
            indices = [i for i, p in enumerate(sample.params) if id(p) in held]
            if len(indices) == len(before):
                with torch.no_grad():
                    after = [sample.params[i].detach() for i in indices]
                    diffs = [a - b for a, b in zip(after, before, strict=True)]
                    for i, norm in zip(indices, _norms(diffs), strict=True):
                        sample.update_norms[i] = norm
        except Exception:
            self.errors += 1
        finally:
            self._spent(time.perf_counter() - started)

    # ---------------------------------------------------------------- the flusher thread

    def reports(self, *, final: bool = False) -> list[InsideSample]:
        """Closed samples as ``inside`` reports (values read at close, or here in one batch).

        ``final`` is the end of the Run (after ``stop``); otherwise this is the
        flusher, which also asks for the next sample.
        """
        if not final:
            self.request()
        ready = self._ready
        count = len(ready)
        if not count:
            return []
        taken = ready[:count]
        del ready[:count]
        pending = [sample for sample in taken if sample.floats is None]
        tensors = [tensor for sample in pending for tensor in _measures(sample)]
        converted = iter(_to_floats(tensors) if tensors else [])
        return [
            _report(
                sample, converted if sample.floats is None else iter(sample.floats), self._optimized
            )
            for sample in taken
        ]


def _measures(sample: _Sample) -> list[Any]:
    """A sample's 0-d tensors, in the order ``_report`` reads their values."""
    tensors: list[Any] = [n for n in sample.grad_norms if n is not None]
    tensors.extend(n for n in sample.weight_norms if n is not None)
    tensors.extend(sample.update_norms.values())
    for _, _, stats in sample.layers:
        tensors.extend(stats)
    return tensors


def _read_on_cpu(sample: _Sample) -> None:
    """Read a closed sample's values now, on the training thread, when that needs no sync.

    The flusher would read them with three torch ops, and each hands the GIL back
    to the training loop and takes it again: a stall of the loop each time.
    """
    try:
        tensors = _measures(sample)
        if all(tensor.is_cpu for tensor in tensors):
            sample.floats = _to_floats(tensors)
    except Exception:  # left to the flusher, which reads what it can
        sample.floats = None


def _report(sample: _Sample, values: Any, optimized: set[int] | None) -> InsideSample:
    """One ``inside`` report; ``optimized`` holds the ids of parameters some optimizer holds."""
    grads = [None if n is None else next(values) for n in sample.grad_norms]
    weights = [None if n is None else next(values) for n in sample.weight_norms]
    updates = {i: next(values) for i in sample.update_norms}
    params: list[ParamFlow] = []
    for i, name in enumerate(sample.names):
        update, weight = updates.get(i), weights[i]
        ratio = None
        if update is not None and weight is not None:
            ratio = update / weight if weight > 0 else None
        params.append(
            ParamFlow(
                name=name,
                requires_grad=sample.requires_grad[i],
                grad_norm=grads[i],
                weight_norm=weight,
                update_ratio=ratio,
                optimized=None if optimized is None else id(sample.params[i]) in optimized,
            )
        )
    layers: list[LayerActivity] = []
    for name, cls, stats in sample.layers:
        mean, std, zeros = (next(values) for _ in stats)
        layers.append(LayerActivity(name=name, cls=cls, mean=mean, std=std, zeros=zeros))
    return InsideSample(step=sample.step, params=tuple(params), layers=tuple(layers))


def _norms(tensors: list[torch.Tensor]) -> list[torch.Tensor]:
    """The 2-norm of each tensor, as 0-d tensors on their devices (no sync)."""
    if not tensors:
        return []
    try:
        return list(torch._foreach_norm(tensors))
    except (RuntimeError, TypeError, NotImplementedError):
        return [torch.linalg.vector_norm(t.float()) for t in tensors]


def _first_tensor(value: Any) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)) and value:
        return _first_tensor(value[0])
    return None
