"""Worker processes started by "spawn" or "forkserver" find the Run's code and ``device``.

Such a worker (a ``DataLoader`` with ``num_workers``, a ``multiprocessing.Pool``)
starts a fresh Python that runs the parent's main script again from its file
(as ``__mp_main__``), so that classes and functions the script defined can be
unpickled there. That is the default on macOS, and on Linux from Python 3.14.
A file Run has its file. The editor's code has none: ``__file__`` names
``editor.py`` in the working folder, which does not exist (every worker died
with FileNotFoundError, and the learner read "DataLoader worker exited
unexpectedly") or is another program of the learner's, which the worker
would run instead. For an editor Run, the main path multiprocessing hands its
workers is a copy of the editor's code, written only when a worker starts,
in a private temporary folder; the learner's namespace and ``__file__`` are
left as they are.

Nor does a worker have the name ``device``, which the Run gives the script
(python's workers have what the file defines, and the Run's script defines
no ``device``): top-level code such as ``model = Net().to(device)`` outside
the ``__main__`` guard failed in every worker with NameError. For a Run
whose code names ``device``, editor or file, the worker's main path is a
short script that sets ``device`` as the Run had it, then runs the Run's code
compiled under its own file name (so line numbers and ``__file__`` are the
script's).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from multiprocessing import spawn
from typing import Any

COPY_NAME = "editor.py"
WORKER_MAIN = """\
# Written by nnlearn for a worker process of a Run: the name `device` the Run had,
# then the Run's code under its own file name (nnlearn/probe/spawn_main.py).
import torch as _nnlearn_torch
device = _nnlearn_torch.device({device!r})
del _nnlearn_torch
__file__ = {file!r}
exec(compile({code!r}, {file!r}, "exec", dont_inherit=True), globals())
"""

# (the Run's __file__, what its workers run instead) while a Run's workers need a
# stand-in, else None.
_worker_main: tuple[str, str] | None = None
_copy_folder: str | None = None


def code_for_workers(file: str, code: str, device: str, *, editor: bool) -> None:
    """During this Run, workers that would run ``file`` run ``code`` (the editor's has no
    file), with the name ``device`` when the code uses it."""
    global _worker_main
    if "device" in code:
        main = WORKER_MAIN.format(device=device, file=file, code=code)
    elif editor:
        main = code
    else:
        return  # the file itself, as python's workers run it
    _install()
    _worker_main = (os.path.normpath(file), main)  # as multiprocessing names the main path


def forget_worker_code() -> None:
    global _worker_main
    _worker_main = None


def _install() -> None:
    original = spawn.get_preparation_data
    if getattr(original, "_nnlearn_editor_copy", False):
        return

    @functools.wraps(original)
    def get_preparation_data(name: Any) -> Any:
        data = original(name)
        run = _worker_main
        if run is not None and isinstance(data, dict) and data.get("init_main_from_path") == run[0]:
            copy = _write_copy(run[1])
            if copy is not None:
                data["init_main_from_path"] = copy
        return data

    get_preparation_data._nnlearn_editor_copy = True  # type: ignore[attr-defined]
    spawn.get_preparation_data = get_preparation_data


def _write_copy(code: str) -> str | None:
    """A worker's main script in the kernel's own temporary folder (None if it cannot be
    written)."""
    global _copy_folder
    try:
        if _copy_folder is None or not os.path.isdir(_copy_folder):
            _copy_folder = tempfile.mkdtemp(prefix="nnlearn-editor-")
            atexit.register(shutil.rmtree, _copy_folder, True)
        path = os.path.join(_copy_folder, COPY_NAME)
        with open(path, "w", encoding="utf-8") as copy:
            copy.write(code)
        return path
    except OSError:  # the worker fails as it would have, with its own message
        return None
