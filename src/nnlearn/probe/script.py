"""Run the learner's code the way ``python FILE ARGS...`` runs a script.

The namespace is the dict of a real module installed as ``__main__`` for the
Run (so classes defined in the script pickle as ``__main__.Net`` and load
again), with ``__file__`` set; ``sys.argv`` is ``[FILE, *ARGS]``; the
script's folder is first on ``sys.path``; ``exit()`` and ``quit()`` exist
(IPython hides them). ``stack_depth`` lets the probe raise the recursion
limit by exactly the frames the kernel itself stands on, so the same
programs run as under plain Python. ``clean_state`` puts all of it back
afterwards. ``sys.stdout.buffer`` and ``sys.stderr.buffer`` exist as under
python (ipykernel's streams take text only): bytes written there are decoded
as UTF-8 and printed in order with the text.
"""

from __future__ import annotations

import builtins
import codecs
import contextlib
import io
import os
import sys
import types
from dataclasses import dataclass
from typing import Any, NoReturn

EDITOR_FILENAME = "<editor>"
EDITOR_SCRIPT_NAME = "editor.py"


class _Quitter:
    """``exit`` / ``quit`` as ``site`` defines them for a script: raise SystemExit."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Use {self.name}() to exit"

    def __call__(self, code: Any = None) -> NoReturn:
        raise SystemExit(code)


@dataclass(frozen=True)
class ScriptPlace:
    """Where the code is "run from": its compile name, ``__file__``, folder and argv."""

    compile_name: str
    file: str
    folder: str
    argv: list[str]


def script_place(path: str | None, argv: list[str] | None) -> ScriptPlace:
    """An editor Run (``path`` None) is a script named ``editor.py`` in the working folder.

    Its tracebacks keep the name ``<editor>``; a file Run's show its path, as Python's do.
    """
    args = [str(arg) for arg in argv or []]
    if path is None:
        try:
            folder = os.getcwd()
        except OSError:
            folder = os.path.expanduser("~")
        file = os.path.join(folder, EDITOR_SCRIPT_NAME)
        return ScriptPlace(EDITOR_FILENAME, file, folder, [file, *args])
    file = os.path.abspath(path)
    return ScriptPlace(file, file, os.path.dirname(file), [path, *args])


def main_module(place: ScriptPlace, extra: dict[str, Any]) -> types.ModuleType:
    """A fresh ``__main__`` module for the Run; its ``__dict__`` is the script's namespace."""
    module = types.ModuleType("__main__")
    module.__dict__.update(
        {
            "__file__": place.file,
            "__builtins__": builtins,
            "__spec__": None,
            "__package__": None,
            "__cached__": None,
            **extra,
        }
    )
    return module


class BinaryStream(io.RawIOBase):
    """``sys.stdout.buffer`` for a text stream that has none (ipykernel's ``OutStream``).

    Bytes are decoded as UTF-8 as they come (a character split between two
    writes is kept until its end arrives; a byte that is not UTF-8 shows as
    U+FFFD) and written to the text stream at once, so they keep their place
    among ``print``'s text.
    """

    def __init__(self, text: Any) -> None:
        super().__init__()
        self.text = text
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        with memoryview(data) as view:
            size = view.nbytes
            text = self._decoder.decode(view.cast("B").tobytes())
        if text:
            self.text.write(text)
        return size

    def flush(self) -> None:
        if not self.closed:
            self.text.flush()

    def isatty(self) -> bool:
        return bool(self.text.isatty())

    def finish(self) -> None:
        """The end of the Run: an unfinished character is shown as U+FFFD, not kept for later."""
        text = self._decoder.decode(b"", final=True)
        if text:
            self.text.write(text)


def enter_script(place: ScriptPlace, module: types.ModuleType) -> list[BinaryStream]:
    """Make the interpreter look like it is running ``place`` (undone by StateSnapshot,
    and the binary streams it returns by ``leave_binary_streams``)."""
    sys.modules["__main__"] = module
    sys.argv[:] = place.argv
    sys.path.insert(0, place.folder)
    builtins.exit = _Quitter("exit")  # type: ignore[assignment]
    builtins.quit = _Quitter("quit")  # type: ignore[assignment]
    return _give_binary_streams((sys.stdout, sys.stderr))


def _give_binary_streams(streams: tuple[Any, ...]) -> list[BinaryStream]:
    given = []
    for stream in streams:
        if stream is None or hasattr(stream, "buffer"):
            continue
        try:
            stream.buffer = BinaryStream(stream)
        except (AttributeError, TypeError):  # a stream that takes no attribute: as it is
            continue
        given.append(stream.buffer)
    return given


def leave_binary_streams(given: list[BinaryStream]) -> None:
    """Finish the Run's binary streams and take them off their text streams."""
    for binary in given:
        stream = binary.text
        with contextlib.suppress(Exception):  # the learner broke the text stream: no more
            binary.finish()
        if getattr(stream, "buffer", None) is binary:
            with contextlib.suppress(AttributeError):
                del stream.buffer


def stack_depth() -> int:
    """How many frames the caller stands on (itself included)."""
    depth = 0
    frame: Any = sys._getframe(1)
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth
