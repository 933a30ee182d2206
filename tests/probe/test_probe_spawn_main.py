"""The script a spawned worker of a Run starts from (``probe/spawn_main.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nnlearn.probe import spawn_main
from nnlearn.probe.spawn_main import _WorkerMain, _write_main

CODE = """\
import os

if __name__ != "__main__":
    print(device, os.path.basename(__file__))
    raise ValueError(f"a worker on {device} stops here")
"""


def _as_a_worker(main: str) -> subprocess.CompletedProcess[str]:
    """Run ``main`` as multiprocessing's spawned worker does (as ``__mp_main__``)."""
    start = f"import runpy; runpy.run_path({main!r}, run_name='__mp_main__')"
    return subprocess.run([sys.executable, "-c", start], capture_output=True, text=True)


@pytest.fixture(autouse=True)
def _own_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(spawn_main, "_copy_folder", str(tmp_path))


@pytest.mark.parametrize("editor", [True, False])
def test_a_workers_traceback_shows_the_failed_line_not_the_whole_code(tmp_path, editor):
    script = tmp_path / "job.py"
    if not editor:
        script.write_text(CODE)
    main = _write_main(_WorkerMain(str(script), CODE, editor, "cpu"))
    assert main is not None
    worker = _as_a_worker(main)
    assert worker.stdout == "cpu job.py\n"
    shown = Path(main).with_name("editor.py") if editor else script
    assert f'File "{shown}", line 5, in <module>' in worker.stderr
    assert 'raise ValueError(f"a worker on {device} stops here")' in worker.stderr
    assert worker.stderr.endswith("ValueError: a worker on cpu stops here\n")
    assert "import os" not in worker.stderr  # the code is not shown whole as one line


def test_code_without_device_runs_from_its_copy_as_it_is(tmp_path):
    code = "print(__name__)\n"
    main = _write_main(_WorkerMain(str(tmp_path / "editor.py"), code, True, None))
    assert main is not None and Path(main).read_text() == code
    assert _as_a_worker(main).stdout == "__mp_main__\n"
