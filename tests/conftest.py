"""Hooks for the whole suite: ``gpu`` tests skip, with the reason, where there is no CUDA.

Only a suite that collects a ``gpu`` test asks torch (imported here, in the test
process, never in nnlearn's UI process) whether a GPU is there.
"""

from __future__ import annotations

import pytest

_skipped: list[str] = []


def no_cuda_reason() -> str | None:
    """Why CUDA cannot be used in this test process, or None when it can."""
    try:
        import torch
    except ImportError as exc:
        return f"torch cannot be imported ({exc})"
    if torch.version.cuda is None:
        return f"no CUDA GPU: this torch ({torch.__version__}) is a CPU-only build"
    if not torch.cuda.is_available():
        return (
            f"no CUDA GPU: torch {torch.__version__} (CUDA {torch.version.cuda}) sees none "
            "(check nvidia-smi and CUDA_VISIBLE_DEVICES)"
        )
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    gpu_items = [item for item in items if item.get_closest_marker("gpu") is not None]
    if not gpu_items:
        return
    reason = no_cuda_reason()
    if reason is None:
        return
    for item in gpu_items:
        item.add_marker(pytest.mark.skip(reason=reason))
    _skipped.append(f"{len(gpu_items)} gpu test(s) skipped: {reason}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _skipped:
        terminalreporter.write_line(line, yellow=True)
