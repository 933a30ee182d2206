"""Run the learner's code the way ``python FILE ARGS...`` runs a script.

The namespace is the dict of a real module installed as ``__main__`` for the
Run (so classes defined in the script pickle as ``__main__.Net`` and load
again), with ``__file__`` set; ``sys.argv`` is ``[FILE, *ARGS]``; the
script's folder is first on ``sys.path``; ``exit()`` and ``quit()`` exist
(IPython hides them); ``input()`` and ``getpass.getpass()`` find nothing to
read, as under python with its input at an end and no terminal, and say what
to do instead. ``stack_depth`` lets the probe raise the recursion limit by
exactly the frames the kernel itself stands on, so the same programs run as
under plain Python. ``clean_state`` puts all of it back afterwards.
``sys.stdout.buffer`` and ``sys.stderr.buffer`` exist as under python
(ipykernel's streams take text only): bytes written there are decoded as
UTF-8 and printed in order with the text; ``reconfigure()`` exists too.

Nor does the Run look like a notebook: IPython's builtins (``get_ipython``,
``display``, ``__IPYTHON__``...), ``sys.ps1`` and ``IPython.get_ipython()``
are hidden while it runs, because libraries ask them where their output
should go. With them, rich sent its prints to a notebook display that
nobody draws (they vanished), and ``tqdm.auto`` warned about missing widgets.
The environment variables the kernel's start changed (``SCRIPT_ENV_NAMES``)
have the user's values again, so ``matplotlib`` does not take IPython's
inline backend and a ``python`` the script starts imports as it would.
"""

from __future__ import annotations

import builtins
import codecs
import contextlib
import getpass
import io
import json
import os
import sys
import types
from dataclasses import dataclass
from typing import Any, NoReturn

from nnlearn.kernel.kernel_command import COLOUR_ENV_NAMES, SCRIPT_ENV, SCRIPT_ENV_NAMES

EDITOR_FILENAME = "<editor>"
EDITOR_SCRIPT_NAME = "editor.py"
# What IPython puts in builtins; a script run by python has none of them.
NOTEBOOK_BUILTINS = ("get_ipython", "__IPYTHON__", "display", "execfile", "runfile")
PROMPTS = ("ps1", "ps2")  # an interactive interpreter's; IPython sets them in the kernel


def _user_environment(text: str | None) -> dict[str, str | None]:
    """The values the kernel's launcher passed in ``SCRIPT_ENV`` (None: not set), checked."""
    try:
        values = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(values, dict):
        return {}
    return {
        name: value
        for name, value in values.items()
        if name in SCRIPT_ENV_NAMES + COLOUR_ENV_NAMES and (value is None or isinstance(value, str))
    }


# Taken out of the kernel's environment at once: the learner's os.environ never holds it.
_USER_ENVIRONMENT = _user_environment(os.environ.pop(SCRIPT_ENV, None))


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
    builtins.input = _no_input
    getpass.getpass = _no_password
    _hide_the_notebook()
    for name, value in _USER_ENVIRONMENT.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return _give_binary_streams((sys.stdout, sys.stderr))


NO_INPUT = (
    "EOF when reading a line: a Run has no keyboard input to read (as python with its "
    "input at its end). Put the value in your code, or pass it as an argument "
    "(nnlearn run FILE ARGS...) and read it from sys.argv."
)


def _no_input(prompt: Any = "") -> NoReturn:
    """``input`` for a Run: nothing to read. IPython's raised StdinNotImplementedError,
    which a script's ``except EOFError`` did not catch."""
    if prompt:
        sys.stdout.write(str(prompt))
        sys.stdout.flush()
    raise EOFError(NO_INPUT)


NO_PASSWORD = (
    "EOF when reading a password: a Run has no keyboard input to read. Set the secret in "
    "an environment variable before starting nnlearn and read it with os.environ."
)


def _no_password(prompt: str = "Password: ", stream: Any = None) -> NoReturn:
    """``getpass.getpass`` for a Run. ipykernel's raised StdinNotImplementedError; python
    with no terminal prompts on ``stream`` (stderr by default) and finds its input ended."""
    out = stream if stream is not None else sys.stderr
    out.write(str(prompt))
    out.flush()
    raise EOFError(NO_PASSWORD)


# Where the Run's stand-ins for builtins raise: an error report names no such place,
# as python names none for its own input().
STAND_INS = {(f.__code__.co_filename, f.__code__.co_name) for f in (_no_input, _no_password)}


def _no_shell() -> None:
    """``IPython.get_ipython`` for the Run: no shell, as in a script run by python."""
    return None


def _hide_the_notebook() -> None:
    for name in NOTEBOOK_BUILTINS:
        vars(builtins).pop(name, None)
    for name in PROMPTS:
        if hasattr(sys, name):
            delattr(sys, name)
    ipython: Any = sys.modules.get("IPython")
    if ipython is not None and hasattr(ipython, "get_ipython"):
        ipython.get_ipython = _no_shell


def notebook_state() -> tuple[dict[str, Any], Any, Any]:
    """What ``enter_script`` changes beyond builtins: the prompts, IPython.get_ipython and
    ``getpass.getpass`` (ipykernel's)."""
    prompts = {name: getattr(sys, name) for name in PROMPTS if hasattr(sys, name)}
    return prompts, getattr(sys.modules.get("IPython"), "get_ipython", None), getpass.getpass


def restore_notebook_state(state: tuple[dict[str, Any], Any, Any]) -> None:
    prompts, get_ipython, kernels_getpass = state
    getpass.getpass = kernels_getpass
    for name in PROMPTS:
        if name in prompts:
            setattr(sys, name, prompts[name])
        elif hasattr(sys, name):
            delattr(sys, name)
    ipython: Any = sys.modules.get("IPython")
    if ipython is not None and get_ipython is not None:
        ipython.get_ipython = get_ipython


def _give_binary_streams(streams: tuple[Any, ...]) -> list[BinaryStream]:
    given = []
    for stream in streams:
        if stream is None or hasattr(stream, "buffer"):
            continue
        try:
            stream.buffer = BinaryStream(stream)
            if not hasattr(stream, "reconfigure"):
                stream.reconfigure = _reconfigure
        except (AttributeError, TypeError):  # a stream that takes no attribute: as it is
            continue
        given.append(stream.buffer)
    return given


def _reconfigure(
    *,
    encoding: str | None = None,
    errors: str | None = None,
    newline: str | None = None,
    line_buffering: bool | None = None,
    write_through: bool | None = None,
) -> None:
    """``sys.stdout.reconfigure(...)`` as scripts call it (``line_buffering=True``,
    ``encoding="utf-8"``): the Run's streams carry text, flushed as it comes, so there
    is nothing to change, but an unknown encoding is refused as python refuses it."""
    if encoding is not None:
        codecs.lookup(encoding)
    if errors is not None:
        codecs.lookup_error(errors)


def leave_binary_streams(given: list[BinaryStream]) -> None:
    """Finish the Run's binary streams and take them off their text streams."""
    for binary in given:
        stream = binary.text
        with contextlib.suppress(Exception):  # the learner broke the text stream: no more
            binary.finish()
        if getattr(stream, "buffer", None) is binary:
            with contextlib.suppress(AttributeError):
                del stream.buffer
        if getattr(stream, "reconfigure", None) is _reconfigure:
            with contextlib.suppress(AttributeError):
                del stream.reconfigure


def stack_depth() -> int:
    """How many frames the caller stands on (itself included)."""
    depth = 0
    frame: Any = sys._getframe(1)
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth
