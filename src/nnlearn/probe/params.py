"""Find the learner's models in a namespace, name their submodules, and tabulate parameters.

A model is "top level" when it is a Module in the namespace that is not a
submodule of another one there. Tied parameters count once, exactly as
``sum(p.numel() for p in model.parameters())`` does.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from nnlearn.kernel.events import ParamRow, Params


def top_level_models(namespace: dict[str, Any]) -> list[tuple[str, nn.Module]]:
    """(name, module) for each Module in the namespace that no other one contains."""
    candidates: list[tuple[str, nn.Module]] = []
    seen: set[int] = set()
    for name, value in namespace.items():
        if name.startswith("_") or not isinstance(value, nn.Module) or id(value) in seen:
            continue
        seen.add(id(value))
        candidates.append((name, value))
    contained: set[int] = set()
    for _, module in candidates:
        for sub in module.modules():
            if sub is not module:
                contained.add(id(sub))
    return [(name, m) for name, m in candidates if id(m) not in contained]


def module_paths(models: list[tuple[str, nn.Module]]) -> dict[int, tuple[int, str]]:
    """id(module) -> (order, dotted path from its top-level model), e.g. ``model.fc1``."""
    paths: dict[int, tuple[int, str]] = {}
    for name, model in models:
        for sub_name, sub in model.named_modules():
            if id(sub) not in paths:
                paths[id(sub)] = (len(paths), f"{name}.{sub_name}" if sub_name else name)
    return paths


def _is_torch_builtin(module: nn.Module) -> bool:
    return type(module).__module__.startswith("torch.")


def params_report(name: str, model: nn.Module) -> Params:
    rows = []
    total = trainable = size = 0
    for param_name, param in model.named_parameters():
        count = param.numel()
        total += count
        if param.requires_grad:
            trainable += count
        size += count * param.element_size()
        rows.append(_row(param_name, param, buffer=False))
    buffers = 0
    for buffer_name, buffer in model.named_buffers():
        count = buffer.numel()
        buffers += count
        size += count * buffer.element_size()
        rows.append(_row(buffer_name, buffer, buffer=True))
    return Params(
        model=name,
        cls=type(model).__name__,
        total=total,
        trainable=trainable,
        frozen=total - trainable,
        buffers=buffers,
        bytes=size,
        rows=tuple(rows),
    )


def _row(name: str, tensor: Any, *, buffer: bool) -> ParamRow:
    return ParamRow(
        name=name,
        shape=list(tensor.shape),
        numel=tensor.numel(),
        dtype=str(tensor.dtype).replace("torch.", ""),
        device=str(tensor.device),
        requires_grad=bool(tensor.requires_grad),
        buffer=buffer,
        bytes=tensor.numel() * tensor.element_size(),
    )


def params_reports(models: list[tuple[str, nn.Module]]) -> list[Params]:
    """One report per model, leaving out torch's stateless modules (a loss, an activation)."""
    reports = []
    for name, model in models:
        report = params_report(name, model)
        if report.rows or not _is_torch_builtin(model):
            reports.append(report)
    return reports
