"""The probe's own tensor work, kept out of sight of the learner's torch modes.

Under ``python`` a ``TorchDispatchMode`` or ``TorchFunctionMode`` the learner
enters (an op logger, a counter, a spy in an exercise check) sees the script's
operations and nothing else. The probe reads each loss, samples gradients and
activations and compares input shapes on the same thread, inside those modes:
without this, a logging mode printed ``aten._local_scalar_dense`` after every
``backward()`` and a sample's ``_foreach_norm``, ``clone`` and ``mean`` calls
among the learner's own. Modes are per thread, so the flusher thread's work is
never seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import torch

T = TypeVar("T")

# Cheap tests (a C call each), for the hot paths: how many dispatch modes are on, and
# whether a function mode is.
dispatch_modes: Callable[[], int] = getattr(torch._C, "_len_torch_dispatch_stack", lambda: 0)
function_modes: Callable[[], bool] = getattr(
    torch._C, "_is_torch_function_mode_enabled", lambda: False
)
function_mode_depth: Callable[[], int] = getattr(torch._C, "_len_torch_function_stack", lambda: 0)
# Guards written in C (a contextlib generator cost about ten times as much): inside
# them no function mode, no dispatch mode, and no tensor subclass's own handler runs.
no_torch_function = torch._C.DisableTorchFunction
no_torch_dispatch = torch._C._DisableTorchDispatch


def quietly(work: Callable[..., T], *args: Any) -> T:
    """``work(*args)``, unseen by the learner's modes when one is on (else one test)."""
    if dispatch_modes() or function_modes():
        with no_torch_function(), no_torch_dispatch():
            return work(*args)
    return work(*args)
