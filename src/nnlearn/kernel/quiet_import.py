"""The kernel's warm-up imports, off its main thread.

Runs inside the kernel. Importing torch and the optimizers' lazy imports (an
optimizer's first step imports ``torch._dynamo``: a second on a small machine)
is nearly the whole cost of a warm-up. Two uses:

* A spare kernel (``kernel/spare.py``) does all of it in a thread at a lower CPU
  priority, before the probe is imported on the main thread, so that it never
  slows the learner's own Run. Only this thread is lowered (Linux sets priorities
  per thread): a niced process could never be raised again once swapped in.
* The learner's first kernel reports ready once torch is imported and leaves the
  optimizers' imports to a background thread (``warm_in_background``), so F5 can
  run code sooner; a Run started meanwhile first waits for the thread to end
  (``probe.run`` joins it): imports racing across threads can hand one of them
  a half-initialised module.

Only imports and an optimizer step on hand-set gradients run here: the first
backward pass starts autograd's worker threads, which would inherit a lowered
priority for good, so it is left to the main thread (``probe.install``). Nothing
here touches CUDA. Top-level imports of the thread are looked up on ``sys.path``
without the working folder, so a learner's file named like a module never
stands in for one.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import sys
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import Any

SPARE_NICENESS = 10


def import_quietly(niceness: int = SPARE_NICENESS) -> None:
    """Import the probe and warm torch's lazy imports in a lowered thread; wait for it."""
    thread = _WarmThread(niceness)
    thread.start()
    thread.join()
    if thread.error is not None:
        raise thread.error


def warm_in_background() -> threading.Thread:
    """Start the optimizers' lazy imports in a thread at normal priority; don't wait."""
    thread = _WarmThread(0)
    thread.start()
    return thread


class _WarmThread(threading.Thread):
    def __init__(self, niceness: int) -> None:
        super().__init__(name="nnlearn-warm-up", daemon=True)
        self.niceness = niceness
        self.error: BaseException | None = None

    def run(self) -> None:
        finder = _CleanPathFinder(threading.get_ident(), _without_working_folder(sys.path))
        finder.install()
        try:
            lower_this_thread(self.niceness)
            _import_and_step()
        except BaseException as exc:  # re-raised by import_quietly; a Run meets it anew
            self.error = exc
        finally:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(finder)


def lower_this_thread(niceness: int) -> bool:
    """Lower the calling thread's CPU priority (Linux); elsewhere leave it. True if lowered."""
    if not sys.platform.startswith("linux") or niceness <= 0:
        return False
    try:
        thread_id = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread_id)
        os.setpriority(os.PRIO_PROCESS, thread_id, min(19, current + niceness))
    except OSError:
        return False
    return True


def _without_working_folder(path: Sequence[str]) -> list[str]:
    here = os.getcwd()
    return [p for p in path if p not in ("", ".") and os.path.abspath(p) != here]


class _CleanPathFinder(importlib.abc.MetaPathFinder):
    """For one thread only: top-level modules are found on a path without the working folder.

    It sits just before the standard path finder (built-in and frozen modules come
    first, as usual) and answers for its thread alone. A module that is not on its path
    is looked for as usual (``importlib.util.find_spec`` probes for optional packages
    must get None, not an error): only a module that exists nowhere else could still
    come from the working folder, and nnlearn's kernel keeps that folder off
    ``sys.path`` while it warms anyway.
    """

    def __init__(self, thread_ident: int, path: list[str]) -> None:
        self.thread_ident = thread_ident
        self.path = path

    def install(self) -> None:
        finders = [type(f) if not isinstance(f, type) else f for f in sys.meta_path]
        where = next(
            (i for i, f in enumerate(finders) if f is importlib.machinery.PathFinder),
            len(finders),
        )
        sys.meta_path.insert(where, self)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> Any:
        if path is not None or threading.get_ident() != self.thread_ident:
            return None  # submodules are found in their package; other threads as usual
        return importlib.machinery.PathFinder.find_spec(fullname, self.path)


def _import_and_step() -> None:
    import torch

    import nnlearn.probe  # noqa: F401

    # An optimizer's first step imports torch._dynamo. Gradients are set by hand: no
    # backward pass on this thread (see the docstring).
    model = torch.nn.Linear(2, 1)
    for parameter in model.parameters():
        parameter.grad = torch.zeros_like(parameter)
    for optimizer_class in (torch.optim.SGD, torch.optim.Adam):
        optimizer_class(model.parameters(), lr=0.01).step()
