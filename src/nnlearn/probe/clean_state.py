"""Every Run starts from the same interpreter and torch state.

A script run with ``python`` starts in a fresh process; a Run shares the
kernel with the Runs before it. What a Run may change globally (grad mode,
default dtype and device, anomaly and deterministic modes, thread count,
torch's and numpy's print options, logging's configuration, ``builtins``,
``sys.path``, ``sys.argv``, ``sys.ps1``, the working folder, the standard
streams, environment variables, warning filters, the SIGINT handler) is
captured before it and put back after it, so one Run's
``torch.set_grad_enabled(False)`` cannot break the next one's ``backward()``.
A torch function or dispatch mode the Run entered and never left is turned
off, as the end of a ``python`` process would: left on, it saw the probe's
report and every later Run's ops (and its prints failed the next Run).

Threads the learner started cannot be undone; ``lingering_threads`` names
them so the Run can say so.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any

import torch

from nnlearn.probe.script import notebook_state, restore_notebook_state
from nnlearn.probe.unseen import dispatch_modes, function_mode_depth

# Threads of these classes, or of one the script defined, are the learner's; libraries'
# own thread classes (pyzmq's garbage collector, tqdm's monitor) start once and stay.
_PLAIN_THREAD_CLASSES = (threading.Thread, threading.Timer)


def _torch_setters() -> list[tuple[str, Callable[[], Any], Callable[[Any], None]]]:
    """(what, read it, put it back) for each piece of torch's global state we restore."""
    setters: list[tuple[str, Callable[[], Any], Callable[[Any], None]]] = [
        ("grad mode", torch.is_grad_enabled, _set_grad_mode),
        ("default dtype", torch.get_default_dtype, torch.set_default_dtype),
        (
            "anomaly mode",
            lambda: (torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()),
            lambda value: torch.set_anomaly_enabled(*value),
        ),
        (
            "deterministic algorithms",
            lambda: (
                torch.are_deterministic_algorithms_enabled(),
                torch.is_deterministic_algorithms_warn_only_enabled(),
            ),
            lambda value: torch.use_deterministic_algorithms(value[0], warn_only=value[1]),
        ),
        ("thread count", torch.get_num_threads, torch.set_num_threads),
        (
            "float32 matmul precision",
            torch.get_float32_matmul_precision,
            torch.set_float32_matmul_precision,
        ),
        (
            "cuDNN flags",
            lambda: (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic),
            _set_cudnn_flags,
        ),
    ]
    if hasattr(torch, "get_default_device"):
        setters.append(("default device", torch.get_default_device, _set_default_device))
    setters.append(("print options", _torch_print_options, _set_torch_print_options))
    setters.append(("numpy print options", _numpy_print_options, _set_numpy_print_options))
    return setters


def _torch_print_options() -> dict[str, Any]:
    return dict(vars(torch._tensor_str.PRINT_OPTS))


def _set_torch_print_options(options: dict[str, Any]) -> None:
    torch.set_printoptions(**options)


def _numpy_print_options() -> dict[str, Any] | None:
    numpy = sys.modules.get("numpy")
    return None if numpy is None else dict(numpy.get_printoptions())


def _set_numpy_print_options(options: dict[str, Any] | None) -> None:
    numpy = sys.modules.get("numpy")
    if numpy is not None and options is not None:
        numpy.set_printoptions(**options)


def _set_grad_mode(value: bool) -> None:
    torch.set_grad_enabled(value)


def _set_cudnn_flags(value: tuple[bool, bool]) -> None:
    torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = value


def _set_default_device(device: torch.device) -> None:
    # None removes the device context altogether (faster than a "cpu" one).
    torch.set_default_device(None if device.type == "cpu" else device)


def _leave_modes_above(function_depth: int, dispatch_depth: int) -> bool:
    """Pop the modes entered since the depths were taken; False if some stay on."""
    try:
        for _ in range(function_mode_depth() - function_depth):
            torch._C._pop_torch_function_stack()
        for _ in range(dispatch_modes() - dispatch_depth):
            torch._C._pop_torch_dispatch_stack(None)
    except Exception:
        return False
    return function_mode_depth() <= function_depth and dispatch_modes() <= dispatch_depth


