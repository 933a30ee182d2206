"""What the learner has done on each step: quiz answers, checks, Runs and hints shown.

A step is marked done once ``course.is_finished`` says so; a check that ends
after the learner moved on is still stored for the step it ran on. A mixin of
``MainScreen``, which provides ``lessons``, ``lesson``, ``step``, ``place``,
``store``, ``narrow``, ``say`` and ``_focus_pane``.
"""

from __future__ import annotations

from typing import Any

from nnlearn.curriculum.model import Lesson
from nnlearn.kernel.events import CheckResult
from nnlearn.tui import course
from nnlearn.tui.widgets.lesson_pane import LessonPane
from nnlearn.tui.widgets.quiz import QuizView


class StepProgress:
    """Records answers, checks and Runs against the store; reveals hints and think answers."""

    # Provided by MainScreen and its Screen base.
    lessons: list[Lesson]
    lesson: Any
    step: Any
    place: Any
    store: Any
    narrow: bool
    say: Any
    query_one: Any
    _focus_pane: Any

    def __init__(self) -> None:
        super().__init__()
        self._hints_shown: dict[tuple[str, int], int] = {}
        self._ran_steps: set[tuple[str, int]] = set()

    def on_quiz_view_answered(self, event: QuizView.Answered) -> None:
        lesson, step = self.lesson, self.step
        if lesson is None or step is None:
            return
        choices = len(event.quiz_view.quiz.choices)
        self.store.set_quiz_answer(
            lesson.id, step.index, event.index, event.choice, event.correct, choices
        )
        self._mark_done_if_finished()

    def _mark_done_if_finished(self) -> None:
        lesson, step = self.lesson, self.step
        if lesson is None or step is None or self.store.is_done(lesson.id, step.index):
            return
        if course.is_finished(self.store, lesson.id, step, ran=self._ran_here()):
            self.store.mark_done(lesson.id, step.index)
            self.query_one(LessonPane).set_done(True)

    def _ran_here(self) -> bool:
        return self.place in self._ran_steps

    def record_run(self, lesson_id: str, step_index: int) -> None:
        """A Run of this step's code finished: a step with only code to read is then done."""
        self._ran_steps.add((lesson_id, step_index))
        if self.place == (lesson_id, step_index):
            self._mark_done_if_finished()

    def record_check(self, lesson_id: str, step_index: int, result: CheckResult) -> None:
        """Store a check's outcome for the step it was run on, and show it if still there."""
        self.store.set_exercise_result(lesson_id, step_index, result.ok, result.message)
        if self.place == (lesson_id, step_index):
            self.query_one(LessonPane).show_exercise((result.ok, result.message))
            self._mark_done_if_finished()
        elif result.ok:
            for lesson in self.lessons:
                if lesson.id == lesson_id and step_index < len(lesson.steps):
                    step = lesson.steps[step_index]
                    if course.is_finished(self.store, lesson_id, step, ran=True):
                        self.store.mark_done(lesson_id, step_index)

    async def action_hint(self) -> None:
        pane = self.query_one(LessonPane)
        revealed = await pane.reveal_hint()
        if revealed is None:
            self.say("This step has no hints.")
            return
        if self.lesson and self.step and pane.view:
            self._hints_shown[(self.lesson.id, self.step.index)] = pane.view.hints_shown
        if not revealed:
            self.say("Every hint of this step is already shown.")
        elif self.narrow:
            self._focus_pane("lesson")  # the hidden editor's focus would leave the keys nowhere

    async def action_think(self) -> None:
        revealed = await self.query_one(LessonPane).reveal_think()
        if revealed is None:
            self.say("This step has no 'think about it' question.")
        elif not revealed:
            self.say("The answer is already shown.")
        elif self.narrow:
            self._focus_pane("lesson")
