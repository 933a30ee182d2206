"""Loaded lessons kept between launches, so the app opens without parsing every file.

Parsing fourteen lesson files (Markdown, YAML, a syntax check of each code
block) takes about a tenth of a second, a large part of the time the app needs
to show its first frame. The result is saved next to the learner's progress
and reused while nothing it came from has changed: the lesson files (name,
size, modification time) and the loader's own source files, as with Python's
``.pyc`` files. A cache that is missing, stale, unreadable or corrupt is
ignored and written again; failing to write it is not an error.

The cache is a pickle in the learner's own data folder, the same trust as the
progress file beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from nnlearn import __version__
from nnlearn.curriculum.files import make_private_folder, read_regular_file
from nnlearn.curriculum.model import LoadResult

FORMAT = 1
MAX_CACHE_BYTES = 64_000_000  # the bundled lessons' cache is about 1 MB
_LOADER_MODULES = ("blocks.py", "cache.py", "loader.py", "model.py", "steps.py")


def load_lessons_cached(folder: Path, cache_dir: Path) -> LoadResult:
    """``load_lessons(folder)``, from ``cache_dir`` when the files are unchanged since."""
    folder = Path(folder)
    key = _cache_key(folder)
    folder_hash = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    path = Path(cache_dir) / f"lessons-{folder_hash}.pickle"
    if key is not None:
        cached = _read(path, key)
        if cached is not None:
            return cached
    from nnlearn.curriculum.loader import load_lessons  # Markdown and YAML parsers: only on a miss

    result = load_lessons(folder)
    if key is not None:
        _write(path, key, result)
    return result


def _cache_key(folder: Path) -> tuple | None:
    """What the loaded lessons depend on; None when the folder cannot be listed."""
    lessons = []
    try:
        for entry in os.scandir(folder):
            if entry.is_file():
                stat = entry.stat()
                lessons.append((entry.name, stat.st_size, stat.st_mtime_ns))
    except OSError:
        return None
    lessons.sort()
    here = Path(__file__).parent
    code = []
    for name in _LOADER_MODULES:
        with contextlib.suppress(OSError):
            stat = (here / name).stat()
            code.append((name, stat.st_size, stat.st_mtime_ns))
    return (FORMAT, __version__, sys.version_info[:2], str(folder.resolve()), lessons, code)


def _read(path: Path, key: tuple) -> LoadResult | None:
    try:
        stored_key, result = pickle.loads(read_regular_file(path, MAX_CACHE_BYTES))
    except Exception:  # missing, unreadable, truncated, from another version: parse again
        return None
    if stored_key != key or not isinstance(result, LoadResult):
        return None
    return result


def _write(path: Path, key: tuple, result: LoadResult) -> None:
    try:
        make_private_folder(path.parent)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump((key, result), stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except Exception:  # a read-only or full disk only costs the next launch a parse
        return
