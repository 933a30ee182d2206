"""The learner's code survives the terminal going away (SIGHUP) and SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from nnlearn.curriculum.progress import ProgressStore
from nnlearn.tui.widgets.editor import CodeEditor

HERE = Path(__file__).parent
TYPED = "# typed before the hangup"


def _run_child_and_signal(home: Path, lessons: Path, signum: int) -> int:
    env = {**os.environ, "NNLEARN_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, str(HERE / "sighup_child.py"), str(lessons)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "READY", child.stderr.read()
        assert ProgressStore(home).load_draft("basics", 0) is None  # not autosaved yet
        child.send_signal(signum)
        return child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
async def test_signal_mid_edit_saves_the_draft(signum, home, make_app):
    from tui_fakes import FIXTURE_LESSONS

    code = _run_child_and_signal(home, FIXTURE_LESSONS, signum)
    assert code == 128 + signum
    draft = ProgressStore(home).load_draft("basics", 0)
    assert draft is not None and draft.startswith(TYPED)

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.main_screen.query_one(CodeEditor).text.startswith(TYPED)
