"""The course rules: where to resume, next/previous across lessons, when a step is done."""

from __future__ import annotations

from pathlib import Path

from nnlearn.curriculum.model import Lesson, Quiz, Step
from nnlearn.tui import course


def lesson(lesson_id: str, steps: int, quizzes: int = 0) -> Lesson:
    quiz = Quiz("q?", ("a", "b"), 1, "because", 1)
    return Lesson(
        id=lesson_id,
        title=lesson_id,
        summary="",
        path=Path(f"{lesson_id}.md"),
        steps=tuple(Step(i, f"s{i}", "", 1, quizzes=(quiz,) * quizzes) for i in range(steps)),
    )


class Answers:
    def __init__(self, answers: dict[tuple[str, int, int], int]) -> None:
        self.answers = answers

    def quiz_answer(self, lesson_id: str, step_index: int, quiz_index: int) -> int | None:
        return self.answers.get((lesson_id, step_index, quiz_index))


LESSONS = [lesson("a", 2), lesson("empty", 0), lesson("b", 3)]


def test_resume_point_clamps_and_falls_back_to_the_start():
    assert course.resume_point(LESSONS, ("b", 1)) == (2, 1)
    assert course.resume_point(LESSONS, ("b", 99)) == (2, 2)
    assert course.resume_point(LESSONS, ("gone", 1)) == (0, 0)
    assert course.resume_point(LESSONS, None) == (0, 0)


def test_next_and_previous_cross_lessons_and_skip_empty_ones():
    assert course.next_position(LESSONS, (0, 0)) == (0, 1)
    assert course.next_position(LESSONS, (0, 1)) == (2, 0)
    assert course.next_position(LESSONS, (2, 2)) is None
    assert course.previous_position(LESSONS, (2, 0)) == (0, 1)
    assert course.previous_position(LESSONS, (0, 0)) is None


def test_quiz_steps_are_done_when_every_quiz_is_right():
    step = lesson("q", 1, quizzes=2).steps[0]
    assert not course.done_by_quizzes(Answers({("q", 0, 0): 1}), "q", step)
    assert not course.done_by_quizzes(Answers({("q", 0, 0): 1, ("q", 0, 1): 0}), "q", step)
    assert course.done_by_quizzes(Answers({("q", 0, 0): 1, ("q", 0, 1): 1}), "q", step)


def test_leaving_a_step_marks_it_done_only_when_every_quiz_was_answered():
    step = lesson("q", 1, quizzes=1).steps[0]
    assert not course.done_on_leaving(Answers({}), "q", step)
    assert course.done_on_leaving(Answers({("q", 0, 0): 0}), "q", step)
    assert course.done_on_leaving(Answers({}), "p", lesson("p", 1).steps[0])
