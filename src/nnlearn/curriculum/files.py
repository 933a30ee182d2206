"""Safe file writes for the learner's state: atomic replace, and moving a bad file aside.

Why: progress and drafts must survive a crash, a killed SSH session or a
full disk mid-write. A write goes to a temporary file in the same folder, is
flushed to disk, then renamed over the old file in one step, so a reader
sees either the old content or the new, never half of one. What is written is
private: folders are created 0700 and files 0600 (the learner's code is
nobody else's business on a shared GPU server).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from datetime import datetime
from pathlib import Path


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` (links followed) if it is a regular file of at most ``limit`` bytes.

    Anything else raises ``OSError`` with a reason a person can read, without
    blocking: reading a FIFO would wait forever, ``/dev/zero`` never ends, and a
    file of hundreds of megabytes would hold the app's start for many seconds.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file (a pipe or a device)", str(path))
        if info.st_size > limit:
            raise OSError(
                errno.EFBIG,
                f"it is {_size(info.st_size)}, more than the {_size(limit)} "
                "nnlearn reads from such a file",
                str(path),
            )
        data = stream.read(limit + 1)
    if len(data) > limit:  # it grew while it was read
        raise OSError(errno.EFBIG, f"it is more than {_size(limit)}", str(path))
    return data


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.0f} kB" if size >= 1000 else f"{size} bytes"


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing folder above it, each readable by its owner only.

    Folders that already exist keep their mode. Raises ``OSError`` (a file in
    the way, a read-only or full disk) like ``Path.mkdir``.
    """
    missing: list[Path] = []
    current = folder
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            if not path.is_dir():
                raise


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically; the folder is created if needed.

    The file is 0600 (``mkstemp`` makes it so and the rename keeps it). A link to a
    file (progress kept in a synced folder) is written through, not replaced by a file.
    """
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if target.is_file():
            with contextlib.suppress(OSError):  # else the link is replaced: saved all the same
                _write_replacing(target, text)
                return
    _write_replacing(path, text)


def _write_replacing(path: Path, text: str) -> None:
    make_private_folder(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def timestamp() -> str:
    """A sortable local timestamp for backup names, precise enough not to collide."""
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def unused_path(candidate: Path) -> Path:
    """``candidate``, or ``candidate`` with ``-2``, ``-3``... if that name is taken."""
    if not candidate.exists():
        return candidate
    number = 2
    while True:
        numbered = candidate.with_name(f"{candidate.name}-{number}")
        if not numbered.exists():
            return numbered
        number += 1


def move_aside(path: Path, label: str) -> Path:
    """Rename ``path`` to ``<name>.<label>-<timestamp>`` next to it and return the new path."""
    target = unused_path(path.with_name(f"{path.name}.{label}-{timestamp()}"))
    os.replace(path, target)
    return target
