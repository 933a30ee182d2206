"""How a spare kernel warms up: the probe's imports in a low-priority thread.

Runs inside a spare kernel (see ``kernel/spare.py``), before the probe is imported
on the main thread. Importing torch and the optimizers' lazy imports is the whole
cost of a warm-up; done at a lower CPU priority it never slows the learner's own
Run on a small machine. Only this thread is lowered (Linux sets priorities per
thread): a whole niced process could never be raised again once it is swapped in.

Only imports run here. The first backward pass starts autograd's worker threads,
which would inherit this thread's priority for good, so it is left to the main
thread (``probe.install``), where it takes milliseconds once the imports are done.
Nothing here touches CUDA. The working folder is left out of ``sys.path`` meanwhile,
so a learner's file named like a module never stands in for it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

SPARE_NICENESS = 10


def import_quietly(niceness: int = SPARE_NICENESS) -> None:
    """Import the probe and warm torch's lazy imports in a lowered thread; wait for it."""
    errors: list[BaseException] = []

    def work() -> None:
        try:
            lower_this_thread(niceness)
            with without_working_folder():
                _import_and_step()
        except BaseException as exc:  # re-raised on the calling thread
            errors.append(exc)

    thread = threading.Thread(target=work, name="nnlearn-spare-warm-up", daemon=True)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


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


@contextlib.contextmanager
def without_working_folder() -> Iterator[None]:
    saved = list(sys.path)
    here = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", ".", here)]
    try:
        yield
    finally:
        sys.path[:] = saved


def _import_and_step() -> None:
    import torch

    import nnlearn.probe  # noqa: F401  (imports torch)

    # An optimizer's first step imports torch._dynamo (seconds on a small machine).
    # Gradients are set by hand: no backward pass on this thread (see the docstring).
    model = torch.nn.Linear(2, 1)
    for parameter in model.parameters():
        parameter.grad = torch.zeros_like(parameter)
    for optimizer_class in (torch.optim.SGD, torch.optim.Adam):
        optimizer_class(model.parameters(), lr=0.01).step()
