"""Where the learner is in the course and when a step counts as done: pure rules, no widgets.

The main screen asks these questions; keeping them here keeps the screen about
layout and keys, and lets the rules be tested without running the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from nnlearn.curriculum.model import Lesson, Step

Position = tuple[int, int]  # (lesson index, step index)


class AnswerStore(Protocol):
    def quiz_answer(self, lesson_id: str, step_index: int, quiz_index: int) -> int | None: ...


def resume_point(lessons: Sequence[Lesson], current: tuple[str, int] | None) -> Position:
    """The saved (lesson id, step) as indices, clamped to what exists; else the start."""
    if current is not None:
        for index, lesson in enumerate(lessons):
            if lesson.id == current[0] and lesson.steps:
                return index, min(max(current[1], 0), len(lesson.steps) - 1)
    return 0, 0


def next_position(lessons: Sequence[Lesson], at: Position) -> Position | None:
    """The step after ``at``, going on to the next lesson's first step; None at the end."""
    lesson_index, step_index = at
    if step_index + 1 < len(lessons[lesson_index].steps):
        return lesson_index, step_index + 1
    for following in range(lesson_index + 1, len(lessons)):
        if lessons[following].steps:
            return following, 0
    return None


def previous_position(lessons: Sequence[Lesson], at: Position) -> Position | None:
    """The step before ``at``, going back to the previous lesson's last step; None at the start."""
    lesson_index, step_index = at
    if step_index > 0:
        return lesson_index, step_index - 1
    for earlier in range(lesson_index - 1, -1, -1):
        if lessons[earlier].steps:
            return earlier, len(lessons[earlier].steps) - 1
    return None


def step_name(
    lessons: Sequence[Lesson], step: tuple[str, int], here: tuple[str, int] | None
) -> str:
    """How the learner on step ``here`` is told of ``step`` (both lesson id, step index):
    "step 2", or "step 2 of lesson 3" when it is in another lesson."""
    lesson_id, step_index = step
    if here is not None and lesson_id == here[0]:
        return f"step {step_index + 1}"
    for index, lesson in enumerate(lessons):
        if lesson.id == lesson_id:
            return f"step {step_index + 1} of lesson {index + 1}"
    return f"step {step_index + 1} of {lesson_id}"


def quiz_answers(store: AnswerStore, lesson_id: str, step: Step) -> dict[int, int]:
    """The remembered answer of each quiz of the step that has one (one of its choices)."""
    answers = {}
    for quiz_index, quiz in enumerate(step.quizzes):
        answer = store.quiz_answer(lesson_id, step.index, quiz_index)
        if answer is not None and answer < len(quiz.choices):
            answers[quiz_index] = answer
    return answers


class ProgressView(AnswerStore, Protocol):
    def exercise_result(self, lesson_id: str, step_index: int) -> tuple[bool, str] | None: ...


def done_count(done: set[int], lesson: Lesson) -> int:
    """How many of the lesson's steps are done (a stored index may be past its last step now)."""
    return len(done.intersection(range(len(lesson.steps))))


def is_finished(store: ProgressView, lesson_id: str, step: Step, *, ran: bool) -> bool:
    """Done means: every quiz answered (the first answer counts), the exercise passed,
    and, on a step whose only task is code to try, that code was run once."""
    answers = quiz_answers(store, lesson_id, step)
    if len(answers) < len(step.quizzes):
        return False
    if step.is_exercise:
        result = store.exercise_result(lesson_id, step.index)
        return result is not None and result[0]
    if not step.quizzes and (step.examples or step.starter):
        return ran
    return True


def done_on_leaving(step: Step) -> bool:
    """Only a step with nothing to answer, check or run is done by moving on from it."""
    return not step.quizzes and not step.is_exercise and not step.examples and not step.starter
