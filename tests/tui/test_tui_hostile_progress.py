"""Pilot tests: a progress file that was edited, damaged or written by someone else.

Its strings (the device kept from F7, an exercise's last message) are shown on
screen, so they are text that is not ours; its numbers (steps done, quiz
answers) may not fit the lessons as they are now (a lesson edited since).
"""

from __future__ import annotations

import json
from pathlib import Path

from test_tui_screen_safety import HOSTILE, assert_terminal_safe
from tui_fakes import FIXTURE_LESSONS, FakeKernel
from waiting import pause_until, until_started

from nnlearn.curriculum.progress import ProgressStore
from nnlearn.tui.app import NnlearnApp
from nnlearn.tui.screens.lesson_list import LessonListScreen
from nnlearn.tui.widgets.feedback_line import FeedbackLine
from nnlearn.tui.widgets.quiz import QuizView
from nnlearn.tui.widgets.status_bar import StatusBar

QUIZ_STEP = 1  # the fixture lesson "basics": step 1 has a quiz of 3 choices, step 2 an exercise


def write_progress(home: Path, state: dict) -> None:
    home.mkdir(parents=True)
    (home / "progress.json").write_text(json.dumps(state), encoding="utf-8")


def app_with_progress(tmp_path: Path, lessons: dict) -> NnlearnApp:
    home = tmp_path / "home"
    write_progress(home, {"version": 1, "current": {"lesson": "basics", "step": 2}, **lessons})
    return NnlearnApp(FIXTURE_LESSONS, ProgressStore(home), session_factory=FakeKernel())


async def test_hostile_strings_in_the_progress_file_are_shown_not_obeyed(tmp_path: Path) -> None:
    app = app_with_progress(
        tmp_path,
        {
            "device": f"cuda{HOSTILE}",
            "lessons": {"basics": {"exercises": {"2": {"ok": False, "message": HOSTILE}}}},
        },
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        assert screen.step is not None and screen.step.is_exercise
        await pause_until(pilot, lambda: "not available" in screen.query_one(FeedbackLine).message)
        assert screen.query_one(StatusBar).device == "auto"
        assert_terminal_safe(app)  # the exercise line and the feedback line


def test_an_unknown_device_name_in_the_progress_file_is_not_kept(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_progress(home, {"version": 1, "current": None, "lessons": {}, "device": "cpu\x1b[2J"})
    assert ProgressStore(home).device() is None
    (home / "progress.json").write_text(
        json.dumps({"version": 1, "current": None, "lessons": {}, "device": "cuda:1"}),
        encoding="utf-8",
    )
    assert ProgressStore(home).device() == "cuda:1"


async def test_answers_and_steps_the_lessons_no_longer_have_are_left_out(tmp_path: Path) -> None:
    app = app_with_progress(
        tmp_path,
        {
            "current": {"lesson": "basics", "step": QUIZ_STEP},
            "lessons": {
                "basics": {
                    "done": list(range(40)),
                    "quizzes": {f"{QUIZ_STEP}:0": {"choice": 99, "correct": False}},
                }
            },
        },
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        quiz = app.main_screen.query_one(QuizView)
        assert quiz.answered is None  # asked again, not "your first answer (100)"
        quiz.pick(1)
        await pilot.pause()
        assert app.main_screen.store.quiz_result("basics", QUIZ_STEP, 0) == (1, True)
        await pilot.press("f2")
        await pause_until(pilot, lambda: isinstance(app.screen, LessonListScreen))
        entry = next(e for e in app.screen.entries if e.lesson.id == "basics")
        assert entry.done_steps == len(entry.lesson.steps)
