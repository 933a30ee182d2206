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
short script beside the copy that sets ``device`` as the Run had it, then runs
the copy (``__file__`` is the script's; a file Run's code is compiled under
its file's name, so its traceback lines come from there).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from dataclasses import dataclass
from multiprocessing import spawn
from typing import Any

COPY_NAME = "editor.py"
WORKER_MAIN_NAME = "worker_main.py"
# Beside a copy of the code, not holding its text: a worker's traceback shows the line
# that runs it and, from the copy (an editor Run's file does not exist), the code's lines.
WORKER_MAIN = """\
# Written by nnlearn for a worker process of a Run: the name `device` the Run had,
# then the Run's code (nnlearn/probe/spawn_main.py).
import torch as _nnlearn_torch
device = _nnlearn_torch.device({device!r})
__file__ = {file!r}
with open({copy!r}, encoding="utf-8") as _nnlearn_source:
    _nnlearn_compiled = compile(_nnlearn_source.read(), {shown!r}, "exec", dont_inherit=True)
del _nnlearn_torch, _nnlearn_source
exec(globals().pop("_nnlearn_compiled"), globals())
"""


@dataclass(frozen=True)
class _WorkerMain:
    file: str  # the Run's __file__, as multiprocessing names the main path
    code: str
    editor: bool
    device: str | None  # the Run's, when the code names ``device``


_worker_main: _WorkerMain | None = None  # while a Run's workers need a stand-in
_copy_folder: str | None = None


def code_for_workers(file: str, code: str, device: str, *, editor: bool) -> None:
    """During this Run, workers that would run ``file`` run ``code`` (the editor's has no
    file), with the name ``device`` when the code uses it."""
    global _worker_main
    named = "device" in code
    if not (named or editor):
        return  # the file itself, as python's workers run it
    _install()
    _worker_main = _WorkerMain(os.path.normpath(file), code, editor, device if named else None)


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
        if (
            run is not None
            and isinstance(data, dict)
            and data.get("init_main_from_path") == run.file
        ):
            main = _write_main(run)
            if main is not None:
                data["init_main_from_path"] = main
        return data

    get_preparation_data._nnlearn_editor_copy = True  # type: ignore[attr-defined]
    spawn.get_preparation_data = get_preparation_data


def _write_main(run: _WorkerMain) -> str | None:
    """A worker's main script in the kernel's own temporary folder: the code's copy, or
    the script that gives it ``device`` (None if they cannot be written)."""
    global _copy_folder
    try:
        if _copy_folder is None or not os.path.isdir(_copy_folder):
            _copy_folder = tempfile.mkdtemp(prefix="nnlearn-editor-")
            atexit.register(shutil.rmtree, _copy_folder, True)
        copy = _write(_copy_folder, COPY_NAME, run.code)
        if run.device is None:
            return copy
        shown = copy if run.editor else run.file
        text = WORKER_MAIN.format(device=run.device, file=run.file, copy=copy, shown=shown)
        return _write(_copy_folder, WORKER_MAIN_NAME, text)
    except OSError:  # the worker fails as it would have, with its own message
        return None


def _write(folder: str, name: str, text: str) -> str:
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    return path
