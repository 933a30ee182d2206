"""Pilot tests: the results tab on screen has the keyboard, so its keys work without a mouse.

PageUp/PageDown scroll it, ``+``/``-`` fold the Shapes and Params trees and
``o`` turns the Inside sampling off: each only reaches the view that has focus.
"""

from __future__ import annotations

from textual.widgets import TabbedContent
from waiting import pause_until, until_started

from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.inside_view import InsideView
from nnlearn.tui.widgets.output_log import OutputLog
from nnlearn.tui.widgets.params_view import ParamsView
from nnlearn.tui.widgets.shapes_view import ShapesView

NARROW = (80, 24)
WIDE = (160, 48)


async def test_f4_gives_each_tab_it_shows_the_keyboard(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        await pilot.press("f4")  # from the lesson pane: the results as they are
        await pilot.pause()
        assert isinstance(app.focused, OutputLog)
        focused = []
        for _ in range(5):
            await pilot.press("f4")
            await pilot.pause()
            focused.append(type(app.focused).__name__)
        assert screen.query_one(TabbedContent).active == "tab-inside"
        assert focused == ["ShapesView", "ParamsView", "LossView", "PlotsView", "InsideView"]


async def test_o_after_f4_turns_the_inside_sampling_off(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        for _ in range(6):
            await pilot.press("f4")
        await pilot.pause()
        inside = app.main_screen.query_one(InsideView)
        await pilot.press("o")
        await pilot.pause()
        assert not inside.enabled


async def give_focus(pilot, widget) -> None:
    widget.focus()
    await pilot.pause()


async def fail_a_run(pilot) -> None:
    """F5 on code that raises, until the run has ended and the screen has settled."""
    screen = pilot.app.main_screen
    screen.query_one(CodeEditor).load_text("x = 1\nraise ValueError('boom')\n")
    await pilot.press("f5")
    await pause_until(pilot, lambda: not screen.runner.running)
    for _ in range(3):
        await pilot.pause()


async def test_a_run_error_on_a_narrow_screen_lets_the_keys_scroll_the_traceback(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await pilot.press("f3")  # the editor
        await pilot.pause()
        await fail_a_run(pilot)
        assert app.main_screen.pane == "results"
        assert isinstance(app.focused, OutputLog)


async def test_f4_in_a_wide_layout_moves_the_keyboard_only_when_the_results_have_it(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        tabs = screen.query_one(TabbedContent)
        await give_focus(pilot, screen.query_one(CodeEditor))
        await pilot.press("f4")
        await pilot.pause()
        assert tabs.active == "tab-shapes"
        assert isinstance(app.focused, CodeEditor)  # typing goes on where it was
        await give_focus(pilot, screen.query_one(ShapesView))
        await pilot.press("f4")
        await pilot.pause()
        assert tabs.active == "tab-params"
        assert isinstance(app.focused, ParamsView)


async def test_a_run_error_in_a_wide_layout_still_puts_the_keyboard_in_the_editor(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        app.main_screen.show_results_tab("tab-inside")
        await give_focus(pilot, app.main_screen.query_one(InsideView))
        await fail_a_run(pilot)
        assert app.main_screen.query_one(TabbedContent).active == "tab-output"
        assert isinstance(app.focused, CodeEditor)  # on the line marked with the error


async def test_after_a_failed_run_on_a_narrow_screen_one_f3_goes_back_to_the_editor(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        await pilot.press("f3")  # the editor
        await pilot.pause()
        await fail_a_run(pilot)
        assert screen.pane == "results"
        assert "F3 goes back to Editor" in str(screen.query_one("#pane-bar").render())
        await pilot.press("f3")
        await pilot.pause()
        assert screen.pane == "editor"
        assert isinstance(app.focused, CodeEditor)
        assert "F3 goes back" not in str(screen.query_one("#pane-bar").render())


async def test_f3_goes_back_to_the_pane_f4_left_on_a_narrow_screen(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        await pilot.press("f3", "f4")  # from the editor, a look at the results
        await pilot.pause()
        assert screen.pane == "results"
        await pilot.press("f4", "f3")  # another tab, then back
        await pilot.pause()
        assert screen.pane == "editor"
        assert isinstance(app.focused, CodeEditor)
