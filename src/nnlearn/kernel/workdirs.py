"""The kernel's private folder in the temp folder, and clearing those a killed nnlearn left.

Why: a started kernel needs a connection file (which holds the key that lets
anyone run code in it), its IPC sockets and a log. They live in one folder
made by ``mkdtemp`` (0700) and are removed at shutdown. An nnlearn killed
with ``kill -9`` cannot remove it, so each folder names its owner's process
id, and the next start removes this user's folders whose owner is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

PREFIX = "nnlearn-"
OWNER_FILE = "owner.pid"


def log_tail(workdir: Path | None, lines: int = 8) -> str:
    """The last lines of the kernel's own stderr, to explain a kernel that failed to start."""
    if workdir is None:
        return ""
    try:
        text = (workdir / "kernel.log").read_text(errors="replace").strip()
    except OSError:
        return ""
    if not text:
        return ""
    return "\nThe kernel said:\n" + "\n".join(text.splitlines()[-lines:])


def make_workdir() -> Path:
    """A new private folder for one kernel, after clearing stale ones; owned by this process."""
    with contextlib.suppress(OSError):
        remove_stale_workdirs()
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    descriptor = os.open(folder / OWNER_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as owner:
        owner.write(f"{os.getpid()}\n")
    return folder


def remove_stale_workdirs(temp: Path | None = None) -> list[Path]:
    """Remove this user's kernel folders in ``temp`` whose owning process is gone.

    Only real folders (not links) owned by this user and holding an owner file
    are considered; anything else named ``nnlearn-*`` is left alone.
    """
    temp = Path(temp) if temp is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    for folder in temp.glob(PREFIX + "*"):
        try:
            info = folder.lstat()
            if not stat.S_ISDIR(info.st_mode) or not _mine(info):
                continue
            owner = int((folder / OWNER_FILE).read_text(encoding="ascii").strip())
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if owner <= 0 or _alive(owner):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _mine(info: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)
    return getuid is None or info.st_uid == getuid()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or a platform without signal 0: assume alive
        return True
    return True
