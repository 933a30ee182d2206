"""A working folder deleted or moved while nnlearn runs: no kernel can start in it, and we say so.

Launching one there raised a bare FileNotFoundError from subprocess, which
ended the TUI with a traceback at the next F8 (or Run after a dead kernel).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nnlearn.kernel import session as session_module
from nnlearn.kernel.protocol import WARM_CODE
from nnlearn.kernel.session import KernelError, KernelSession


@pytest.mark.parametrize("step", ["start", "restart"])
async def test_a_kernel_in_a_folder_that_is_gone_is_a_clear_kernel_error(
    tmp_path: Path, step: str
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    session = KernelSession(cwd=gone, spare=False)
    gone.rmdir()
    with pytest.raises(KernelError, match=r"working folder .*gone no longer exists"):
        await getattr(session, step)()
    await session.shutdown()


def test_the_warm_up_takes_the_folder_off_the_path_even_when_it_is_gone(tmp_path: Path) -> None:
    """A kernel whose folder went away before its warm-up failed it with FileNotFoundError,
    reported as "could not load nnlearn's probe ... is nnlearn installed?"."""
    folder = tmp_path / "work"
    folder.mkdir()
    before_the_probe = WARM_CODE.split("import nnlearn.probe")[0]
    script = (
        "import os, sys\n"
        f"sys.path[:0] = ['', {str(folder)!r}]\n"
        f"os.rmdir({str(folder)!r})\n"
        f"exec({before_the_probe!r})\n"
        "print(sys.path[0] != '')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True\n"


async def test_a_folder_that_cannot_be_entered_is_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod 000 on the folder meanwhile (tested by pretending: root may enter anything)."""
    monkeypatch.setattr(session_module.os, "access", lambda path, mode: str(path) != str(tmp_path))
    session = KernelSession(cwd=tmp_path, spare=False)
    with pytest.raises(KernelError, match=r"cannot be entered \(no permission\).*chmod u\+rx"):
        await session.start()
    await session.shutdown()


@pytest.mark.parametrize("command", [["run", "/tmp/x.py"], ["lessons", "check"], []])
def test_starting_in_a_folder_that_is_gone_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """A shell still in a folder deleted meanwhile: a FileNotFoundError traceback before."""
    script = (
        "import os, sys\n"
        f"os.chdir({str(tmp_path)!r}); os.rmdir({str(tmp_path)!r})\n"
        "from nnlearn.cli import main\n"
        f"sys.exit(main({command!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2, done.stderr
    assert "the current folder cannot be used (No such file or directory)" in done.stderr
    assert "Traceback" not in done.stderr
