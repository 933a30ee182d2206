"""``atexit`` callbacks a script registers run when its Run ends, as when python exits.

Under python a script's ``atexit.register(save)`` runs once the script is done
(after its traceback, if it failed, or its ``sys.exit``). In the kernel they
ran only when the kernel itself exited: what they printed was lost, and they
kept the Run's objects (its model, its data) alive until then. During a Run a
registration made by the script's own code is kept here instead, and
``finish`` calls them, last registered first, when the Run ends; an error in
one is printed as python prints it, and the others still run. A library's
registration goes to ``atexit`` as before: the library stays loaded for the
next Run.
"""

from __future__ import annotations

import atexit
import sys
import traceback
from collections.abc import Callable
from typing import Any


class ScriptExits:
    """Holds the script's ``atexit`` callbacks during one Run."""

    def __init__(self) -> None:
        self.callbacks: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self._atexit: tuple[Any, Any] | None = None

    def start(self, filename: str) -> None:
        """Keep what code compiled as ``filename`` registers, until ``finish``."""
        self.finish_quietly()
        register = atexit.register
        unregister = atexit.unregister
        self._atexit = (register, unregister)
        callbacks = self.callbacks

        def script_register(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            if sys._getframe(1).f_code.co_filename == filename:
                callbacks.append((func, args, kwargs))
                return func
            return register(func, *args, **kwargs)

        def script_unregister(func: Callable[..., Any]) -> None:
            callbacks[:] = [kept for kept in callbacks if kept[0] != func]
            unregister(func)

        atexit.register = script_register  # type: ignore[assignment]
        atexit.unregister = script_unregister  # type: ignore[assignment]

    def finish_quietly(self) -> list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]:
        """Put ``atexit`` back; the callbacks kept, now forgotten here."""
        if self._atexit is not None:
            atexit.register, atexit.unregister = self._atexit  # type: ignore[assignment]
            self._atexit = None
        callbacks, self.callbacks = self.callbacks, []
        return callbacks

    def finish(self) -> None:
        """Put ``atexit`` back and call the script's callbacks, last first."""
        callbacks = self.finish_quietly()
        while callbacks:
            func, args, kwargs = callbacks.pop()
            try:
                func(*args, **kwargs)
            except SystemExit:
                pass  # as at python's exit: the status is already decided
            except BaseException as exc:
                _print_ignored(func, exc)


def _print_ignored(func: Any, exc: BaseException) -> None:
    """What python prints for a callback that raised at exit."""
    try:
        print(f"Exception ignored in atexit callback: {func!r}", file=sys.stderr)
        frames = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
        traceback.print_exception(type(exc), exc, frames, file=sys.stderr)
    except Exception:  # a broken stderr or repr: nothing more to say
        pass
