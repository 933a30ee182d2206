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
  run code sooner. That thread waits until the kernel has been idle for a moment
  (``IDLE_SECONDS``) before it starts: a Run asked for before the kernel was
  ready arrives at once and runs at once, instead of waiting a second for
  imports it may not need (if it steps an optimizer it imports them itself, as
  under ``python``). A Run started while the thread works waits for it to end
  (IPython's ``pre_run_cell`` event, and ``probe.run``'s join): imports racing
  across threads can hand one of them a half-initialised module.

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
import time
from collections.abc import Sequence
from types import ModuleType
from typing import Any

SPARE_NICENESS = 10
# A Run asked for while the kernel started is sent the moment it is ready: well
# within this. Longer only delays the warm-up a learner who reads would get.
IDLE_SECONDS = 0.3


def import_quietly(niceness: int = SPARE_NICENESS) -> None:
    """Import the probe and warm torch's lazy imports in a lowered thread; wait for it."""
    thread = _WarmThread(niceness)
    thread.start()
    thread.join()
    if thread.error is not None:
        raise thread.error


def warm_in_background(idle_seconds: float = IDLE_SECONDS) -> threading.Thread:
    """Start the optimizers' lazy imports in a thread at normal priority, once the
    kernel has been idle for ``idle_seconds``; don't wait."""
    thread = IdleWarmUp(idle_seconds)
    thread.start()
    return thread


class IdleWarmUp(threading.Thread):
    """The optimizers' warm-up, begun only once the kernel has been idle a moment.

    Inside a kernel, IPython's ``pre_run_cell``/``post_run_cell`` events say when a
    cell (a Run, or the warm-up's own cell) runs: it is created while the warm-up's
    cell runs, so it starts as busy. A cell that starts while the warm-up works waits
    for it; one that starts before it begins only postpones it. Outside a kernel it
    begins after ``idle_seconds``.
    """

    def __init__(self, idle_seconds: float) -> None:
        super().__init__(name="nnlearn-warm-up", daemon=True)
        self.idle_seconds = idle_seconds
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._events = _ipython_events()
        self._busy = self._events is not None
        self._idle_since = time.monotonic()
        self._warming = False
        self._finished = threading.Event()
        if self._events is not None:
            self._events.register("pre_run_cell", self._cell_starts)
            self._events.register("post_run_cell", self._cell_ended)

    def run(self) -> None:
        try:
            self._wait_until_idle()
            self.error = _warm_here(0)
        finally:
            self._finished.set()
            self._stop_listening()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the warm-up if it has begun; one not begun yet waits for idle."""
        with self._lock:
            warming = self._warming
        if warming:
            self._finished.wait(timeout)

    def _wait_until_idle(self) -> None:
        with self._changed:
            while True:
                if not self._busy:
                    left = self._idle_since + self.idle_seconds - time.monotonic()
                    if left <= 0:
                        self._warming = True
                        return
                    self._changed.wait(left)
                else:
                    self._changed.wait()

    def _cell_starts(self, *_: Any) -> None:
        with self._changed:
            self._busy = True
            warming = self._warming
        if warming:
            self._finished.wait()

    def _cell_ended(self, *_: Any) -> None:
        with self._changed:
            self._busy = False
            self._idle_since = time.monotonic()
            self._changed.notify_all()

    def _stop_listening(self) -> None:
        if self._events is None:
            return
        for name, callback in (
            ("pre_run_cell", self._cell_starts),
            ("post_run_cell", self._cell_ended),
        ):
            with contextlib.suppress(ValueError):
                self._events.unregister(name, callback)


def _ipython_events() -> Any:
    """The running IPython shell's event manager, or None outside a kernel."""
    shell_module = sys.modules.get("IPython.core.getipython")
    shell = shell_module.get_ipython() if shell_module is not None else None
    return getattr(shell, "events", None)


class _WarmThread(threading.Thread):
    def __init__(self, niceness: int) -> None:
        super().__init__(name="nnlearn-warm-up", daemon=True)
        self.niceness = niceness
        self.error: BaseException | None = None

    def run(self) -> None:
        self.error = _warm_here(self.niceness)


def _warm_here(niceness: int) -> BaseException | None:
    """The imports and steps, on this thread, on a path without the working folder."""
    finder = _CleanPathFinder(threading.get_ident(), _without_working_folder(sys.path))
    finder.install()
    try:
        lower_this_thread(niceness)
        _import_and_step()
    except BaseException as exc:  # re-raised by import_quietly; a Run meets it anew
        return exc
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
    return None


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
