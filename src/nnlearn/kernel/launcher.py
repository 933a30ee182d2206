"""The learner's kernel process starts here: torch is imported first, then ipykernel starts.

Runs inside the kernel (``python -m nnlearn.kernel.launcher -f kernel.json``, in
place of ``-m ipykernel_launcher``). Why: ``import torch`` is most of a kernel's
start. Started the usual way, a kernel starts ipykernel, then waits for the app
to connect and send the warm-up, and only then imports torch; the app itself is
busy drawing its first frame meanwhile. Started here, the process imports torch
at once, whoever is listening, then starts ipykernel exactly as
``ipykernel_launcher`` does; the app's warm-up (``protocol.WARM_CODE``) finds
torch imported.

The cycle collector is off during that start and its objects frozen at the end
(as ``nnlearn`` does for the app's start), and ipykernel starts without its
debugger (``WithoutDebugger``), which nnlearn never uses. (Loading torch's
largest library in a thread while ipykernel's modules are imported was measured
too and gained nothing: ``dlopen`` holds the C library's loader lock, which every
extension module ipykernel loads waits for, and the two share the CPU.)

Only for kernels whose warm-up imports torch at normal priority anyway: a spare
kernel imports it in a lowered thread instead (``quiet_import``).

Nothing in the working folder is imported: the kernel runs with
``PYTHONSAFEPATH`` (so ``-m`` does not put the folder on ``sys.path``), and the
folder, or an empty entry, is taken off ``sys.path`` before anything is imported,
by the same rule as ``WARM_CODE``'s. A torch that fails to import is left to the
warm-up, which reports it as it always has.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.abc
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any


def keep_working_folder_off_path(path: list[str]) -> None:
    """Remove ``''`` and the working folder from ``path`` (unless PYTHONPATH names it)."""
    here = os.getcwd()
    named = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    path[:] = [p for p in path if p and (os.path.abspath(p) != here or p in named)]


class WithoutDebugger(importlib.abc.MetaPathFinder):
    """While installed, ``debugpy`` cannot be imported: ipykernel starts without its debugger.

    ipykernel imports debugpy as it starts (a tenth of its start, and a ``uname -p``
    subprocess) for the Jupyter debugging protocol, which nnlearn never uses; without
    debugpy it starts as it does where debugpy is not installed. Only during that
    start: the learner's own ``import debugpy`` works as usual (a failed import
    leaves nothing in ``sys.modules``).
    """

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        if fullname == "debugpy" or fullname.startswith("debugpy."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def main() -> None:
    keep_working_folder_off_path(sys.path)
    # What the start makes (torch, ipykernel) lives as long as the kernel, so the cycle
    # collector's passes during it are wasted work: a seventh of torch's import, and a
    # third of ipykernel's start once torch's objects are there to walk (measured).
    # Frozen and back on before any code of the learner's runs.
    gc.disable()
    try:
        app = _started_ipykernel()
    finally:
        gc.freeze()
        gc.enable()
    app.start()


def _started_ipykernel() -> Any:
    """torch imported, then ipykernel initialised as ``ipykernel_launcher`` does it."""
    with contextlib.suppress(Exception):  # the warm-up imports it again and reports why
        import torch  # noqa: F401
    from ipykernel import kernelapp

    app = kernelapp.IPKernelApp.instance()
    without_debugger = WithoutDebugger()
    sys.meta_path.insert(0, without_debugger)
    try:
        app.initialize()
    finally:
        sys.meta_path.remove(without_debugger)
    return app


if __name__ == "__main__":
    main()
