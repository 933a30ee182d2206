"""Where the learner is: the lesson and step on screen, and moving between them.

Entering a step saves the draft left behind, loads the new step's draft (or
its starter code) and shows the step; F2, alt+left/right and the lesson list
go through it. A mixin of ``MainScreen``, which provides ``lessons``,
``store``, ``narrow``, ``results``, ``say``, ``save_draft``, ``_focus_pane``,
``leave_empty_results``, ``_backups`` and ``has_backups``.
"""

from __future__ import annotations

from typing import Any

from nnlearn.curriculum.model import Lesson, Step
from nnlearn.tui import course, keys
from nnlearn.tui.screens.lesson_list import LessonEntry, LessonListScreen
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.feedback_line import FeedbackLine
from nnlearn.tui.widgets.lesson_pane import LessonPane, StepView
from nnlearn.tui.widgets.status_bar import StatusBar


class StepNavigation:
    """The current lesson and step, entering a step, and the keys that move between steps."""

    # Provided by MainScreen and its Screen base.
    lessons: list[Lesson]
    store: Any
    narrow: bool
    results: Any
    app: Any
    say: Any
    notify: Any
    save_draft: Any
    query_one: Any
    refresh_bindings: Any
    _focus_pane: Any
    leave_empty_results: Any
    _backups: Any
    has_backups: bool
    _hints_shown: dict[tuple[str, int], int]

    lesson_index: int
    step_index: int

    @property
    def lesson(self) -> Lesson | None:
        return self.lessons[self.lesson_index] if self.lessons else None

    @property
    def step(self) -> Step | None:
        lesson = self.lesson
        return lesson.steps[self.step_index] if lesson and lesson.steps else None

    @property
    def place(self) -> tuple[str, int] | None:
        """The step on screen as (lesson id, step index): what a Run's results belong to."""
        lesson, step = self.lesson, self.step
        return (lesson.id, step.index) if lesson is not None and step is not None else None

    async def enter_step(self, lesson_index: int, step_index: int, save: bool = True) -> None:
        if save:
            self.save_draft()
        lesson = self.lessons[lesson_index]
        if not lesson.steps:
            self.notify(f"Lesson {lesson.title!r} has no steps.", severity="warning")
            return
        step_index = min(max(step_index, 0), len(lesson.steps) - 1)
        self.lesson_index, self.step_index = lesson_index, step_index
        step = lesson.steps[step_index]
        self.store.set_current(lesson.id, step_index)
        draft = self.store.load_draft(lesson.id, step_index)
        editor = self.query_one(CodeEditor)
        editor.load_code(draft if draft is not None else step.editor_code)
        view = StepView(
            lesson=lesson,
            step=step,
            lesson_number=lesson_index + 1,
            lesson_total=len(self.lessons),
            done=self.store.is_done(lesson.id, step_index),
            quiz_answers=course.quiz_answers(self.store, lesson.id, step),
            exercise=self.store.exercise_result(lesson.id, step_index),
            hints_shown=self._hints_shown.get((lesson.id, step_index), 0),
            check_key=keys.find("check").key_text,
            hint_key=keys.find("hint").key_text,
            think_key=keys.find("think").key_text,
            examples_key=keys.find("load_code").key_text,
        )
        await self.query_one(LessonPane).show_step(view)
        self._update_location()
        self.query_one(FeedbackLine).clear()
        results = self.results
        if results is not None and results.run_step is not None:  # shown on that step only
            name = course.step_name(self.lessons, results.run_step, self.place)
            results.show_step(self.place, name)
            failed_on = results.error_in(self.place, editor.text)
            if failed_on is not None:  # back on the code whose Run failed: its line again
                editor.mark_error(failed_on)
        self.leave_empty_results(results is not None and results.run_step == self.place)
        self.has_backups = bool(self._backups())
        self.refresh_bindings()

    def _update_location(self) -> None:
        lesson, step = self.lesson, self.step
        if lesson is None or step is None:
            return
        status = self.query_one(StatusBar)
        status.lesson_title = lesson.title
        status.location = (
            f"L{self.lesson_index + 1}/{len(self.lessons)} {lesson.title}"
            f" · step {step.index + 1}/{len(lesson.steps)}"
        )

    async def action_next_step(self) -> None:
        lesson, step = self.lesson, self.step
        if lesson is None or step is None:
            return
        if course.done_on_leaving(step):
            self.store.mark_done(lesson.id, step.index)
        following = course.next_position(self.lessons, (self.lesson_index, self.step_index))
        if following is None:
            self.say("This is the last step of the last lesson.")
        else:
            await self.enter_step(*following)

    async def action_previous_step(self) -> None:
        if self.lesson is None:
            return
        earlier = course.previous_position(self.lessons, (self.lesson_index, self.step_index))
        if earlier is None:
            self.say("This is the first step.")
        else:
            await self.enter_step(*earlier)

    def action_lesson_list(self) -> None:
        if not self.lessons:
            self.notify("No lessons were found.", severity="warning")
            return
        entries = [
            LessonEntry(x, course.done_count(self.store.done_steps(x.id), x)) for x in self.lessons
        ]
        current = self.lesson.id if self.lesson else None
        self.app.push_screen(LessonListScreen(entries, current), self._open_lesson)

    async def _open_lesson(self, lesson_id: str | None) -> None:
        for index, lesson in enumerate(self.lessons):
            if lesson.id == lesson_id:
                await self.enter_step(index, self.store.lesson_step(lesson_id))
                self._focus_pane("lesson" if self.narrow else "editor")
                return