class StateSnapshot:
    """The global state one Run may change; ``restore()`` puts it back."""

    def __init__(self) -> None:
        self.mode_depths = (function_mode_depth(), dispatch_modes())
        self.torch_state = [(what, get, put, get()) for what, get, put in _torch_setters()]
        self.builtins = dict(vars(builtins))
        self.notebook = notebook_state()
        self.logging = LoggingState()
        self.path = list(sys.path)
        self.argv = list(sys.argv)
        self.main = sys.modules.get("__main__")
        self.modules = set(sys.modules)
        self.streams = (sys.stdin, sys.stdout, sys.stderr)
        self.environ = dict(os.environ)
        self.warning_filters = list(warnings.filters)
        self.recursion_limit = sys.getrecursionlimit()
        self.threads = set(threading.enumerate())
        try:
            self.cwd: str | None = os.getcwd()
        except OSError:
            self.cwd = None
        self.sigint = signal.getsignal(signal.SIGINT)

    def restore(self, *, drop_modules_under: str | None = None) -> list[str]:
        """Put everything back; returns what could not be (normally nothing)."""
        failed: list[str] = []
        # First: a function mode left on would see (and may break) every torch call below.
        if not _leave_modes_above(*self.mode_depths):
            failed.append("torch modes")
        for what, get, put, value in self.torch_state:
            try:
                if get() != value:  # setting some (the thread count) is not free
                    put(value)
            except Exception:
                failed.append(what)
        self.restore_builtins()
        restore_notebook_state(self.notebook)
        try:
            self.logging.restore()
        except Exception:
            failed.append("logging")
        sys.path[:] = self.path
        sys.argv[:] = self.argv
        if self.main is not None:
            sys.modules["__main__"] = self.main
        if drop_modules_under:
            _drop_script_modules(self.modules, drop_modules_under)
        sys.stdin, sys.stdout, sys.stderr = self.streams
        if dict(os.environ) != self.environ:
            os.environ.clear()
            os.environ.update(self.environ)
        if warnings.filters != self.warning_filters:
            warnings.filters[:] = self.warning_filters  # type: ignore[index]
            mutated = getattr(warnings, "_filters_mutated", None)
            if mutated is not None:
                mutated()
        sys.setrecursionlimit(self.recursion_limit)
        if self.cwd is not None:
            try:
                os.chdir(self.cwd)
            except OSError:
                failed.append("working folder")
        if threading.current_thread() is threading.main_thread():
            with contextlib.suppress(Exception):
                if signal.getsignal(signal.SIGINT) is not self.sigint:
                    signal.signal(signal.SIGINT, self.sigint)
        return failed

    def restore_builtins(self) -> None:
        """First of all after the learner's code: our own code needs ``len`` and ``print``."""
        _restore_dict(vars(builtins), self.builtins)

    def lingering_threads(self) -> list[threading.Thread]:
        """Threads the Run started that still run (library threads aside)."""
        started = [
            thread
            for thread in threading.enumerate()
            if thread not in self.threads and _learners(thread)
        ]
        for thread in started:  # one that is just finishing gets a moment
            thread.join(0.05)
        return [thread for thread in started if thread.is_alive()]


# A logger and what a Run may change of it: handlers, filters, level, propagate, disabled.
_LoggerState = tuple[logging.Logger, list[logging.Handler], list[Any], int, bool, bool]


class LoggingState:
    """The logging configuration: the root logger and every named one (torch makes dozens).

    Under python each run starts unconfigured, so ``logging.basicConfig(...)`` takes
    effect; in a shared kernel the first Run's handler stayed, a later Run's
    ``basicConfig`` did nothing, and a handler added each Run printed each line
    once more every Run. Loggers the Run made are reset to a new logger's state,
    the others get their handlers, level, filters and flags back, and handlers
    the Run added are closed, as python's exit closes them (a log file is whole).
    """

    def __init__(self) -> None:
        self.disable = logging.Logger.manager.disable
        self.loggers: list[_LoggerState] = [
            (
                logger,
                list(logger.handlers),
                list(logger.filters),
                logger.level,
                logger.propagate,
                logger.disabled,
            )
            for logger in self._all_loggers()
        ]

    def restore(self) -> None:
        manager = logging.Logger.manager
        loggers = self._all_loggers()
        attached = {h for logger in loggers for h in logger.handlers}
        saved = {id(state[0]) for state in self.loggers}
        # Made by the Run: new names, and names that only held a placeholder before.
        made: list[_LoggerState] = [
            (logger, [], [], logging.NOTSET, True, False)
            for logger in loggers
            if id(logger) not in saved
        ]
        with getattr(logging, "_lock", None) or contextlib.nullcontext():
            # A logger the Run made is reset, not forgotten: a module it imported keeps
            # the object, and the next Run's getLogger(name) must configure that one.
            for logger, handlers, filters, level, propagate, disabled in self.loggers + made:
                logger.handlers[:] = handlers
                logger.filters[:] = filters
                logger.propagate, logger.disabled = propagate, disabled
                if logger.level != level:
                    logger.setLevel(level)
            if manager.disable != self.disable:
                logging.disable(self.disable)
        kept = {h for logger in self._all_loggers() for h in logger.handlers}
        for handler in attached - kept:
            with contextlib.suppress(Exception):
                handler.flush()
                handler.close()

    @staticmethod
    def _all_loggers() -> list[logging.Logger]:
        named = logging.Logger.manager.loggerDict.values()
        return [logging.root, *(x for x in named if isinstance(x, logging.Logger))]


def _learners(thread: threading.Thread) -> bool:
    cls = type(thread)
    return cls in _PLAIN_THREAD_CLASSES or cls.__module__ == "__main__"


def _restore_dict(current: dict[str, Any], saved: dict[str, Any]) -> None:
    for name in [name for name in current if name not in saved]:
        del current[name]
    for name, value in saved.items():
        if current.get(name, _MISSING) is not value:
            current[name] = value


_MISSING = object()


def _drop_script_modules(before: set[str], folder: str) -> None:
    """Forget modules the Run imported from the script's own folder, as a new process would.

    The next Run then imports the learner's edited ``helpers.py`` afresh;
    installed packages (and anything not under the folder) stay loaded.
    """
    prefix = os.path.join(os.path.abspath(folder), "")
    for name in [name for name in sys.modules if name not in before]:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if not isinstance(path, str):
            continue
        path = os.path.abspath(path)
        if path.startswith(prefix) and "site-packages" not in path and "dist-packages" not in path:
            del sys.modules[name]


def threads_message(threads: list[threading.Thread]) -> str:
    """What a learner reads when threads of their Run outlive it."""
    names = ", ".join(thread.name for thread in threads[:3])
    if len(threads) > 3:
        names += f" and {len(threads) - 3} more"
    count = "1 thread" if len(threads) == 1 else f"{len(threads)} threads"
    return (
        f"nnlearn: {count} started by this Run still running ({names}). "
        "They keep running, and slow every later Run, until they end or the kernel "
        "restarts: join them before your script ends, or restart the kernel.\n"
    )
