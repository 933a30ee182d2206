"""The full path with the real kernel and real torch: lesson, Run, quiz, Check, quit, come back."""

from __future__ import annotations

import pytest
from waiting import until_kernel_warm, wait_for

from nnlearn.curriculum.progress import ProgressStore
from nnlearn.tui.app import NnlearnApp
from nnlearn.tui.screens.lesson_list import LessonListScreen
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.lesson_pane import LessonPane
from nnlearn.tui.widgets.params_view import ParamsView
from nnlearn.tui.widgets.quiz import QuizView
from nnlearn.tui.widgets.shapes_view import ShapesView

RUN_CODE = """import torch
from torch import nn

layer = nn.Linear(3, 1)
out = layer(torch.ones(4, 3))
print(tuple(out.shape))
"""

EXERCISE_CODE = """import torch
from torch import nn

# my answer
layer = nn.Linear(3, 1)
"""


@pytest.mark.kernel
@pytest.mark.slow
async def test_full_path_with_the_real_kernel(home, make_app):
    from tui_fakes import FIXTURE_LESSONS

    app = NnlearnApp(FIXTURE_LESSONS, ProgressStore(home), session_factory=None)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.main_screen
        await until_kernel_warm(pilot)

        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LessonListScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.lesson.id == "basics" and screen.step_index == 0

        editor = screen.query_one(CodeEditor)
        editor.load_text(RUN_CODE)
        await pilot.press("f5")
        await wait_for(pilot, lambda: not screen.runner.running, "the run to finish")
        shapes = screen.query_one(ShapesView).shapes
        assert shapes is not None
        row = next(r for r in shapes.rows if r.path == "layer")
        assert row.inputs == [[4, 3]] and row.outputs == [[4, 1]]
        models = screen.query_one(ParamsView).models
        assert [(m.model, m.total) for m in models] == [("layer", 4)]

        await pilot.press("ctrl+n")
        await pilot.pause()
        screen.query_one(QuizView).query_one("OptionList").focus()
        await pilot.press("2")
        await pilot.pause()
        assert screen.query_one(QuizView).answered == 1

        await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen.step_index == 2
        editor.load_text(EXERCISE_CODE)
        await pilot.press("f9")
        await wait_for(pilot, lambda: not screen.runner.running, "the check to finish")
        assert ProgressStore(home).exercise_result("basics", 2)[0] is True
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0

    store = ProgressStore(home)
    assert store.current() == ("basics", 2)
    assert store.is_done("basics", 2) and store.quiz_answer("basics", 1, 0) == 1
    again = make_app()
    async with again.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = again.main_screen
        assert (screen.lesson.id, screen.step_index) == ("basics", 2)
        assert screen.query_one(CodeEditor).text == EXERCISE_CODE
        pane = screen.query_one(LessonPane)
        assert "✓ done" in str(pane.query_one(".step-header").render())
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert screen.query_one(QuizView).answered == 1


@pytest.mark.kernel
@pytest.mark.slow
async def test_a_real_kernel_killed_between_runs_is_noticed_without_a_run(home):
    """The app watches its kernel: killed while idle, the status line and Output say so."""
    import os
    import signal

    from tui_fakes import FIXTURE_LESSONS

    from nnlearn.tui.widgets.output_log import OutputLog

    app = NnlearnApp(FIXTURE_LESSONS, ProgressStore(home), session_factory=None)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.main_screen
        status = await until_kernel_warm(pilot)
        session = screen.runner.session
        os.kill(session._km.provisioner.pid, signal.SIGKILL)
        await wait_for(pilot, lambda: status.state == "dead", "the app to notice the death")

        def output() -> str:
            return " ".join(
                " ".join(line.text for line in screen.query_one(OutputLog).lines).split()
            )

        assert "The kernel died: it was killed by SIGKILL" in output()
        assert "runs your code in a new one" in output()
        screen.query_one(CodeEditor).load_text("print('alive again')\n")
        await pilot.press("f5")
        await wait_for(pilot, lambda: not screen.runner.running, "the run to finish")
        assert "alive again" in output() and status.state == "idle"
        await pilot.press("ctrl+q")
        await pilot.pause()
