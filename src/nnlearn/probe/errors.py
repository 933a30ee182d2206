"""Turn an exception from the learner's code into a report a beginner can act on.

The traceback keeps only the learner's own frames (from the editor), so a
shape mismatch points at their line, not at torch internals.
"""

from __future__ import annotations

import traceback
from types import TracebackType
from typing import Any


def syntax_error_report(exc: SyntaxError) -> dict[str, Any]:
    text = "".join(traceback.format_exception_only(type(exc), exc))
    return {
        "kind": "error",
        "type": type(exc).__name__,
        "message": exc.msg or str(exc),
        "line": exc.lineno,
        "traceback": text.rstrip("\n"),
    }


def exception_report(exc: BaseException, filename: str) -> dict[str, Any]:
    """Type, message, the learner's failing line, and a traceback of their frames."""
    frames = traceback.extract_tb(_traceback_of(exc))
    own = [f for f in frames if f.filename == filename]
    line = own[-1].lineno if own else None
    lines = ["Traceback (most recent call last):\n"]
    lines.extend(traceback.format_list(own))
    if frames and frames[-1].filename != filename:
        origin = frames[-1]
        lines.append(f"  (raised inside {_short_origin(origin.filename)}, in {origin.name})\n")
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return {
        "kind": "error",
        "type": type(exc).__name__,
        "message": str(exc),
        "line": line,
        "traceback": "".join(lines).rstrip("\n"),
    }


def _traceback_of(exc: BaseException) -> TracebackType | None:
    # The first frame is the probe's own exec() call: drop it.
    tb = exc.__traceback__
    return tb.tb_next if tb is not None and tb.tb_next is not None else tb


def _short_origin(path: str) -> str:
    for marker in ("site-packages/", "dist-packages/", "lib/python"):
        if marker in path:
            return path.split(marker, 1)[1].split("/", 1)[0]
    return path
