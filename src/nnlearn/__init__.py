"""nnlearn: learn to build PyTorch nn.Modules in the terminal.

Importing this package is cheap and never imports torch; ``track`` and
``plot`` only do work inside the kernel, where the probe is installed.
"""

from __future__ import annotations

__version__ = "0.1.0"


def track(name: str, value: object, step: int | None = None) -> None:
    """Add a point to the plot series ``name`` (validation loss, accuracy...).

    ``value`` may be a Python number or a 0-d tensor (it is not synchronised
    with the GPU here; the probe converts values in batches). ``step`` defaults
    to the number of points the series already has. Outside nnlearn's kernel
    this does nothing, so scripts still run under plain ``python``.
    """
    import sys

    probe = sys.modules.get("nnlearn.probe")
    if probe is not None:
        probe.track(name, value, step)


def plot(name: str, x: object, y: object) -> None:
    """Draw the points ``(x[i], y[i])`` as a scatter series called ``name``.

    ``x`` and ``y`` may be lists, numpy arrays or tensors (on any device, with
    or without gradients) holding the same number of values; (N, 1) shapes are
    flattened. Calling it again with the same name replaces that series, so
    plotting predictions before and after training needs two names. Outside
    nnlearn's kernel this does nothing, so scripts still run under plain ``python``.
    """
    import sys

    probe = sys.modules.get("nnlearn.probe")
    if probe is not None:
        probe.plot(name, x, y)
