"""What one module holds: its parameters (trainable or not) and the bytes of them and its buffers.

Counted over the module and its submodules as ``module.parameters()`` walks
them, so a weight tied between two layers counts once, and the row of a
model holds the same totals as its parameter table.
"""

from __future__ import annotations

from typing import Any

from torch import nn


def module_weights(module: nn.Module) -> dict[str, Any]:
    """``params``, ``trainable`` (counts) and ``param_bytes`` (parameters and buffers)."""
    try:
        params = trainable = size = 0
        for param in module.parameters():
            count = param.numel()
            params += count
            if param.requires_grad:
                trainable += count
            size += count * param.element_size()
        for buffer in module.buffers():
            size += buffer.numel() * buffer.element_size()
    except Exception:  # a module whose parameters cannot be walked: say nothing
        return {"params": None, "trainable": None, "param_bytes": None}
    return {"params": params, "trainable": trainable, "param_bytes": size}
