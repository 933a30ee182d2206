"""A working folder deleted or moved while nnlearn runs: no kernel can start in it, and we say so.

Launching one there raised a bare FileNotFoundError from subprocess, which
ended the TUI with a traceback at the next F8 (or Run after a dead kernel).
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
