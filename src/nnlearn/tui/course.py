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


def quiz_answers(store: AnswerStore, lesson_id: str, step: Step) -> dict[int, int]:
    """The remembered answer of each quiz of the step that has one."""
    answers = {}
    for quiz_index in range(len(step.quizzes)):
        answer = store.quiz_answer(lesson_id, step.index, quiz_index)
        if answer is not None:
            answers[quiz_index] = answer
    return answers


def done_by_quizzes(store: AnswerStore, lesson_id: str, step: Step) -> bool:
    """A step without an exercise is done once each of its quizzes is answered right."""
    answers = quiz_answers(store, lesson_id, step)
    return not step.is_exercise and all(
        answers.get(index) == quiz.answer for index, quiz in enumerate(step.quizzes)
    )


def done_on_leaving(store: AnswerStore, lesson_id: str, step: Step) -> bool:
    """Moving on from a step without an exercise, every quiz answered, marks it done."""
    answers = quiz_answers(store, lesson_id, step)
    return not step.is_exercise and len(answers) == len(step.quizzes)
