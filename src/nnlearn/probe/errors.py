"""Turn an exception from the learner's code into a report a beginner can act on.

The traceback keeps only the learner's own frames (from the editor or their
script), so a shape mismatch points at their line, not at torch internals;
the frame it was raised in, when not theirs, is named by its package
(``torch``) or standard-library module (``json.decoder``). Nothing about the
exception is trusted: a ``__str__`` that raises or returns a non-string still
gives a report.
"""

from __future__ import annotations

import os
import sysconfig
import traceback
from types import TracebackType
from typing import Any

from nnlearn.kernel.events import RunError
from nnlearn.probe.script import STAND_INS


def safe_str(value: Any) -> str:
    """``str(value)``, or a stand-in naming its type when that fails."""
    try:
        text = str(value)
    except Exception:
        return f"<{_type_name(value)} whose str() failed>"
    if not isinstance(text, str):  # a str subclass with odd behaviour
        return f"<{_type_name(value)} whose str() is not text>"
    return text


def _type_name(value: Any) -> str:
    try:
        return type(value).__name__
    except Exception:
        return "object"


def syntax_error_report(exc: SyntaxError) -> RunError:
    text = "".join(traceback.format_exception_only(type(exc), exc))
    return RunError(
        type=type(exc).__name__,
        message=safe_str(exc.msg) if exc.msg else safe_str(exc),
        line=exc.lineno,
        traceback=text.rstrip("\n"),
    )


def exception_report(exc: BaseException, filename: str) -> RunError:
    """Type, message, the learner's failing line, and a traceback of their frames."""
    frames = traceback.extract_tb(_traceback_of(exc))
    own = [f for f in frames if f.filename == filename]
    line = own[-1].lineno if own else None
    message = safe_str(exc)
    lines = ["Traceback (most recent call last):\n"]
    lines.extend(traceback.format_list(own))
    if frames and frames[-1].filename != filename and not _stand_in(frames[-1]):
        origin = frames[-1]
        lines.append(f"  (raised inside {origin_label(origin.filename)}, in {origin.name})\n")
    name = _type_name(exc)
    try:
        lines.extend(traceback.format_exception_only(type(exc), exc))
    except Exception:
        lines.append(f"{name}: {message}\n" if message else f"{name}\n")
    return RunError(type=name, message=message, line=line, traceback="".join(lines).rstrip("\n"))


def _stand_in(frame: traceback.FrameSummary) -> bool:
    return (frame.filename, frame.name) in STAND_INS


def _traceback_of(exc: BaseException) -> TracebackType | None:
    # The first frame is the probe's own exec() call: drop it.
    tb = exc.__traceback__
    return tb.tb_next if tb is not None and tb.tb_next is not None else tb


def _stdlib_folders() -> list[str]:
    paths = sysconfig.get_paths()
    folders = {paths.get("stdlib"), paths.get("platstdlib")}
    return [os.path.join(os.path.abspath(f), "") for f in folders if f]


_STDLIB = _stdlib_folders()


def origin_label(path: str) -> str:
    """``torch`` for an installed package, ``json.decoder`` for the standard library."""
    for marker in ("site-packages/", "dist-packages/"):
        if marker in path:
            return path.split(marker, 1)[1].split("/", 1)[0]
    absolute = os.path.abspath(path)
    for folder in _STDLIB:
        if absolute.startswith(folder):
            module = absolute[len(folder) :].removesuffix(".py").replace(os.sep, ".")
            return module.removesuffix(".__init__")
    if "/lib/python" in path:  # another Python's standard library
        rest = path.split("/lib/python", 1)[1].split("/", 1)
        if len(rest) == 2:
            return rest[1].removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    return path
