"""Pilot tests of the learning loop at 80x24 and wide: load, run, read, check, answer, move on."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from screen_reading import editor, feedback, output_text, plain
from textual.widgets import OptionList, TabbedContent
from tui_fakes import FakeKernel
from waiting import pause_until, until_started

from nnlearn.curriculum.progress import ProgressStore
from nnlearn.tui.screens.code_picker import CodePickerScreen
from nnlearn.tui.screens.confirm import ConfirmScreen
from nnlearn.tui.widgets.feedback_line import FeedbackLine
from nnlearn.tui.widgets.prose import CodeView
from nnlearn.tui.widgets.quiz import QuizView
from nnlearn.tui.widgets.status_bar import StatusBar
from nnlearn.tui.widgets.think import ThinkView

LOOP_LESSONS = Path(__file__).parent / "fixtures" / "loop_lessons"
NARROW = (80, 24)
MEDIUM = (120, 30)
WIDE = (200, 50)


@pytest.fixture
def loop_app(make_app):
    """``make_app`` with the lessons of this file."""
    return functools.partial(make_app, LOOP_LESSONS)


async def run_and_settle(pilot, app, key: str = "f5") -> None:
    await pilot.press(key)
    await pause_until(pilot, lambda: app.main_screen.runner.running)
    await pause_until(pilot, lambda: not app.main_screen.runner.running)
    await pilot.pause()


# ------------------------------------------------------------ every example


async def test_ctrl_e_loads_any_example_and_keeps_the_current_code(loop_app, home):
    app = loop_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        assert "second example" in editor(app).text  # the first example that runs cleanly
        note = app.main_screen.query_one(".examples-note")
        assert "2 examples: ctrl+e loads any of them" in str(note.render())
        editor(app).load_text("my own try\n")
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, CodePickerScreen)
        labels = [choice.label for choice in app.screen.choices]
        assert labels[0].startswith("Example 1 (raises ValueError)")
        assert labels[1].startswith("Example 2")
        await pilot.press("enter")  # Example 1, the one to "run and read the traceback"
        await pilot.pause()
        assert app.screen is app.main_screen
        assert editor(app).text.startswith('raise ValueError("boom")')
        assert app.main_screen.pane == "editor"  # narrow: the editor shows what was loaded
        assert "Loaded Example 1" in feedback(app)
        store = ProgressStore(home)
        assert store.load_draft("loop", 0).startswith("raise ValueError")
        assert [b.read_text() for b in store.draft_backups("loop", 0)] == ["my own try\n"]
        # The code it replaced is offered back in the same list.
        await pilot.press("ctrl+e")
        await pilot.pause()
        labels = [choice.label for choice in app.screen.choices]
        assert labels[-1].startswith("Your earlier code (")
        app.screen.query_one(OptionList).highlighted = len(labels) - 1
        await pilot.press("enter")
        await pilot.pause()
        assert editor(app).text == "my own try\n"


async def test_ctrl_e_escape_changes_nothing(loop_app):
    app = loop_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        before = editor(app).text
        await pilot.press("ctrl+e", "escape")
        await pilot.pause()
        assert app.screen is app.main_screen
        assert editor(app).text == before


async def test_reset_backups_can_be_restored_from_the_app(make_app, home):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await app.main_screen.enter_step(0, 2)
        editor(app).load_text("layer = 'mine'\n")
        await pilot.press("ctrl+o", "y")
        await pilot.pause()
        assert "layer = None" in editor(app).text
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, CodePickerScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert editor(app).text == "layer = 'mine'\n"


# ------------------------------------------------------ what you ran you see


async def test_after_a_run_at_80_columns_the_output_is_summed_up_with_its_key(loop_app):
    app = loop_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await pilot.press("f3")  # the editor
        await run_and_settle(pilot, app)
        line = feedback(app)
        assert "Ran in" in line
        assert "hello from the fake kernel" in line  # the last line printed
        assert "F4 shows Output" in line
        assert app.main_screen.query_one(FeedbackLine).region.height == 1  # on screen
        await pilot.press("f4")
        await pilot.pause()
        assert app.main_screen.pane == "results"
        assert app.main_screen.query_one(TabbedContent).active == "tab-output"
        assert "hello from the fake kernel" in output_text(app)
        assert "F4 shows" not in feedback(app)  # the results show: no key to name
        await pilot.press("f3")
        await pilot.pause()
        assert "F4 shows Output" in feedback(app)


async def test_the_results_tab_follows_the_run(loop_app):
    app = loop_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        tabs = app.main_screen.query_one(TabbedContent)
        editor(app).load_text("loss = 1\n")
        await run_and_settle(pilot, app)
        assert tabs.active == "tab-loss"
        assert "loss plotted" in feedback(app)
        editor(app).load_text("print('hi')\n")
        await run_and_settle(pilot, app)
        assert tabs.active == "tab-output"  # no loss this time: back to the prints


async def test_feedback_is_never_a_toast(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await app.main_screen.enter_step(0, 2)
        await run_and_settle(pilot, app, "f9")
        await run_and_settle(pilot, app, "f5")
        await pilot.press("ctrl+g", "ctrl+g", "ctrl+g", "f6")
        await pilot.pause()
        assert not app._notifications
        assert feedback(app)


# ------------------------------------------------------ a failed check looks failed


async def test_a_failed_check_never_ends_on_a_green_finished(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await app.main_screen.enter_step(0, 2)
        await run_and_settle(pilot, app, "f9")
        await pilot.press("f4")  # the results pane, as the feedback line says
        await pilot.pause()
        text = output_text(app)
        assert "✗ Check failed" in text
        assert "✓ Finished" not in text
        assert "but the check did not pass" in text
        status = app.main_screen.query_one(StatusBar)
        assert "check failed" in status.last_run
        assert "ok" not in status.last_run
        assert feedback(app).startswith("✗ Check failed: layer should be an nn.Linear")
        assert app.main_screen.query_one(FeedbackLine).severity == "error"


async def test_a_passed_check_says_so(make_app, home):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await app.main_screen.enter_step(0, 2)
        editor(app).load_text("layer = nn.Linear(3, 1)\n")
        await run_and_settle(pilot, app, "f9")
        await pilot.press("f4")
        await pilot.pause()
        assert "✓ Finished" in output_text(app)
        assert feedback(app).startswith("✓ Check passed")
        assert ProgressStore(home).is_done("basics", 2)


# ------------------------------------------------------------ the failing line


async def test_the_failing_line_stays_marked_until_the_code_changes(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        code = editor(app)
        code.load_text("x = 1\ny = 2\nraise ValueError('boom')\n")
        await run_and_settle(pilot, app)
        assert code.error_line == 3
        code.focus()
        await pilot.press("up", "up", "end", "down")  # moving around keeps the mark
        await pilot.pause()
        assert code.error_line == 3
        line = code.render_line(2 - code.scroll_offset.y)
        assert any(seg.style and seg.style.bgcolor for seg in line)
        assert "error on line 3" in str(code.border_title)
        await pilot.press("a")  # an edit clears it
        await pilot.pause()
        assert code.error_line is None
        assert not code.border_title


# ------------------------------------------------------------ indentation


async def test_enter_keeps_indentation_and_adds_a_level_after_a_colon(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        code = editor(app)
        code.load_text("")
        code.focus()
        await pilot.press(*"def f(x):", "enter", *"y = x", "enter", *"return y")
        await pilot.pause()
        assert code.text == "def f(x):\n    y = x\n    return y"
        code.load_text("")
        await pilot.press(*"for i in x:  # each", "enter", *"pass")
        await pilot.pause()
        assert code.text == "for i in x:  # each\n    pass"


async def test_tab_and_shift_tab_indent_and_dedent_the_selected_lines(make_app):
    from textual.widgets.text_area import Selection

    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        code = editor(app)
        code.load_text("a = 1\nb = 2\nc = 3\n")
        code.focus()
        code.selection = Selection((0, 0), (1, 3))
        await pilot.press("tab")
        await pilot.pause()
        assert code.text == "    a = 1\n    b = 2\nc = 3\n"
        await pilot.press("shift+tab")
        await pilot.pause()
        assert code.text == "a = 1\nb = 2\nc = 3\n"
        code.selection = Selection.cursor((2, 0))
        await pilot.press("shift+tab")  # nothing to dedent: unchanged, focus stays
        assert code.text == "a = 1\nb = 2\nc = 3\n"
        assert code.has_focus


# ------------------------------------------------------------ lesson text


async def test_lesson_code_keeps_its_lines_and_scrolls_sideways(loop_app):
    app = loop_app()
    async with app.run_test(size=MEDIUM) as pilot:
        await until_started(pilot)
        views = list(app.main_screen.query(CodeView))
        wide = next(view for view in views if "much longer" in view.code)
        await pause_until(pilot, lambda: wide.virtual_size.width > wide.size.width)
        assert wide.virtual_size.width > wide.size.width  # wider than the pane: it scrolls
        assert wide.size.height <= 4  # one code line + padding + scrollbar, not wrapped
        app.main_screen.query_one("#lesson-pane").focus()
        await pilot.press("right")  # the lesson pane's arrows scroll its code sideways
        await pilot.pause()
        assert wide.scroll_offset.x > 0
        await pilot.press("left")
        await pilot.pause()
        assert wide.scroll_offset.x == 0


async def test_names_and_emphasis_read_the_same_in_think_answers_and_quizzes(loop_app):
    app = loop_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        think = app.main_screen.query_one(ThinkView)
        assert "`__call__`" not in str(think.query_one(".think-question").render())
        assert "__call__" in str(think.query_one(".think-question").render())
        await pilot.press("ctrl+f")
        await pilot.pause()
        answer = "\n".join(plain(s.content) for s in think.query(".prose-text"))
        assert "nn.Module.__init__ creates" in answer
        assert "that __call__ looks at" in answer
        await app.main_screen.enter_step(0, 1)
        await pilot.pause()
        quiz = app.main_screen.query_one(QuizView)
        options = quiz.query_one(OptionList)
        assert str(options.get_option_at_index(0).prompt) == "1. the pre-hook"
        quiz.pick(1)
        await pilot.pause()
        shown = str(quiz.query_one(".quiz-feedback").render())
        assert "The pre-hook runs first; __call__ calls it." in shown
        assert "*" not in shown


# ------------------------------------------------------------ honest progress


async def test_a_step_is_done_by_doing_it_not_by_skipping_past(loop_app, home):
    app = loop_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await pilot.press("ctrl+n", "ctrl+b")
        await pilot.pause()
        assert not ProgressStore(home).is_done("loop", 0)
        await run_and_settle(pilot, app)
        assert ProgressStore(home).is_done("loop", 0)  # its example ran
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not ProgressStore(home).is_done("loop", 1)
        await pilot.press("2")  # wrong first
        await pilot.press("1")
        await pilot.pause()
        store = ProgressStore(home)
        assert store.is_done("loop", 1)
        assert store.quiz_result("loop", 1, 0) == (1, False)


# ------------------------------------------------------------ small things


async def test_status_line_at_80_columns_keeps_state_device_and_step(loop_app):
    app = loop_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await run_and_settle(pilot, app)
        line = app.main_screen.query_one(StatusBar).render().plain
        assert len(line) <= NARROW[0] - 2
        assert "step 1/2" in line
        assert "device auto" in line
        assert "L1/1 A lesson" in line and "…" in line


async def test_the_chosen_device_is_kept_for_the_next_start(make_app, home):
    app = make_app()
    app.session_factory = FakeKernel(devices=("cpu", "cuda:0"))
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        await pilot.press("f7", "down", "down", "enter")
        await pilot.pause()
        assert app.main_screen.device == "cuda:0"
    again = make_app()
    again.session_factory = kernel = FakeKernel(devices=("cpu", "cuda:0"))
    async with again.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        assert again.main_screen.device == "cuda:0"
        assert "device cuda:0" in again.main_screen.query_one(StatusBar).render().plain
        await run_and_settle(pilot, again)
        assert kernel.session.calls[-1].device == "cuda:0"
    # A kernel without that device falls back to auto and says so.
    third = make_app()
    async with third.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        await pause_until(pilot, lambda: third.main_screen.device == "auto")
        assert third.main_screen.device == "auto"
        assert "cuda:0 is not available" in feedback(third)
    assert make_app(device="cpu").initial_device == "cpu"  # --device wins


async def test_reset_asks_before_replacing_the_code(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await app.main_screen.enter_step(0, 2)
        editor(app).load_text("mine\n")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert editor(app).text == "mine\n"
