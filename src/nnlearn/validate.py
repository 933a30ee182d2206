"""``nnlearn lessons check`` and ``nnlearn lessons list``: prove a lessons folder is right.

Why it lives outside curriculum/: besides the loader's problems it runs every
example and exercise through a real kernel session, so that each number a
lesson states is what the code prints and each exercise's check fails on the
starter and passes on the solution. The session is injected, which lets the
unit tests drive the logic with a fake one.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlearn.curriculum.bundled import bundled_lessons_dir
from nnlearn.curriculum.loader import load_lessons
from nnlearn.curriculum.model import CodeBlock, Lesson, LessonProblem, Step
from nnlearn.kernel.events import (
    CheckResult,
    KernelDied,
    KernelRestarted,
    RunError,
    RunFinished,
    Stream,
)
from nnlearn.render.sanitize import sanitize

RUN_TIMEOUT_S = 180.0
SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")

SessionFactory = Callable[
    [], Any
]  # returns an object with KernelSession's start/run/interrupt/restart/shutdown
ProgressCallback = Callable[[str], None]


def _kernel_session() -> Any:
    from nnlearn.kernel.session import KernelSession  # type: ignore[attr-defined]

    return KernelSession()


@dataclass
class RunOutcome:
    """What one run of a block produced, reduced to what the checks need."""

    stdout: list[str] = field(default_factory=list)
    error: RunError | None = None
    check: CheckResult | None = None
    died: str | None = None
    restarted: bool = False
    finished: RunFinished | None = None
    timed_out: bool = False


async def run_block(
    session: Any, code: str, *, device: str, check: str | None, timeout: float
) -> RunOutcome:
    """Run ``code`` (and ``check`` after it) and collect its events."""
    outcome = RunOutcome()

    async def consume() -> None:
        async for event in session.run(code, device=device, check=check):
            if isinstance(event, Stream) and event.name == "stdout":
                outcome.stdout.append(event.text)
            elif isinstance(event, RunError):
                outcome.error = event
            elif isinstance(event, CheckResult):
                outcome.check = event
            elif isinstance(event, KernelDied):
                outcome.died = event.reason
            elif isinstance(event, KernelRestarted):
                outcome.restarted = True
            elif isinstance(event, RunFinished):
                outcome.finished = event

    try:
        await asyncio.wait_for(consume(), timeout)
    except asyncio.TimeoutError:
        outcome.timed_out = True
        with contextlib.suppress(Exception):
            await session.interrupt()
    if outcome.died is not None and not outcome.restarted:
        with contextlib.suppress(Exception):
            await session.restart()
    return outcome


def normalize_output(text: str) -> str:
    """Compare outputs without trailing spaces on each line or trailing blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).rstrip("\n")


def _error_text(error: RunError) -> str:
    return f"{error.type}: {error.message}" if error.message else error.type


def _error_line(block: CodeBlock, error: RunError) -> int:
    """The file line of an error: the fence line plus the error's line inside the block."""
    lines_in_block = block.code.count("\n") + 1
    if error.line is not None and 1 <= error.line <= lines_in_block:
        return block.line + error.line
    return block.line


def _raised_as(error: RunError, expected: str) -> bool:
    return error.type == expected or error.type.rsplit(".", 1)[-1] == expected.rsplit(".", 1)[-1]


def _trouble(outcome: RunOutcome, timeout: float) -> str | None:
    """A message when the run did not get to finish at all."""
    if outcome.timed_out:
        return f"did not finish within {timeout:g} s"
    if outcome.died is not None:
        return f"the kernel died while running it: {outcome.died}"
    return None


