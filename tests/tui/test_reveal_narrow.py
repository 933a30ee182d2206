"""Pilot tests: on a narrow screen, a hint or an answer asked for from the editor is shown.

The lesson pane takes the screen and the keyboard (arrows and PageUp scroll it,
F3 goes back to the editor), scrolled to what was just revealed, which on a
short terminal is below the first screenful of the step.
"""

from __future__ import annotations

from waiting import until_started

from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.hints import HintsView
from nnlearn.tui.widgets.lesson_pane import LessonPane
from nnlearn.tui.widgets.think import ThinkView

SHORT_NARROW = (80, 12)  # the lesson pane holds a few lines: the step's end is out of view


def in_view(pane: LessonPane, widget) -> bool:
    """The widget's first line is on screen inside the pane (the rest may run past its end)."""
    region = widget.region
    return region.height > 0 and pane.region.contains(region.x, region.y)


async def ask_from_the_editor(pilot, step_index: int, key: str) -> LessonPane:
    """Go to the step, then to the editor (it has the keys), then press ``key``."""
    screen = pilot.app.main_screen
    await until_started(pilot)
    await screen.enter_step(0, step_index)
    await pilot.press("f3")
    await pilot.pause()
    assert isinstance(pilot.app.focused, CodeEditor)
    await pilot.press(key)
    await pilot.pause()
    await pilot.pause()
    pane = screen.query_one(LessonPane)
    assert screen.pane == "lesson" and pilot.app.focused is pane
    return pane


async def test_ctrl_g_from_the_editor_shows_the_new_hint_and_gives_the_lesson_the_keys(make_app):
    app = make_app()
    async with app.run_test(size=SHORT_NARROW) as pilot:
        pane = await ask_from_the_editor(pilot, 2, "ctrl+g")
        assert in_view(pane, app.main_screen.query_one(HintsView).children[-1])
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.focused, CodeEditor)


async def test_ctrl_f_from_the_editor_shows_the_answer(make_app):
    app = make_app()
    async with app.run_test(size=SHORT_NARROW) as pilot:
        pane = await ask_from_the_editor(pilot, 1, "ctrl+f")
        assert in_view(pane, app.main_screen.query_one(ThinkView))
