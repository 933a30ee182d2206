"""Pilot tests: every binding and action of the app, on the fake kernel and a tmp NNLEARN_HOME."""

from __future__ import annotations

import asyncio

from screen_reading import editor, feedback, output_text
from textual.widgets import OptionList, TabbedContent
from waiting import pause_until, until_started

from nnlearn.curriculum.progress import ProgressStore
from nnlearn.tui.screens.confirm import ConfirmScreen
from nnlearn.tui.screens.device_picker import DevicePickerScreen
from nnlearn.tui.screens.help import HelpScreen
from nnlearn.tui.screens.lesson_list import LessonListScreen
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.hints import HintsView
from nnlearn.tui.widgets.key_bar import KeyBar
from nnlearn.tui.widgets.lesson_pane import LessonPane
from nnlearn.tui.widgets.loss_view import LossView
from nnlearn.tui.widgets.output_log import OutputLog
from nnlearn.tui.widgets.params_view import ParamsView
from nnlearn.tui.widgets.quiz import QuizView
from nnlearn.tui.widgets.shapes_view import ShapesView
from nnlearn.tui.widgets.status_bar import StatusBar
from nnlearn.tui.widgets.think import ThinkView

WIDE = (160, 48)
NARROW = (80, 24)


async def settle(pilot, app) -> None:
    """Wait until running code is finished and the screen is idle."""
    for _ in range(200):
        await pilot.pause()
        if not app.main_screen.runner.running:
            break
    await pilot.pause()


async def goto_step(pilot, app, lesson_index: int, step_index: int) -> None:
    await app.main_screen.enter_step(lesson_index, step_index)
    await pilot.pause()


async def test_first_frame_shows_first_step_and_kernel_state(make_app, kernel):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        assert "torch.zeros(2, 3)" in editor(app).text
        status = app.main_screen.query_one(StatusBar)
        await pause_until(pilot, lambda: status.state == "idle")
        assert status.state == "idle"
        assert "step 1/3" in status.location
        assert app.main_screen.pane == "lesson"  # narrow: the learner reads first


async def test_status_bar_says_importing_torch_while_kernel_warms(home, make_app):
    hold = asyncio.Event()
    from tui_fakes import FakeKernel

    app = make_app()
    app.session_factory = FakeKernel(hold_start=hold)
    async with app.run_test(size=NARROW) as pilot:
        status = app.main_screen.query_one(StatusBar)
        await pause_until(pilot, lambda: status.state == "warming")
        assert status.state == "warming"
        assert "importing torch" in status.render().plain
        hold.set()
        await pause_until(pilot, lambda: status.state == "idle")
        assert status.state == "idle"