class LessonChecker:
    """Runs the blocks of lessons in one session and collects problems."""

    def __init__(self, session: Any, device: str, timeout: float) -> None:
        self.session = session
        self.device = device
        self.timeout = timeout
        self.problems: list[LessonProblem] = []

    def _report(self, lesson: Lesson, line: int | None, message: str) -> None:
        self.problems.append(LessonProblem(lesson.path, line, message))

    async def _run(self, code: str, check: str | None = None) -> RunOutcome:
        return await run_block(
            self.session, code, device=self.device, check=check, timeout=self.timeout
        )

    async def check_step(self, lesson: Lesson, step: Step) -> None:
        for example in step.examples:
            await self.check_example(lesson, example)
        if step.check is not None and step.starter is not None and step.solution is not None:
            await self.check_exercise(lesson, step.starter, step.solution, step.check)

    async def check_example(self, lesson: Lesson, example: CodeBlock) -> None:
        outcome = await self._run(example.code)
        trouble = _trouble(outcome, self.timeout)
        if trouble:
            self._report(lesson, example.line, f"example {trouble}")
            return
        error = outcome.error
        if example.raises is None and error is not None:
            self._report(
                lesson, _error_line(example, error), f"example raised {_error_text(error)}"
            )
        elif example.raises is not None and error is None:
            self._report(
                lesson, example.line, f"example should raise {example.raises} but ran without error"
            )
        elif (
            example.raises is not None
            and error is not None
            and not _raised_as(error, example.raises)
        ):
            self._report(
                lesson,
                _error_line(example, error),
                f"example should raise {example.raises} but raised {_error_text(error)}",
            )
        if example.expected_output is not None:
            self._compare_output(lesson, example, "".join(outcome.stdout))

    def _compare_output(self, lesson: Lesson, example: CodeBlock, printed: str) -> None:
        expected = normalize_output(example.expected_output or "")
        actual = normalize_output(printed)
        if expected == actual:
            return
        if not expected:
            printed_lines = "\n".join(f"    {line}" for line in actual.split("\n")[:40])
            self._report(
                lesson,
                example.output_line or example.line,
                f"the ```output block is empty; the example prints:\n{printed_lines}",
            )
            return
        diff = difflib.unified_diff(
            expected.split("\n"),
            actual.split("\n"),
            "output block",
            "what the example prints",
            lineterm="",
            n=1,
        )
        shown = list(diff)[:24]
        self._report(
            lesson,
            example.output_line or example.line,
            "the example prints something else than its ```output block:\n"
            + "\n".join(f"    {d}" for d in shown),
        )

    async def check_exercise(
        self, lesson: Lesson, starter: CodeBlock, solution: CodeBlock, check: CodeBlock
    ) -> None:
        on_starter = await self._run(starter.code, check.code)
        trouble = _trouble(on_starter, self.timeout)
        if trouble:
            self._report(lesson, starter.line, f"starter with its check {trouble}")
        elif on_starter.error is not None and on_starter.error.type in SYNTAX_ERRORS:
            self._report(
                lesson,
                _error_line(starter, on_starter.error),
                f"the starter code does not parse ({_error_text(on_starter.error)}): "
                "leave the learner code that runs, with the missing part marked",
            )
        elif on_starter.error is None:
            if on_starter.check is None:
                self._report(lesson, check.line, "the check gave no result on the starter code")
            elif on_starter.check.ok:
                self._report(
                    lesson,
                    check.line,
                    "the check passes on the starter code: it must fail until the exercise is done",
                )
            elif not on_starter.check.message.strip().removeprefix("AssertionError").strip(" :"):
                self._report(
                    lesson,
                    check.line,
                    "the check fails on the starter without a message: give each assert a message "
                    "that tells the learner what is wrong",
                )
        on_solution = await self._run(solution.code, check.code)
        trouble = _trouble(on_solution, self.timeout)
        if trouble:
            self._report(lesson, solution.line, f"solution with its check {trouble}")
        elif on_solution.error is not None:
            self._report(
                lesson,
                _error_line(solution, on_solution.error),
                f"the solution raised {_error_text(on_solution.error)}",
            )
        elif on_solution.check is None:
            self._report(lesson, check.line, "the check gave no result on the solution")
        elif not on_solution.check.ok:
            self._report(
                lesson, check.line, f"the check fails on the solution: {on_solution.check.message}"
            )


async def check_lessons(
    folder: Path,
    *,
    session_factory: SessionFactory | None = None,
    device: str = "cpu",
    on_progress: ProgressCallback | None = None,
    run_timeout: float = RUN_TIMEOUT_S,
) -> list[LessonProblem]:
    """Every problem of a lessons folder: the loader's, then those found by running it."""
    loaded = load_lessons(Path(folder))
    problems = list(loaded.problems)
    if not loaded.lessons:
        return problems
    session = (session_factory or _kernel_session)()
    try:
        await session.start()
    except Exception as error:
        problems.append(
            LessonProblem(
                Path(folder), None, f"could not start a kernel to run the lessons: {error}"
            )
        )
        with contextlib.suppress(Exception):
            await session.shutdown()
        return problems
    checker = LessonChecker(session, device, run_timeout)
    try:
        for lesson in loaded.lessons:
            for step in lesson.steps:
                if on_progress is not None:
                    on_progress(
                        f"{lesson.path.name}: step {step.index + 1}/{len(lesson.steps)} {step.title}"
                    )
                await checker.check_step(lesson, step)
    finally:
        with contextlib.suppress(Exception):
            await session.shutdown()
    return problems + checker.problems


def lesson_summary(lesson: Lesson) -> dict[str, Any]:
    return {
        "id": lesson.id,
        "title": lesson.title,
        "summary": lesson.summary,
        "file": lesson.path.name,
        "steps": len(lesson.steps),
        "quizzes": lesson.quiz_count,
        "exercises": lesson.exercise_count,
    }


def list_lessons(folder: Path) -> list[dict[str, Any]]:
    """One dict per good lesson of ``folder``: id, title, summary, file, steps, quizzes, exercises."""
    return [lesson_summary(lesson) for lesson in load_lessons(Path(folder)).lessons]


def cmd_lessons_list(folder: Path | None, as_json: bool) -> int:
    """Print the lessons of ``folder`` (bundled ones by default); 1 if any file has problems."""
    loaded = load_lessons(folder if folder is not None else bundled_lessons_dir())
    rows = [lesson_summary(lesson) for lesson in loaded.lessons]
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        print(sanitize(_table(rows), keep_sgr=False))  # lesson files are not ours
    for problem in loaded.problems:
        print(sanitize(str(problem), keep_sgr=False), file=sys.stderr)
    return 1 if loaded.problems else 0


def _table(rows: list[dict[str, Any]]) -> str:
    header = ("ID", "TITLE", "STEPS", "QUIZZES", "EXERCISES")
    cells = [header] + [
        (r["id"], r["title"], str(r["steps"]), str(r["quizzes"]), str(r["exercises"])) for r in rows
    ]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in cells
    )


def cmd_lessons_check(folder: Path | None, device: str) -> int:
    """Check a lessons folder (bundled ones by default): problems on stdout, 0 when there are none."""
    target = folder if folder is not None else bundled_lessons_dir()

    def progress(line: str) -> None:
        print(sanitize(line, keep_sgr=False), file=sys.stderr, flush=True)

    problems = asyncio.run(check_lessons(target, device=device, on_progress=progress))
    for problem in problems:  # they quote lesson text and what its code printed
        print(sanitize(str(problem), keep_sgr=False))
    lessons = len(load_lessons(target).lessons)
    if problems:
        files = len({p.path for p in problems})
        print(
            f"{len(problems)} problem(s) in {files} file(s); {lessons} lesson(s) loaded from {target}"
        )
        return 1
    print(f"{lessons} lesson(s) in {target}: all checks passed")
    return 0
