"""Record what goes into and comes out of every module call.

The first call of each module is described in full; later calls bump a
counter, and a call with input shapes not seen before for that module is
described too (up to ``MAX_SIGNATURES`` distinct ones per module), so a
layer called on ``(5, 2)`` and then on ``(4, 5, 2)`` shows both.

This replaces ``nn.Module.__call__`` for the duration of a Run instead of
registering a global forward hook: any global hook sends every module call
down torch's slow hook-dispatch path (5-7 % of a small training loop). The
replacement does what ``Module._wrapped_call_impl`` does (the compiled call,
else ``_call_impl``) plus a dict lookup and a shape comparison, and it takes
the place of that frame rather than adding one: a model nested 200 deep runs
exactly as under plain Python. A later call with the shapes of the last one
also takes ``_call_impl``'s own no-hook shortcut (straight to ``forward``, after
the same tests), which pays for the recording: a training step costs about what
it costs under python. Like a hook, it sees ``model(x)`` and not
``model.forward(x)``.

A first call also measures its cost: FLOPs (``flops.py``, counted during first
calls only, so the hot path above is unchanged), the bytes of its output, and
at report time the module's parameters (``weights.py``).
"""

from __future__ import annotations

import sys
from typing import Any

import torch
from torch import nn

from nnlearn.kernel.events import ModuleCost, ShapeRow, Shapes, ShapeSignature
from nnlearn.probe.flops import FlopTracker
from nnlearn.probe.unseen import function_modes, no_torch_function, quietly
from nnlearn.probe.weights import UNKNOWN, weights_by_module

_MAX_ENTRIES = 8
MAX_SIGNATURES = 8

# Record layout, a list for cheap in-place counting. Calls are counted per signature (the
# hot path touches one counter); _UNLISTED counts those past MAX_SIGNATURES.
_MODULE, _CLASS, _INPUTS, _OUTPUTS, _DTYPE, _DEVICE, _UNLISTED, _ORDER = range(8)
_KWARGS, _SIGNATURES, _LAST, _FOUND_AS = range(8, 12)
# The cost of the first call (probe/flops.py), and the bytes of its output tensors.
_FLOPS, _UNCOUNTED, _OUTPUT_BYTES = range(12, 15)
# Signature layout: [key, inputs, kwargs, outputs, calls, plain]; plain: the module's class
# calls through Module._call_impl (the hot path may take its no-hook shortcut).
_SIG_KEY, _SIG_INPUTS, _SIG_KWARGS, _SIG_OUTPUTS, _SIG_CALLS, _SIG_PLAIN = range(6)


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


def describe_kwargs(kwargs: dict[str, Any]) -> dict[str, list[Any]]:
    """Keyword arguments that hold tensors, by name (flags like ``need_weights`` are left out)."""
    described: dict[str, list[Any]] = {}
    for name, value in kwargs.items():
        if _first_tensor(value) is not None:
            shapes: list[Any] = []
            describe(value, shapes)
            described[str(name)] = shapes
    return described


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


