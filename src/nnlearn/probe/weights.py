"""What each module holds: its parameters (trainable or not) and the bytes of them and its buffers.

Counted over the module and its submodules, each tensor once (a weight tied
between two layers counts once in the model that holds both), so the row of a
model holds the same totals as its parameter table. One walk from the bottom
up serves every module of a report: asking each module for ``parameters()``
walked the whole model again for its root, which was most of a report's time
for a model of thousands of modules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

UNKNOWN = {"params": None, "trainable": None, "param_bytes": None}


def module_weights(module: nn.Module) -> dict[str, Any]:
    """``params``, ``trainable`` (counts) and ``param_bytes`` (parameters and buffers)."""
    return weights_by_module([module]).get(id(module), UNKNOWN)


def weights_by_module(modules: Iterable[nn.Module]) -> dict[int, dict[str, Any]]:
    """id(module) → its weights, for ``modules`` (and what they contain)."""
    under: dict[int, dict[int, torch.Tensor]] = {}
    buffers_under: dict[int, dict[int, torch.Tensor]] = {}
    weights: dict[int, dict[str, Any]] = {}
    for top in modules:
        if id(top) in under:  # walked already, inside a module given before it
            continue
        try:
            _walk(top, under, buffers_under)
        except Exception:  # a module whose members cannot be walked: say nothing of it
            continue
    for key, params in under.items():
        total = trainable = size = 0
        for param in params.values():
            count = param.numel()
            total += count
            if param.requires_grad:
                trainable += count
            size += count * param.element_size()
        for buffer in buffers_under[key].values():
            size += buffer.numel() * buffer.element_size()
        weights[key] = {"params": total, "trainable": trainable, "param_bytes": size}
    return weights


def _walk(
    top: nn.Module,
    under: dict[int, dict[int, torch.Tensor]],
    buffers_under: dict[int, dict[int, torch.Tensor]],
) -> None:
    """Fill ``under`` (parameters by id) for ``top`` and its submodules, children first."""
    stack: list[tuple[nn.Module, bool]] = [(top, False)]
    entered: set[int] = set()
    while stack:
        module, children_done = stack.pop()
        key = id(module)
        if key in under:
            continue
        children = [child for child in module._modules.values() if child is not None]
        if not children_done:
            if key in entered:  # a module that contains itself
                continue
            entered.add(key)
            stack.append((module, True))
            stack.extend((child, False) for child in children if id(child) not in under)
            continue
        params: dict[int, torch.Tensor] = {
            id(p): p for p in module._parameters.values() if p is not None
        }
        buffers: dict[int, torch.Tensor] = {
            id(b): b for b in module._buffers.values() if b is not None
        }
        for child in children:
            params.update(under.get(id(child), {}))
            buffers.update(buffers_under.get(id(child), {}))
        under[key] = params
        buffers_under[key] = buffers
