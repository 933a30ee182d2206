"""The kernel ``nnlearn`` launches before its app: adopted by the session, or replaced."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from kernel_helpers import collect, only, run_and_interrupt, stdout

from nnlearn.kernel import early_kernel
from nnlearn.kernel.events import KernelRestarted, RunError, RunFinished
from nnlearn.kernel.session import KernelSession

pytestmark = pytest.mark.kernel


async def test_the_session_adopts_the_early_kernel_and_uses_it_fully(tmp_path):
    early = early_kernel.launch(str(tmp_path))
    assert early.kernel is not None and early.failure is None
    process = early.kernel.process
    session = KernelSession(cwd=tmp_path, early=early)
    try:
        await session.start()
        assert session._km is not None and session._km.provisioner.process is process
        assert session._workdir == early.kernel.workdir and session.start_note is None
        events = await collect(session, "import os\nprint(os.getpid())", device="cpu")
        assert stdout(events) == f"{process.pid}\n"
        code = "import gc\nprint(6 * 7, gc.isenabled())"  # collected, as under python
        events = await collect(session, code, device="cpu")
        assert isinstance(events[-1], RunFinished) and stdout(events) == "42 True\n"
        await session.restart()  # no spare: jupyter_client restarts the adopted kernel
        events = await collect(session, "import os\nprint(os.getpid())", device="cpu")
        assert stdout(events) != f"{process.pid}\n" and events[-1].ok
    finally:
        await session.shutdown()
    assert process.poll() is not None
    assert not early.kernel.workdir.exists()


async def test_ipykernel_starts_without_its_debugger_and_the_learner_may_import_it(tmp_path):
    early = early_kernel.launch(str(tmp_path))
    session = KernelSession(cwd=tmp_path, early=early)
    code = (
        "import sys\n"
        "print('debugpy' in sys.modules, any('Debugger' in type(f).__name__ "
        "for f in sys.meta_path))\n"
        "import debugpy\n"
        "print(debugpy.__name__)\n"
    )
    try:
        await session.start()
        events = await collect(session, code, device="cpu")
    finally:
        await session.shutdown()
    assert stdout(events) == "False False\ndebugpy\n", events


async def test_interrupting_the_adopted_kernel_stops_the_run(tmp_path):
    early = early_kernel.launch(str(tmp_path))
    session = KernelSession(cwd=tmp_path, early=early, interrupt_grace=60.0)
    try:
        await session.start()
        events = await run_and_interrupt(
            session, "print('go', flush=True)\nwhile True:\n    pass\n"
        )
    finally:
        await session.shutdown()
    assert not only(events, KernelRestarted), "SIGINT reaches the adopted kernel"
    [error] = only(events, RunError)
    assert error.type == "KeyboardInterrupt" and events[-1].interrupted


async def test_a_failed_early_launch_starts_the_usual_way_and_says_so(tmp_path, monkeypatch):
    def no_processes(*args, **kwargs):
        raise OSError("no processes left")

    monkeypatch.setattr(early_kernel.subprocess, "Popen", no_processes)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    early = early_kernel.launch()
    monkeypatch.undo()
    assert early.kernel is None and early.failure == "OSError: no processes left"
    assert not list(tmp_path.glob("nnlearn-*")), "its folder is removed"
    session = KernelSession(early=early)
    try:
        await session.start()
        assert "could not be launched early (OSError: no processes left)" in session.start_note
        events = await collect(session, "print(6 * 7)", device="cpu")
        assert stdout(events) == "42\n"
    finally:
        await session.shutdown()


async def test_an_early_kernel_that_died_is_replaced(tmp_path):
    early = early_kernel.launch(str(tmp_path))
    assert early.kernel is not None
    early.kernel.process.kill()
    early.kernel.process.wait()
    session = KernelSession(cwd=tmp_path, early=early)
    try:
        await session.start()
        events = await collect(session, "print('fresh')", device="cpu")
        assert stdout(events) == "fresh\n"
    finally:
        await session.shutdown()
    assert not early.kernel.workdir.exists()


def test_an_early_kernel_nobody_adopts_is_stopped_and_its_folder_removed(tmp_path):
    early = early_kernel.launch(str(tmp_path))
    assert early.kernel is not None
    early.kernel.discard()
    assert early.kernel.process.poll() is not None
    assert not early.kernel.workdir.exists()
    early.kernel.discard()  # once is enough; again is harmless


def test_the_connection_file_is_private(tmp_path):
    early = early_kernel.launch(str(tmp_path))
    assert early.kernel is not None
    try:
        mode = os.stat(early.kernel.connection_file).st_mode & 0o777
        assert mode == 0o600
    finally:
        early.kernel.discard()


async def test_nothing_is_imported_from_the_working_folder_while_it_starts(tmp_path):
    for name in ("torch", "numpy", "nnlearn", "json", "ipykernel", "gc"):
        (tmp_path / f"{name}.py").write_text(
            f"open({str(tmp_path / 'imported')!r}, 'a').write({name!r} + '\\n')\n"
        )
    early = early_kernel.launch(str(tmp_path))
    session = KernelSession(cwd=tmp_path, early=early)
    try:
        await session.start()
        assert not (tmp_path / "imported").exists()
        (tmp_path / "mine.py").write_text("WHERE = 'cwd'\n")
        events = await collect(session, "import mine\nprint(mine.WHERE)", device="cpu")
        assert stdout(events) == "cwd\n"  # the learner's own Run, by Python's rules
    finally:
        await session.shutdown()
    assert not (tmp_path / "imported").exists()


def test_the_launcher_keeps_the_working_folder_off_the_path(tmp_path, monkeypatch):
    from nnlearn.kernel.launcher import keep_working_folder_off_path

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", "/named")
    path = ["", str(tmp_path), "/lib", "/named"]
    keep_working_folder_off_path(path)
    assert path == ["/lib", "/named"]
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # named on purpose: kept
    path = ["", str(tmp_path)]
    keep_working_folder_off_path(path)
    assert path == [str(tmp_path)]


def test_a_kernel_without_torch_still_starts_and_the_warm_up_says_why(tmp_path):
    (tmp_path / "torch").mkdir()  # a broken torch first on the path
    (tmp_path / "torch" / "__init__.py").write_text("raise ImportError('broken torch')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *_src()])}
    code = (
        "import sys; sys.argv = ['x', '--help']\n"
        "from nnlearn.kernel import launcher\n"
        "try:\n    launcher.main()\nexcept SystemExit:\n    pass\n"
        "print('torch' in sys.modules, 'ipykernel.kernelapp' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path.parent,
        check=False,
    )
    assert done.stdout.strip().splitlines()[-1] == "False True", done.stderr


def _src() -> list[str]:
    import nnlearn

    return [os.path.dirname(os.path.dirname(nnlearn.__file__))]