def tensor_bytes(value: Any, depth: int = 0) -> int:
    """Bytes held by the tensors in ``value`` (a tensor, or nested tuples, lists, dicts)."""
    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if depth >= 3:
        return 0
    if isinstance(value, (tuple, list)):
        return sum(tensor_bytes(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return sum(tensor_bytes(item, depth + 1) for item in value.values())
    return 0


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, dict):
        return tuple((name, _hashable(item)) for name, item in value.items())
    return value


def signature_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What makes two calls of a module "the same shapes".

    Tensors passed by position only, the usual case, are keyed by their
    ``torch.Size`` (one tensor) or a tuple of them (what the hot path computes
    for one or two); anything else by its description.
    """
    if not kwargs and args and all(isinstance(arg, torch.Tensor) for arg in args):
        return args[0].shape if len(args) == 1 else tuple(arg.shape for arg in args)
    inputs: list[Any] = []
    describe(args, inputs)
    return (_hashable(inputs), _hashable(describe_kwargs(kwargs)))


def _found_as(module: Any, frame: Any) -> str | None:
    """The name the caller knows ``module`` by: a local of the calling frame, else a global."""
    if frame is None:
        return None
    for scope in (frame.f_locals, frame.f_globals):
        try:
            for name, value in list(scope.items()):
                if value is module and isinstance(name, str) and not name.startswith("_"):
                    return name
        except Exception:  # a strange mapping must not break the forward pass
            continue
    return None


def _no_hook_shortcut() -> tuple[Any, ...] | None:
    """What ``Module._call_impl`` tests before it calls ``forward`` directly, or None.

    ``_call_impl`` calls ``forward`` at once when the module and the global hook
    registries hold no hook and no JIT trace is running. The hot path makes the
    same test and the same call, so that a training step pays no ``_call_impl``
    frame for a module it has seen: that frame is what pays for the recording.
    First calls and calls with new shapes go through ``_call_impl`` as under
    python, so a model nested too deep fails at its first call exactly where
    python's does. None (always ``_call_impl``) when this torch's ``_call_impl``
    does not read those names.
    """
    from torch.nn.modules import module as module_file

    names = (
        "_global_backward_pre_hooks",
        "_global_backward_hooks",
        "_global_forward_hooks",
        "_global_forward_pre_hooks",
    )
    call_impl = getattr(nn.Module, "_call_impl", None)
    code = getattr(call_impl, "__code__", None)
    read = set(getattr(code, "co_names", ()))
    needed = {*names, "_get_tracing_state", "_slow_forward", "forward"}
    needed |= {"_backward_hooks", "_backward_pre_hooks", "_forward_hooks", "_forward_pre_hooks"}
    registries = [getattr(module_file, name, None) for name in names]
    if not needed <= read or not all(isinstance(r, dict) for r in registries):
        return None
    return (call_impl, *registries)


def _same_shapes(args: tuple[Any, ...], key: Any) -> bool:
    """Whether one or two plain tensors have the shapes ``key`` (a module's last call)."""
    if len(args) == 1:
        return type(args[0]) is torch.Tensor and args[0].shape == key
    if len(args) == 2:
        first, second = args
        return (
            type(first) is torch.Tensor
            and type(second) is torch.Tensor
            and (first.shape, second.shape) == key
        )
    return False


# Whether torch.jit.trace is tracing (None when it is not, as in torch's own _call_impl).
# Calls made while it traces pass through unrecorded, as ``model.forward(x)`` does: the
# tracer names graph values after the Python variables holding them, frames up, so
# ours would make the learner's trace differ between its runs (TracingCheckError), and
# comparing traced shapes prints TracerWarnings into the learner's output.
_tracing_state = getattr(torch._C, "_get_tracing_state", lambda: None)


def _identity_hashed(cls: type) -> bool:
    """Whether a module class is hashed and compared as ``object`` does (by identity).

    The hot path finds a module's last call by the module itself: a dict
    subscript, where ``id(module)`` added a builtin call, an audit event and an
    int per module call. A class with an ``__eq__`` of its own could make two
    of its modules one key; such modules are not put in that dict, and their
    calls take the recorded path (their ``__hash__`` still runs for the lookup,
    as it does whenever torch walks ``model.modules()``).
    """
    return cls.__hash__ is object.__hash__ and cls.__eq__ is object.__eq__  # type: ignore[comparison-overlap]


class ShapeRecorder:
    """Owns the replaced ``nn.Module.__call__`` for one run."""

    def __init__(self) -> None:
        self.records: dict[int, list[Any]] = {}
        # module -> the signature of its last call, for the hot path (record[_LAST]);
        # only modules that _identity_hashed allows.
        self.lasts: dict[Any, list[Any]] = {}
        self._original_call: Any = None
        self.new_since_flush = False
        self.flops = FlopTracker()
        # FLOPs cost a Python dispatch per op of each first call (about 0.1 ms an op).
        self.count_flops = True
        self.plain_call_impl: Any = None  # Module._call_impl, when its shortcut is known

    def start(self) -> None:
        self.records.clear()
        self.lasts.clear()
        self.new_since_flush = False
        if self._original_call is not None:
            return
        original = self._original_call = nn.Module.__call__
        records = self.records
        first_call = self._first_call
        other_call = self._other_call
        finish = self._finish
        abandon = self.flops.abandon
        tensor_type = torch.Tensor
        lasts = self.lasts

        shortcut = _no_hook_shortcut()
        self.plain_call_impl = shortcut[0] if shortcut is not None else None
        empty: dict[int, Any] = {}
        _, backward_pre_hooks, backward_hooks, forward_hooks, forward_pre_hooks = shortcut or (
            (None,) + (empty,) * 4
        )
        tracing_state = _tracing_state

        if original is getattr(nn.Module, "_wrapped_call_impl", None):

            def recording_call(module: Any, *args: Any, **kwargs: Any) -> Any:
                # Runs for every module call of the Run: inlined, and the call itself is
                # made here (as _wrapped_call_impl does) so that no frame is added. The
                # usual call, one or two plain tensors with the shapes of the module's
                # last call, only bumps that signature's counter (last[0] is _SIG_KEY,
                # last[4] _SIG_CALLS: literals, the cheapest subscripts).
                if tracing_state():  # see _tracing_state
                    return original(module, *args, **kwargs)
                try:  # a subscript, not .get(): no method call on the usual path
                    last = lasts[module]
                except Exception:  # a first call, or a module not kept there (_identity_hashed)
                    last = None
                if last is not None and not kwargs:
                    if function_modes():
                        # A learner's TorchFunctionMode must not see us read shapes.
                        with no_torch_function():
                            same = _same_shapes(args, last[0])
                    else:  # _same_shapes, inlined: this runs for every module call
                        count = len(args)
                        if count == 1:
                            first = args[0]
                            same = type(first) is tensor_type and first.shape == last[0]
                        elif count == 2:
                            first, second = args
                            same = (
                                type(first) is tensor_type
                                and type(second) is tensor_type
                                and (first.shape, second.shape) == last[0]
                            )
                        else:
                            same = False
                    if same:
                        last[4] += 1
                        if module._compiled_call_impl is not None:
                            return module._compiled_call_impl(*args)
                        # Module._call_impl's own shortcut (no hooks, and no JIT trace as
                        # tested above: forward), taken here: one frame less than under python for
                        # a call whose first call had them all (see _no_hook_shortcut).
                        if last[5] and not (
                            module._backward_hooks
                            or module._backward_pre_hooks
                            or module._forward_hooks
                            or module._forward_pre_hooks
                            or backward_pre_hooks
                            or backward_hooks
                            or forward_hooks
                            or forward_pre_hooks
                        ):
                            return module.forward(*args)
                        return module._call_impl(*args)
                record = records.get(id(module))
                if record is None:
                    # A first call may open a FLOP count: closed here whatever happens.
                    opened = quietly(first_call, module, args, kwargs, sys._getframe(1))
                    try:
                        if module._compiled_call_impl is not None:
                            output = module._compiled_call_impl(*args, **kwargs)
                        else:
                            output = module._call_impl(*args, **kwargs)
                    except BaseException:
                        abandon(opened[2])
                        raise
                    quietly(finish, opened, output)
                    return output
                pending = quietly(other_call, record, args, kwargs)
                if module._compiled_call_impl is not None:
                    output = module._compiled_call_impl(*args, **kwargs)
                else:
                    output = module._call_impl(*args, **kwargs)
                if pending is not None:
                    quietly(finish, pending, output)
                return output

        else:  # an older torch without _wrapped_call_impl: wrap the call as it is

            def recording_call(module: Any, *args: Any, **kwargs: Any) -> Any:
                record = records.get(id(module))
                if record is None:
                    pending = first_call(module, args, kwargs, sys._getframe(1))
                    try:
                        output = original(module, *args, **kwargs)
                    except BaseException:
                        abandon(pending[2])
                        raise
                    finish(pending, output)
                    return output
                pending = other_call(record, args, kwargs)
                output = original(module, *args, **kwargs)
                if pending is not None:
                    finish(pending, output)
                return output

        nn.Module.__call__ = recording_call  # type: ignore[method-assign]

    def stop(self) -> None:
        self.flops.close()
        if self._original_call is not None:
            nn.Module.__call__ = self._original_call  # type: ignore[method-assign]
            self._original_call = None

    def _first_call(
        self, module: Any, args: Any, kwargs: Any, caller: Any
    ) -> tuple[list[Any], list[Any], Any]:
        """Describe the inputs of a module's first call; the outputs come in ``_finish``."""
        try:
            key = signature_key(args, kwargs)
            inputs: list[Any] = []
            describe(args, inputs)
            named = describe_kwargs(kwargs)
            sample = _first_tensor(args, kwargs)
            dtype = str(sample.dtype).replace("torch.", "") if sample is not None else None
            device = str(sample.device) if sample is not None else None
        except Exception:  # recording must never break the learner's forward pass
            key, inputs, named, dtype, device = None, ["?"], {}, None, None
        signature = [key, inputs, named, [], 1, self._plain(module)]
        record = [
            module,
            type(module).__name__,
            inputs,
            signature[_SIG_OUTPUTS],
            dtype,
            device,
            0,
            len(self.records),
            named,
            [signature],
            signature,
            _found_as(module, caller),
            None,
            [],
            None,
        ]
        self.records[id(module)] = record
        self._remember_last(module, signature)
        self.new_since_flush = True
        # A compiled module is not counted: a dispatch mode would make it recompile.
        compiled = getattr(module, "_compiled_call_impl", None) is not None
        mark = self.flops.begin() if self.count_flops and not compiled else None
        return record, signature, mark

    def _plain(self, module: Any) -> bool:
        """Whether a module's later calls may take ``_call_impl``'s no-hook shortcut here."""
        return self.plain_call_impl is not None and type(module)._call_impl is self.plain_call_impl

    def _other_call(self, record: list[Any], args: Any, kwargs: Any) -> Any:
        """Count a call under its signature; a new one (up to the bound) is described."""
        try:
            key = signature_key(args, kwargs)
        except Exception:
            record[_UNLISTED] += 1
            return None
        for signature in record[_SIGNATURES]:
            if signature[_SIG_KEY] == key:
                signature[_SIG_CALLS] += 1
                record[_LAST] = signature
                self._remember_last(record[_MODULE], signature)
                return None
        if len(record[_SIGNATURES]) >= MAX_SIGNATURES:
            record[_UNLISTED] += 1
            return None
        try:
            inputs: list[Any] = []
            describe(args, inputs)
            signature = [key, inputs, describe_kwargs(kwargs), [], 1, self._plain(record[_MODULE])]
        except Exception:
            record[_UNLISTED] += 1
            return None
        record[_SIGNATURES].append(signature)
        record[_LAST] = signature
        self._remember_last(record[_MODULE], signature)
        return None, signature, None

    def _remember_last(self, module: Any, signature: list[Any]) -> None:
        if _identity_hashed(type(module)):
            self.lasts[module] = signature

    def _finish(self, pending: tuple[Any, list[Any], Any], output: Any) -> None:
        """Describe what a first call (or a new signature) returned."""
        record, signature, mark = pending
        if mark is not None:
            cost = self.flops.end(mark)
            record[_FLOPS], record[_UNCOUNTED] = cost.flops, cost.uncounted
        try:
            describe(output, signature[_SIG_OUTPUTS])
            if record is not None:
                sample = _first_tensor(output)
                if sample is not None:
                    record[_DTYPE] = str(sample.dtype).replace("torch.", "")
                    record[_DEVICE] = str(sample.device)
                    record[_OUTPUT_BYTES] = tensor_bytes(output)
        except Exception:
            signature[_SIG_OUTPUTS][:] = ["?"]
        self.new_since_flush = True

    def roots(self, known: set[int], names: tuple[str, ...] = ()) -> list[tuple[str, nn.Module]]:
        """Modules called during the Run that no other called or ``known`` module contains.

        These are the models a script built where no global holds them (inside
        ``main()``), named as their caller knew them, else by their class; a name
        in ``names`` (the globals' models) or taken already gets ``#2``, ``#3``…
        (a loop that rebinds ``conv`` leaves one global and several roots).
        """
        records = list(self.records.values())
        contained = set(known)
        for record in records:
            module = record[_MODULE]
            if id(module) in contained:
                continue  # inside one walked already: so is all it contains
            for sub in module.modules():
                if sub is not module:
                    contained.add(id(sub))
        roots: list[tuple[str, nn.Module]] = []
        taken: dict[str, int] = dict.fromkeys(names, 1)
        for record in records:
            module = record[_MODULE]
            if id(module) in contained:
                continue
            name = record[_FOUND_AS] or record[_CLASS]
            taken[name] = taken.get(name, 0) + 1
            if taken[name] > 1:
                name = f"{name}#{taken[name]}"
            roots.append((name, module))
        return roots

    def report(self, paths: dict[int, tuple[int, str]]) -> Shapes:
        """The shapes report; ``paths`` maps id(module) to (model order, path)."""
        rows = []
        unnamed_order = len(paths) + 1
        records = list(self.records.items())
        weights = weights_by_module(record[_MODULE] for _, record in records)
        for key, record in records:
            order, path = paths.get(key, (unnamed_order + record[_ORDER], f"({record[_CLASS]})"))
            signatures = tuple(
                ShapeSignature(
                    inputs=signature[_SIG_INPUTS],
                    kwargs=signature[_SIG_KWARGS],
                    outputs=signature[_SIG_OUTPUTS],
                    calls=signature[_SIG_CALLS],
                )
                for signature in list(record[_SIGNATURES])
            )
            calls = record[_UNLISTED] + sum(signature.calls for signature in signatures)
            row = ShapeRow(
                path=path,
                cls=record[_CLASS],
                inputs=record[_INPUTS],
                outputs=record[_OUTPUTS],
                dtype=record[_DTYPE],
                device=record[_DEVICE],
                calls=calls,
                kwargs=record[_KWARGS],
                signatures=signatures,
                cost=ModuleCost(
                    flops=record[_FLOPS],
                    flops_uncounted=tuple(record[_UNCOUNTED]),
                    output_bytes=record[_OUTPUT_BYTES],
                    **weights.get(key, UNKNOWN),
                ),
            )
            rows.append((order, row))
        rows.sort(key=lambda item: item[0])
        self.new_since_flush = False
        return Shapes(tuple(row for _, row in rows))

    def clear(self) -> None:
        self.flops.close()
        self.records.clear()
        self.lasts.clear()
