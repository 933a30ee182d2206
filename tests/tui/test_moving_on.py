"""Pilot tests: another step's Run stays with that step when the learner moves on.

Under a new step's code the results tabs say the step has no results yet
instead of showing the last step's; going back shows that step's own again.
A Run still going when the learner moves on ends on its own step: its line
says whose Run it was, and it marks no line of the code now in the editor.
"""

from __future__ import annotations

import asyncio

from screen_reading import editor, feedback, on_screen, output_text
from textual.widgets import Static
from waiting import pause_until, until_started

from nnlearn.tui.widgets.lesson_pane import LessonPane

NARROW = (80, 24)
WIDE = (160, 48)
FAILING = "x = 1\nraise ValueError('boom')\n"


async def run_and_settle(pilot, code: str) -> None:
    """F5 on ``code``, until that Run has ended."""
    screen = pilot.app.main_screen
    outcome = screen.runner.events.outcome
    editor(pilot.app).load_text(code)
    await pilot.press("f5")
    await pause_until(
        pilot,
        lambda: screen.runner.events.outcome is not outcome and not screen.runner.running,
    )
    await pilot.pause()


async def test_a_new_step_shows_no_results_of_the_last_step(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        results = app.main_screen.results
        await run_and_settle(pilot, "layer = nn.Linear(3, 1)\n")
        assert on_screen(results.output) and "hello from the fake kernel" in output_text(app)

        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not on_screen(results.output)
        assert not on_screen(results.shapes)
        assert on_screen(results.not_run)
        said = str(results.not_run.render())
        assert "No results of this step's code" in said
        assert "The last Run was step 1's" in said

        await pilot.press("ctrl+b")  # back on the step that ran: its own results again
        await pilot.pause()
        assert on_screen(results.output) and not on_screen(results.not_run)
        assert "hello from the fake kernel" in output_text(app)

        await pilot.press("ctrl+n")  # a Run on step 2 shows there, and no longer on step 1
        await pilot.pause()
        await run_and_settle(pilot, "print(2)\n")
        assert on_screen(results.output) and not on_screen(results.not_run)
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert on_screen(results.not_run)
        assert "The last Run was step 2's" in str(results.not_run.render())


async def test_on_a_narrow_screen_the_results_pane_of_a_new_step_has_the_keyboard(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        await run_and_settle(pilot, "print(1)\n")
        await pilot.press("ctrl+n", "f4")
        await pilot.pause()
        assert screen.pane == "results"
        assert on_screen(screen.results.not_run)
        assert app.focused is screen.results.not_run  # not the hidden Output
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.focused is screen.results.output


async def test_on_a_narrow_screen_the_next_step_opens_on_its_text_not_on_empty_results(
    make_app,
):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        await pilot.press("f3")  # the editor
        await run_and_settle(pilot, "print(1)\n")
        await pilot.press("f4")  # its output
        await pilot.pause()
        assert screen.pane == "results"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen.pane == "lesson"  # step 2 has no results yet: its text to read
        assert app.focused is screen.query_one(LessonPane)
        assert "F3 goes back" not in str(screen.query_one("#pane-bar", Static).render())
        await pilot.press("f4", "ctrl+b")  # back on step 1 from its results: they stay
        await pilot.pause()
        assert screen.pane == "results" and on_screen(screen.results.output)


async def test_a_run_that_ends_after_the_learner_moved_on_stays_with_its_step(make_app, kernel):
    kernel.options["hold_run"] = hold = asyncio.Event()
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        await pilot.press("f3")  # the editor
        editor(app).load_text(FAILING)
        await pilot.press("f5")
        await pause_until(pilot, lambda: screen.runner.running)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert feedback(app) == ""  # nothing about another step's code

        hold.set()
        await pause_until(pilot, lambda: not screen.runner.running)
        await pilot.pause()
        assert screen.pane == "editor"  # the other step's traceback is not pushed on screen
        assert editor(app).error_line is None  # line 2 of this step's code did not fail
        assert feedback(app).startswith("✗ The Run of step 1: ValueError on line 2: boom")
        assert "F4" not in feedback(app)  # F4 shows this step's results, not that Run's
        await pilot.press("ctrl+b", "f4")  # its traceback is on its own step
        await pilot.pause()
        assert on_screen(screen.results.output) and "ValueError" in output_text(app)


async def test_the_feedback_line_keeps_a_run_outcome_across_panes_and_clears_on_a_new_step(
    make_app,
):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await run_and_settle(pilot, "print(1)\n")
        ran = feedback(app)
        assert ran.startswith("✓ Ran in") and ran.endswith("F4 shows Output")
        await pilot.press("f3")
        await pilot.pause()
        assert feedback(app) == ran  # still true of the code in the editor
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert feedback(app) == ""


async def test_back_on_a_step_whose_run_failed_its_line_is_marked_again(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        await run_and_settle(pilot, FAILING)
        assert editor(app).error_line == 2
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert editor(app).error_line is None
        await pilot.press("ctrl+b")  # the same code as the Run that failed: line 2 again
        await pilot.pause()
        assert editor(app).error_line == 2
        assert "ValueError" in output_text(app)

        editor(app).insert("# changed\n", (0, 0))  # another code: the mark is gone for good
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+b")
        await pilot.pause()
        assert editor(app).error_line is None
        assert screen.results.error_in(screen.place, editor(app).text) is None


async def test_quitting_while_code_runs_asks_first(make_app, kernel):
    """A training run of many minutes was one key away from lost."""
    from nnlearn.tui.screens.confirm import ConfirmScreen

    kernel.options["hold_run"] = asyncio.Event()
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        await pilot.press("f3")
        editor(app).load_text("print('training')\n")
        await pilot.press("f5")
        await pause_until(pilot, lambda: screen.runner.running)
        await pilot.press("ctrl+q")
        await pause_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "still running" in str(app.screen.query_one(Static).render())
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and screen.runner.running and app.return_code is None
        await pilot.press("ctrl+q")
        await pause_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+q")  # twice: quit
        await pilot.pause()
    assert app.return_code == 0 and kernel.session.shut_down


async def test_yes_quits_while_code_runs(make_app, kernel):
    from nnlearn.tui.screens.confirm import ConfirmScreen

    kernel.options["hold_run"] = asyncio.Event()
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await pilot.press("f3")
        editor(app).load_text("print('training')\n")
        await pilot.press("f5")
        await pause_until(pilot, lambda: app.main_screen.runner.running)
        await pilot.press("ctrl+q")
        await pause_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0 and kernel.session.shut_down


async def test_ctrl_q_on_another_question_while_code_runs_still_asks_to_quit(make_app, kernel):
    """ctrl+q quits at once only from the quit question itself, not from, say, the
    reset question that happened to be open."""
    from nnlearn.tui.screens.confirm import ConfirmScreen

    kernel.options["hold_run"] = asyncio.Event()
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        await pilot.press("f3")
        editor(app).load_text("print('training')\n")
        await pilot.press("f5")
        await pause_until(pilot, lambda: screen.runner.running)
        await pilot.press("ctrl+o")  # "reset to the starter code?"
        await pause_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        reset_question = app.screen
        await pilot.press("ctrl+q")
        await pause_until(pilot, lambda: app.screen is not reset_question)
        assert isinstance(app.screen, ConfirmScreen)
        assert "still running" in str(app.screen.query_one(Static).render())
        assert app.return_code is None and not kernel.session.shut_down
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 and kernel.session.shut_down
