"""Where the lessons that ship with nnlearn are, without importing the lesson parser.

The app needs only this path at start-up (the lessons themselves usually come
from the cache), so it lives apart from ``loader``, which imports the Markdown
and YAML parsers.
"""

from __future__ import annotations

from pathlib import Path


def bundled_lessons_dir() -> Path:
    """The lessons that ship with nnlearn: package data in a wheel, else the repo's lessons/."""
    here = Path(__file__).resolve()
    packaged = here.parents[1] / "lessons"
    if packaged.is_dir():
        return packaged
    return here.parents[3] / "lessons"
