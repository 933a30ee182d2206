"""SVG snapshots at 80x24 and 160x48: main screen, help, a quiz, a failed run, Shapes and Inside.

Everything shown comes from the fake kernel and fixture lessons, with fixed
run times, so the pictures do not change between runs. Update them with
``pytest tests/tui/test_tui_snapshots.py --snapshot-update`` after a deliberate
change of the layout, and look at the report before committing.
"""

from __future__ import annotations

from waiting import pause_until, until_prepared

from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.status_bar import StatusBar

NARROW = (80, 24)
WIDE = (160, 48)


async def _idle(pilot) -> None:
    """Until the results tabs are there, the kernel is idle and no code runs."""
    screen = pilot.app.main_screen
    status = screen.query_one(StatusBar)
    await pause_until(
        pilot,
        lambda: screen.results is not None and status.state == "idle" and not screen.runner.running,
    )
    screen.query_one(CodeEditor).cursor_blink = False
    await pilot.pause()


def test_main_screen_narrow(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=NARROW, run_before=_idle)


def test_main_screen_narrow_editor_pane(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=NARROW, press=["f3"], run_before=_idle)


def test_main_screen_wide(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_idle)


def test_help_screen(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=NARROW, press=["f1"], run_before=_idle)


def test_answered_quiz(snap_compare, make_app):
    async def answer(pilot) -> None:
        await _idle(pilot)
        await pilot.app.main_screen.enter_step(0, 1)
        await pilot.pause()
        quiz = pilot.app.main_screen.query_one("QuizView")
        quiz.query_one("OptionList").focus()
        await pilot.press("1")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=answer)


async def _run_code(pilot, code: str) -> None:
    await _idle(pilot)
    pilot.app.main_screen.query_one(CodeEditor).load_text(code)
    await pilot.press("f5")
    await _idle(pilot)


def test_failed_run(snap_compare, make_app):
    async def fail(pilot) -> None:
        await _run_code(
            pilot, "import torch\nx = torch.ones(2)\nraise ValueError(x)\nprint('never')\n"
        )

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=fail)


def test_failed_run_narrow(snap_compare, make_app):
    async def fail(pilot) -> None:
        await _run_code(pilot, "x = 1\nraise ValueError(x)\n")

    assert snap_compare(make_app(), terminal_size=NARROW, run_before=fail)


def test_failed_run_without_colour(snap_compare, make_app, monkeypatch):
    """NO_COLOR: the error is still told by words and marks, not by colour alone."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def fail(pilot) -> None:
        await _run_code(pilot, "x = 1\nraise ValueError(x)\n")
        await pilot.press("f3", "f3")  # results -> lesson -> editor, which names the line

    assert snap_compare(make_app(), terminal_size=NARROW, run_before=fail)


def _run_and_show(code: str, tab: str):
    async def show(pilot) -> None:
        await _run_code(pilot, code)
        results = pilot.app.main_screen.results
        await until_prepared(pilot, results.shapes, results.params)
        pilot.app.main_screen.show_results_tab(tab)
        await pilot.pause()

    return show


SHAPES_CODE = "import torch\nlayer = nn.Linear(3, 1)\n"
INSIDE_CODE = "model = nn.Linear(3, 1)  # frozen by mistake\nloss = 1\n"


def test_shapes_tab_narrow(snap_compare, make_app):
    show = _run_and_show(SHAPES_CODE, "tab-shapes")
    assert snap_compare(make_app(), terminal_size=NARROW, run_before=show)


def test_shapes_tab_wide(snap_compare, make_app):
    show = _run_and_show(SHAPES_CODE, "tab-shapes")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=show)


def test_inside_tab_narrow(snap_compare, make_app):
    show = _run_and_show(INSIDE_CODE, "tab-inside")
    assert snap_compare(make_app(), terminal_size=NARROW, run_before=show)


def test_inside_tab_wide(snap_compare, make_app):
    show = _run_and_show(INSIDE_CODE, "tab-inside")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=show)
