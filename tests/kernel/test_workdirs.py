"""Kernel folders left by a killed nnlearn are removed at the next start; nothing else is."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from nnlearn.kernel import workdirs


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def folder_with_owner(temp: Path, name: str, owner: str | None) -> Path:
    folder = temp / name
    folder.mkdir()
    (folder / "kernel.json").write_text('{"key": "secret"}')
    if owner is not None:
        (folder / workdirs.OWNER_FILE).write_text(owner)
    return folder


def test_only_this_users_folders_with_a_dead_owner_are_removed(tmp_path: Path) -> None:
    stale = folder_with_owner(tmp_path, "nnlearn-stale", str(dead_pid()))
    live = folder_with_owner(tmp_path, "nnlearn-live", str(os.getpid()))
    unowned = folder_with_owner(tmp_path, "nnlearn-unsaved-x", None)
    garbage = folder_with_owner(tmp_path, "nnlearn-garbage", "not a pid")
    other = folder_with_owner(tmp_path, "other-stale", str(dead_pid()))
    link = tmp_path / "nnlearn-link"
    link.symlink_to(stale)
    assert workdirs.remove_stale_workdirs(tmp_path) == [stale]
    assert not stale.exists()
    for kept in (live, unowned, garbage, other):
        assert kept.is_dir()
    assert link.is_symlink()


def test_a_new_workdir_is_private_names_its_owner_and_clears_stale_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workdirs.tempfile, "tempdir", str(tmp_path))
    stale = folder_with_owner(tmp_path, "nnlearn-stale", str(dead_pid()))
    folder = workdirs.make_workdir()
    assert not stale.exists()
    assert folder.parent == tmp_path and folder.name.startswith("nnlearn-")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    owner = folder / workdirs.OWNER_FILE
    assert owner.read_text().strip() == str(os.getpid())
    assert stat.S_IMODE(owner.stat().st_mode) == 0o600
    assert workdirs.remove_stale_workdirs(tmp_path) == []  # its owner (us) is alive


KILLED_CHILD = """
import asyncio, os, signal
from nnlearn.kernel.session import KernelSession

async def main():
    session = KernelSession()
    await session._launch()  # the kernel is up: its connection file and sockets exist
    print(session._workdir, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


@pytest.mark.kernel
def test_after_kill_9_the_next_start_removes_the_kernel_files(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    child = subprocess.run(
        [sys.executable, "-c", KILLED_CHILD], capture_output=True, text=True, env=env, timeout=120
    )
    assert child.returncode == -9, child.stderr
    left = Path(child.stdout.strip())
    assert left.parent == tmp_path
    assert (left / "kernel.json").is_file()  # the key stays behind after kill -9...
    assert list(tmp_path.glob("tmp*.json")) == []  # ...in the private folder only
    assert workdirs.remove_stale_workdirs(tmp_path) == [left]  # the next start clears it
