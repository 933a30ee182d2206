"""nnlearn: learn to build PyTorch nn.Modules in the terminal.

Importing this package is cheap and never imports torch; ``track`` only
does work inside the kernel, where the probe is installed.
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