async def test_f5_and_ctrl_r_run_the_editor_code(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        for key in ("f5", "ctrl+r"):
            await pilot.press(key)
            await settle(pilot, app)
        assert len(kernel.session.calls) == 2
        assert kernel.session.calls[0].code == editor(app).text
        assert kernel.session.calls[0].device == "auto"
        assert "hello from the fake kernel" in output_text(app)
        assert "Finished on cpu" in output_text(app)
        assert "last run ok" in app.main_screen.query_one(StatusBar).render().plain


async def test_run_shows_shapes_params_and_loss(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        editor(app).load_text("layer = nn.Linear(3, 1)\nloss = 1\n")
        await pilot.press("f5")
        await settle(pilot, app)
        screen = app.main_screen
        assert screen.query_one(ShapesView).shapes.rows[0].path == "layer"
        assert [m.model for m in screen.query_one(ParamsView).models] == ["layer"]
        loss = screen.query_one(LossView)
        assert loss.series.received("loss") == 30
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "tab-loss"  # the tab follows the run
        assert loss.is_on_screen
        assert "loss: step 29" in str(loss.query_one(".loss-summary").render())
        for tab in ("tab-plots", "tab-inside", "tab-output", "tab-shapes", "tab-params"):
            await pilot.press("f4")
            await pilot.pause()
            assert screen.query_one(TabbedContent).active == tab


async def test_run_error_marks_the_line_and_shows_traceback(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        editor(app).load_text("x = 1\ny = 2\nraise ValueError('boom')\n")
        await pilot.press("f5")
        await settle(pilot, app)
        assert editor(app).error_line == 3
        assert editor(app).cursor_location[0] == 2
        assert editor(app).has_class("-has-error")
        assert "ValueError on line 3" in output_text(app)
        assert app.main_screen.query_one(TabbedContent).active == "tab-output"
        await pilot.press("a")  # editing clears the mark
        assert editor(app).error_line is None


async def test_f6_interrupts_a_running_run(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        editor(app).load_text("while True: block()\n")
        await pilot.press("f5")
        await pilot.pause()
        assert app.main_screen.runner.running
        await pilot.press("f6")
        await settle(pilot, app)
        assert kernel.session.interrupts == 1
        assert not app.main_screen.runner.running
        assert "Interrupted" in output_text(app)


async def test_f6_with_nothing_running_says_so(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        await pilot.press("f6")
        await pilot.pause()
        assert kernel.session.interrupts == 0
        assert "Nothing is running" in feedback(app)


async def test_f8_restarts_the_kernel(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        await pilot.press("f8")
        await pilot.pause()
        await pilot.pause()
        assert kernel.session.restarts == 1
        assert "restarted" in output_text(app)
        # Output may be hidden (a narrow screen): the feedback line says it too.
        assert "The kernel restarted" in feedback(app)


async def test_dead_kernel_is_shown_and_next_run_restarts_it(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        editor(app).load_text("import os; die()\n")
        await pilot.press("f5")
        await settle(pilot, app)
        status = app.main_screen.query_one(StatusBar)
        assert status.state == "dead"
        assert "dead" in status.render().plain
        assert "kernel died" in output_text(app)
        editor(app).load_text("print(1)\n")
        await pilot.press("f5")
        await settle(pilot, app)
        assert kernel.session.restarts == 1
        assert status.state == "idle"


async def test_a_kernel_that_dies_between_runs_is_shown_at_once_with_the_way_out(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        status = app.main_screen.query_one(StatusBar)
        await pause_until(pilot, lambda: kernel.session.watching)
        kernel.session.kill()
        await pause_until(pilot, lambda: status.state == "dead")
        assert status.state == "dead" and not kernel.session.calls  # no Run was needed
        assert "The kernel died: it was killed by SIGKILL" in output_text(app)
        said = " ".join(output_text(app).split())
        assert "runs your code in a new one, F8 starts a new one now" in said
        assert "kernel died" in feedback(app)
        editor(app).load_text("print(1)\n")
        await pilot.press("f5")
        await settle(pilot, app)
        assert kernel.session.restarts == 1 and status.state == "idle"


async def test_check_passes_marks_step_done(make_app, kernel, home):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await goto_step(pilot, app, 0, 2)
        editor(app).load_text("from torch import nn\nlayer = nn.Linear(3, 1)\n")
        await pilot.press("f9")
        await settle(pilot, app)
        assert kernel.session.calls[-1].check is not None
        assert "isinstance(layer, nn.Linear)" in kernel.session.calls[-1].check
        store = ProgressStore(home)
        assert store.is_done("basics", 2)
        assert store.exercise_result("basics", 2) == (True, "")
        pane = app.main_screen.query_one(LessonPane)
        assert "✓ done" in str(pane.query_one(".step-header").render())
        assert "Exercise passed" in str(pane.query_one(".exercise-status").render())


async def test_check_failure_shows_message_and_ctrl_t_checks_too(make_app, kernel, home):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await goto_step(pilot, app, 0, 2)
        await pilot.press("ctrl+t")
        await settle(pilot, app)
        store = ProgressStore(home)
        assert not store.is_done("basics", 2)
        assert store.exercise_result("basics", 2) == (False, "layer should be an nn.Linear")
        status = app.main_screen.query_one(LessonPane).query_one(".exercise-status")
        assert "layer should be an nn.Linear" in str(status.render())
        assert "Check failed" in output_text(app)


async def test_check_and_solution_keys_only_on_a_step_with_an_exercise(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        bar = app.main_screen.query_one(KeyBar)
        await pause_until(pilot, lambda: "F1 Help" in bar.plain_text)
        actions = [entry.action for entry in bar.entries]
        assert "check" not in actions and "solution" not in actions
        await pilot.press("f9", "ctrl+t", "ctrl+s")
        await pilot.pause()
        assert kernel.session.calls == []
        assert app.screen is app.main_screen
        await goto_step(pilot, app, 0, 2)
        await pause_until(pilot, lambda: "F9 Check" in bar.plain_text)
        actions = [entry.action for entry in bar.entries]
        assert "check" in actions and "solution" in actions


async def test_next_and_previous_step_cross_lessons(make_app, home):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        for expected in [(0, 1), (0, 2), (1, 0)]:
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert (screen.lesson_index, screen.step_index) == expected
        assert "Every `loss.backward()`" in screen.query_one(LessonPane).query_one("Prose").markdown
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert (screen.lesson_index, screen.step_index) == (0, 2)
        assert ProgressStore(home).current() == ("basics", 2)
        store = ProgressStore(home)
        assert not store.is_done("basics", 0)  # its example was never run: skipped, not done
        assert not store.is_done("basics", 1)  # its quiz was never answered
        assert not store.is_done("basics", 2)  # its exercise was never checked


async def test_step_change_saves_and_restores_the_draft(make_app, home):
    app = make_app(autosave_delay=60)
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        editor(app).focus()
        await pilot.press("end", "#", "!")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert "#!" in ProgressStore(home).load_draft("basics", 0)
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert "#!" in editor(app).text


async def test_draft_autosaves_after_typing_stops(make_app, home):
    app = make_app(autosave_delay=0.05)
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        editor(app).focus()
        await pilot.press("x", "y")
        await pilot.pause(0.2)
        assert ProgressStore(home).load_draft("basics", 0).startswith("xy")


async def test_lesson_list_opens_and_jumps(make_app, home):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LessonListScreen)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is app.main_screen
        assert app.main_screen.lesson.id == "training"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, LessonListScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main_screen


async def test_lesson_list_marks_progress(make_app, home):
    store = ProgressStore(home)
    for step in range(3):
        store.mark_done("basics", step)
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        first = str(options.get_option_at_index(0).prompt)
        second = str(options.get_option_at_index(1).prompt)
        assert first.startswith("✓") and "3/3 steps" in first
        assert "0/2 steps" in second


async def test_quiz_answered_by_number_key_and_remembered(make_app, home):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await goto_step(pilot, app, 0, 1)
        quiz = app.main_screen.query_one(QuizView)
        quiz.query_one(OptionList).focus()
        await pilot.press("1")
        await pilot.pause()
        first = str(quiz.query_one(".quiz-feedback").render())
        assert "Not quite" in first and "rows first" in first
        assert "first answer (1, wrong)" in first
        await pilot.press("2")
        await pilot.pause()
        second = str(quiz.query_one(".quiz-feedback").render())
        assert "Correct" in second and "first answer (1, wrong) is the one that counts" in second
        store = ProgressStore(home)
        assert store.quiz_answer("basics", 1, 0) == 0  # the first answer counts
        assert store.quiz_result("basics", 1, 0) == (0, False)
        assert store.is_done("basics", 1)  # answered
    app2 = make_app()
    async with app2.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        assert app2.main_screen.step_index == 1
        quiz = app2.main_screen.query_one(QuizView)
        assert quiz.answered == 0
        assert "Not quite" in str(quiz.query_one(".quiz-feedback").render())


async def test_quiz_answered_by_click(make_app, home):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await goto_step(pilot, app, 0, 1)
        quiz = app.main_screen.query_one(QuizView)
        options = quiz.query_one(OptionList)
        await pilot.click(options, offset=(3, 1))
        await pilot.pause()
        assert quiz.answered == 1
        assert ProgressStore(home).quiz_answer("basics", 1, 0) == 1


async def test_hints_reveal_one_at_a_time(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await goto_step(pilot, app, 0, 2)
        hints = app.main_screen.query_one(HintsView)
        assert hints.shown == 0
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert hints.shown == 1
        await pilot.press("ctrl+g")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert hints.shown == 2
        assert "already shown" in feedback(app)
        await goto_step(pilot, app, 0, 0)
        await goto_step(pilot, app, 0, 2)
        assert app.main_screen.query_one(HintsView).shown == 2  # kept for the session


async def test_think_answer_revealed_on_request(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await goto_step(pilot, app, 0, 1)
        think = app.main_screen.query_one(ThinkView)
        assert not think.revealed
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert think.revealed
        assert "last size matches" in think.query_one("Prose").markdown


async def test_hint_and_think_on_steps_without_them(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert "no hints" in feedback(app)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert "think about it" in feedback(app)


async def test_reset_to_starter_keeps_a_backup(make_app, home):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await goto_step(pilot, app, 0, 2)
        editor(app).load_text("my own code\n")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # asks, as the solution does
        await pilot.press("n")
        await pilot.pause()
        assert editor(app).text == "my own code\n"
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert editor(app).text.startswith("import torch")
        assert "layer = None" in editor(app).text
        backups = ProgressStore(home).draft_backups("basics", 2)
        assert [b.read_text() for b in backups] == ["my own code\n"]


async def test_show_solution_asks_first(make_app, home):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await goto_step(pilot, app, 0, 2)
        editor(app).load_text("mine\n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert editor(app).text == "mine\n"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "nn.Linear(3, 1)" in editor(app).text
        store = ProgressStore(home)
        assert "nn.Linear(3, 1)" in store.load_draft("basics", 2)
        assert [b.read_text() for b in store.draft_backups("basics", 2)] == ["mine\n"]


async def test_solution_on_a_step_without_one(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is app.main_screen
        app.main_screen.action_solution()  # from the command palette
        assert "no solution" in feedback(app)


async def test_device_picker_offers_only_present_devices(make_app, home):
    from tui_fakes import FakeKernel

    app = make_app()
    app.session_factory = kernel = FakeKernel(devices=("cpu", "cuda:0"))
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, DevicePickerScreen)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == ["auto", "cpu", "cuda:0"]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.main_screen.device == "cuda:0"
        assert "device cuda:0" in app.main_screen.query_one(StatusBar).render().plain
        await pilot.press("f5")
        await settle(pilot, app)
        assert kernel.session.calls[-1].device == "cuda:0"


async def test_help_screen_lists_every_key(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main_screen
        app.main_screen.query_one(LessonPane).focus()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is app.main_screen


async def test_question_mark_types_in_the_editor(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        editor(app).focus()
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is app.main_screen
        assert editor(app).text.startswith("?")


async def test_f3_switches_panes_when_narrow(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        assert screen.narrow
        assert screen.query_one(LessonPane).display
        assert not screen.query_one(CodeEditor).display
        await pilot.press("f3")
        await pilot.pause()
        assert screen.pane == "editor" and app.focused is screen.query_one(CodeEditor)
        assert not screen.query_one(LessonPane).display
        await pilot.press("f3")
        await pilot.pause()
        assert screen.pane == "results"
        assert screen.query_one(TabbedContent).display
        assert not screen.query_one(CodeEditor).display
        await pilot.press("f3")
        await pilot.pause()
        assert screen.pane == "lesson"


async def test_f4_cycles_result_tabs(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        tabs = app.main_screen.query_one(TabbedContent)
        seen = []
        for _ in range(7):
            await pilot.press("f4")
            await pilot.pause()
            seen.append(tabs.active)
        # From another pane, F4 first shows the results as they are, then cycles the tabs.
        assert seen == [
            "tab-output",
            "tab-shapes",
            "tab-params",
            "tab-loss",
            "tab-plots",
            "tab-inside",
            "tab-output",
        ]
        assert app.main_screen.pane == "results"


async def test_resize_reflows_between_narrow_and_wide(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        assert screen.narrow
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert not screen.narrow
        assert screen.query_one(LessonPane).display and screen.query_one(CodeEditor).display
        assert screen.query_one(LessonPane).region.width > 0
        assert screen.query_one(CodeEditor).region.width > 0
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert screen.narrow


async def test_quit_saves_the_draft_and_stops_the_kernel(make_app, kernel, home):
    app = make_app(autosave_delay=60)
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        editor(app).focus()
        await pilot.press("z")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert ProgressStore(home).load_draft("basics", 0).startswith("z")
    assert kernel.session.shut_down
    assert app.return_code == 0


async def test_store_problems_are_notified_at_start(make_app, home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "progress.json").write_text("{not json")
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        assert app.store.problems
        assert any(n.title == "Progress file problem" for n in app._notifications)


async def test_command_palette_offers_every_action(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        titles = [c.title for c in app.get_system_commands(app.main_screen)]
        for word in (
            "Run",
            "Stop",
            "Check",
            "Next",
            "Back",
            "Lessons",
            "Hint",
            "Think",
            "Device",
            "Restart",
            "Reset",
            "Solution",
            "Quit",
            "Help",
        ):
            assert any(t.startswith(word + ":") for t in titles), word
        command = next(
            c for c in app.get_system_commands(app.main_screen) if c.title.startswith("Next:")
        )
        await command.callback()
        await pilot.pause()
        assert app.main_screen.step_index == 1


async def test_flood_of_output_stays_bounded(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        runner = app.main_screen.runner
        runner.buffer.add_stream("stdout", "".join(f"{i}\n" for i in range(200_000)))
        runner.flush()
        log = app.main_screen.query_one(OutputLog)
        assert len(log.lines) <= log.max_lines
        assert log.lines[-1].text == "199999"


async def test_no_lessons_is_explained_and_keys_stay_safe(home, kernel, tmp_path):
    from nnlearn.tui.app import NnlearnApp

    empty = tmp_path / "empty"
    empty.mkdir()
    app = NnlearnApp(empty, ProgressStore(home), session_factory=kernel)
    async with app.run_test(size=NARROW) as pilot:
        await until_started(pilot)
        pane = app.main_screen.query_one(LessonPane)
        assert "No lessons found" in str(pane.query("Static").last().render())
        await pilot.press("ctrl+n", "ctrl+b", "ctrl+g", "ctrl+f", "ctrl+o", "ctrl+s", "f9", "f2")
        await pilot.pause()
        assert app.screen is app.main_screen


async def test_kernel_that_fails_to_start_is_reported_and_retried_on_run(home, make_app):
    from tui_fakes import FakeSession

    attempts: list[int] = []

    def flaky(on_status):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("no ipykernel here")
        return FakeSession(on_status)

    app = make_app()
    app.session_factory = flaky
    async with app.run_test(size=WIDE) as pilot:
        status = app.main_screen.query_one(StatusBar)
        await pause_until(pilot, lambda: status.state == "dead")
        assert status.state == "dead"
        assert "no ipykernel here" in output_text(app)
        await pilot.press("f5")
        await settle(pilot, app)
        assert len(attempts) == 2
        assert "hello from the fake kernel" in output_text(app)
        assert status.state == "idle"


async def test_run_while_the_kernel_warms_waits_for_it(home, make_app):
    from tui_fakes import FakeKernel

    hold = asyncio.Event()
    app = make_app()
    app.session_factory = kernel = FakeKernel(hold_start=hold)
    async with app.run_test(size=WIDE) as pilot:
        await pause_until(pilot, lambda: bool(kernel.sessions))  # warming, held
        await pilot.press("f5")
        await pause_until(pilot, lambda: "Waiting for the kernel" in output_text(app))
        assert "Waiting for the kernel" in output_text(app)
        assert kernel.session.calls == []
        hold.set()
        await settle(pilot, app)
        assert len(kernel.session.calls) == 1
        assert "hello from the fake kernel" in output_text(app)


async def test_lesson_pane_scrolls_by_keyboard_and_number_keys_answer_the_quiz(make_app, home):
    app = make_app()
    async with app.run_test(size=(80, 16)) as pilot:
        await goto_step(pilot, app, 0, 1)
        screen = app.main_screen
        screen.action_next_pane()
        screen.action_next_pane()
        screen.action_next_pane()  # round the panes, back to the lesson
        await pilot.pause()
        pane = screen.query_one(LessonPane)
        assert app.focused is pane, "reading comes first: the pane itself has focus"
        assert pane.max_scroll_y > 0, "the step is longer than the screen"
        await pilot.press("pagedown")
        await pilot.pause()
        assert pane.scroll_y > 0
        await pilot.press("2")
        await pilot.pause()
        quiz = screen.query_one(QuizView)
        assert quiz.answered == 1
        assert ProgressStore(home).quiz_answer("basics", 1, 0) == 1


async def test_ctrl_home_and_ctrl_end_move_to_the_start_and_end_of_the_code(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        code = editor(app)
        code.focus()
        await pilot.press("ctrl+end")
        assert code.cursor_location == code.document.end
        await pilot.press("ctrl+shift+home")
        assert code.selected_text == code.text
        await pilot.press("ctrl+home")
        assert code.cursor_location == (0, 0)
        assert code.selected_text == ""


async def test_the_palette_turns_inside_sampling_off_and_on_from_any_tab(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        await pilot.pause()

        def inside_command():
            titles = app.get_system_commands(app.main_screen)
            return next(c for c in titles if c.title.startswith("Inside sampling:"))

        assert inside_command().title == "Inside sampling: turn off"
        inside_command().callback()
        await pilot.pause()
        assert app.main_screen.results.inside.enabled is False
        assert "Inside is off" in feedback(app)
        assert inside_command().title == "Inside sampling: turn on"
        inside_command().callback()
        await pilot.pause()
        assert app.main_screen.results.inside.enabled is True
