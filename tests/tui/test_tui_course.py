"""The course rules: where to resume, next/previous across lessons, when a step is done."""

from __future__ import annotations

from pathlib import Path

from nnlearn.curriculum.model import CodeBlock, Lesson, Quiz, Step
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


class Progress(Answers):
    def __init__(self, answers, exercises=None) -> None:
        super().__init__(answers)
        self.exercises = exercises or {}

    def exercise_result(self, lesson_id: str, step_index: int) -> tuple[bool, str] | None:
        return self.exercises.get((lesson_id, step_index))


def exercise_step(quizzes: int = 0) -> Step:
    code = CodeBlock("check", "assert True", 1)
    quiz = Quiz("q?", ("a", "b"), 1, "because", 1)
    return Step(0, "s", "", 1, check=code, starter=code, quizzes=(quiz,) * quizzes)


def test_a_step_is_named_with_its_lesson_only_from_another_lesson():
    assert course.step_name(LESSONS, ("b", 1), here=("b", 0)) == "step 2"
    assert course.step_name(LESSONS, ("b", 1), here=("a", 1)) == "step 2 of lesson 3"
    assert course.step_name(LESSONS, ("gone", 0), here=None) == "step 1 of gone"


def test_a_quiz_step_is_done_once_every_quiz_has_a_first_answer_right_or_wrong():
    step = lesson("q", 1, quizzes=2).steps[0]
    assert not course.is_finished(Progress({("q", 0, 0): 1}), "q", step, ran=True)
    assert course.is_finished(Progress({("q", 0, 0): 1, ("q", 0, 1): 0}), "q", step, ran=False)


def test_an_exercise_step_is_done_only_when_its_check_passed_and_its_quiz_is_answered():
    step = exercise_step(quizzes=1)
    answered = {("e", 0, 0): 1}
    assert not course.is_finished(Progress(answered), "e", step, ran=True)
    assert not course.is_finished(
        Progress(answered, {("e", 0): (False, "no")}), "e", step, ran=True
    )
    assert not course.is_finished(Progress({}, {("e", 0): (True, "")}), "e", step, ran=True)
    assert course.is_finished(Progress(answered, {("e", 0): (True, "")}), "e", step, ran=True)


def test_a_step_with_only_code_to_try_is_done_once_it_ran():
    example = CodeBlock("example", "print(1)", 1)
    step = Step(0, "s", "", 1, examples=(example,))
    assert not course.is_finished(Progress({}), "x", step, ran=False)
    assert course.is_finished(Progress({}), "x", step, ran=True)
    assert not course.done_on_leaving(step)


def test_only_a_step_with_nothing_to_do_is_done_by_moving_on():
    assert course.done_on_leaving(lesson("p", 1).steps[0])
    assert not course.done_on_leaving(lesson("q", 1, quizzes=1).steps[0])
    assert not course.done_on_leaving(exercise_step())
