"""Prove a lessons folder right by running it: every example, starter, solution and check.

Why it lives outside curriculum/: besides the loader's problems it runs every
block through a real kernel session, so that each number a lesson states is
what the code prints, and each exercise's check is shown to work: it fails
with its own message on the starter (which must run), rejects every
``mistake`` block and accepts the solution and every ``also-correct`` block.
The session is injected, which lets the unit tests drive the logic with a
fake one.

A mistake that raises before the check runs proves nothing about the check,
so it is a problem, unless the block says ``raises=Error``: then that error
is what the learner sees, and the block proves the lesson shows it.

Code that goes into the editor (examples, starter, solution) must fit it at
80x24: a longer line is cut at the border, and a cut ``y.to(device`` reads
like a syntax error.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Callable
from pathlib import Path

from nnlearn.block_run import OUTPUT_LIMIT_CHARS, STOP_WAIT_S, RunOutcome, run_block
from nnlearn.curriculum.loader import load_lessons
from nnlearn.curriculum.model import CodeBlock, Lesson, LessonProblem, Step
from nnlearn.kernel.events import RunError
from nnlearn.kernel.runner import Session

RUN_TIMEOUT_S = 180.0
SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")
# How the probe words a check that did not fail with its own message: an assert without
# one, and a check that raised something else than AssertionError.
_BARE_ASSERT = "The check failed"
_CHECK_CRASHED = "The check could not finish"

# What the editor shows of a line at 80 columns, beside its border, gutter and scrollbar.
EDITOR_COLUMNS = 70

SessionFactory = Callable[[], Session]
ProgressCallback = Callable[[str], None]


def kernel_session() -> Session:
    from nnlearn.kernel.session import KernelSession

    return KernelSession()


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


def _not_its_own_failure(message: str, whose: str, on_what: str) -> str | None:
    """None when a failing check spoke for itself, else the problem with how it failed."""
    text = message.strip().removeprefix("AssertionError").strip(" :")
    if not text or text.startswith(_BARE_ASSERT):
        return (
            f"{whose} fails on {on_what} without a message: give each assert a message "
            "that tells the learner what is wrong"
        )
    if text.startswith(_CHECK_CRASHED):
        return f"{whose} does not fail on {on_what} with its own message but crashes: {text}"
    return None


def _name(block: CodeBlock) -> str:
    what = "mistake" if block.role == "mistake" else "also-correct answer"
    return f"the {what} ({block.label})" if block.label else f"the {what}"


class DeviceRefused(Exception):
    """The kernel refused the device asked for: no block can run, so say it once."""


class LessonChecker:
    """Runs the blocks of lessons in one session and collects problems."""

    def __init__(
        self,
        session: Session,
        device: str,
        timeout: float,
        output_limit: int = OUTPUT_LIMIT_CHARS,
        stop_wait: float = STOP_WAIT_S,
    ) -> None:
        self.session = session
        self.device = device
        self.timeout = timeout
        self.output_limit = output_limit
        self.stop_wait = stop_wait
        self.problems: list[LessonProblem] = []

    def _report(self, lesson: Lesson, line: int | None, message: str) -> None:
        self.problems.append(LessonProblem(lesson.path, line, message))

    async def _run(self, code: str, check: str | None = None) -> RunOutcome:
        outcome = await run_block(
            self.session,
            code,
            device=self.device,
            check=check,
            timeout=self.timeout,
            output_limit=self.output_limit,
            stop_wait=self.stop_wait,
        )
        error = outcome.error
        # The probe's refusal comes before any code runs, so it has no traceback; a
        # lesson's own exception class named DeviceError does.
        if error is not None and error.type == "DeviceError" and not error.traceback:
            raise DeviceRefused(error.message)
        return outcome

    def _trouble(self, outcome: RunOutcome) -> str | None:
        """A message when the run did not get to finish on its own."""
        if outcome.output_overflow:
            return (
                f"printed more than {self.output_limit:,} characters (only that much is kept "
                "and compared); print less"
            )
        if outcome.timed_out:
            how = "the kernel was restarted" if outcome.restarted else "it was stopped"
            return f"did not finish within {self.timeout:g} s ({how})"
        if outcome.died is not None:
            return f"the kernel died while running it: {outcome.died}"
        return None

    async def check_step(self, lesson: Lesson, step: Step) -> None:
        for block in (*step.examples, step.starter, step.solution):
            if block is not None:
                self.check_width(lesson, block)
        for example in step.examples:
            await self.check_example(lesson, example)
        if step.check is not None and step.starter is not None and step.solution is not None:
            await self.check_exercise(lesson, step)

    def check_width(self, lesson: Lesson, block: CodeBlock) -> None:
        for number, text in enumerate(block.code.splitlines(), start=block.line + 1):
            if len(text) > EDITOR_COLUMNS:
                self._report(
                    lesson,
                    number,
                    f"this line of the {block.role} is {len(text)} characters wide: at 80 "
                    f"columns the editor shows {EDITOR_COLUMNS}, so its end is cut off; "
                    "split it or shorten it",
                )

    async def check_example(self, lesson: Lesson, example: CodeBlock) -> None:
        outcome = await self._run(example.code)
        trouble = self._trouble(outcome)
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
            self._compare_output(lesson, example, outcome.printed)

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

    async def check_exercise(self, lesson: Lesson, step: Step) -> None:
        """The check rejects the starter and every mistake; accepts every right answer."""
        assert step.starter is not None and step.solution is not None and step.check is not None
        await self._check_starter(lesson, step.starter, step.check)
        for right in (step.solution, *step.also_correct):
            await self._expect_accepted(lesson, right, step.check)
        for mistake in step.mistakes:
            await self._expect_rejected(lesson, mistake, step.check)

    async def _check_starter(self, lesson: Lesson, starter: CodeBlock, check: CodeBlock) -> None:
        outcome = await self._run(starter.code, check.code)
        trouble = self._trouble(outcome)
        error = outcome.error
        if trouble:
            self._report(lesson, starter.line, f"starter with its check {trouble}")
        elif error is not None and error.type in SYNTAX_ERRORS:
            self._report(
                lesson,
                _error_line(starter, error),
                f"the starter code does not parse ({_error_text(error)}): "
                "leave the learner code that runs, with the missing part marked",
            )
        elif error is not None:
            self._report(
                lesson,
                _error_line(starter, error),
                f"the starter raised {_error_text(error)}, so the check never ran on it: "
                "a starter must run, leaving its gaps as ... or None for the check to report",
            )
        elif outcome.check is None:
            self._report(lesson, check.line, "the check gave no result on the starter code")
        elif outcome.check.ok:
            self._report(
                lesson,
                check.line,
                "the check passes on the starter code: it must fail until the exercise is done",
            )
        elif (
            wrong := _not_its_own_failure(outcome.check.message, "the check", "the starter")
        ) is not None:
            self._report(lesson, check.line, wrong)

    async def _expect_accepted(self, lesson: Lesson, right: CodeBlock, check: CodeBlock) -> None:
        what = "the solution" if right.role == "solution" else _name(right)
        outcome = await self._run(right.code, check.code)
        trouble = self._trouble(outcome)
        if trouble:
            self._report(lesson, right.line, f"{what} with its check {trouble}")
        elif outcome.error is not None:
            self._report(
                lesson,
                _error_line(right, outcome.error),
                f"{what} raised {_error_text(outcome.error)}",
            )
        elif outcome.check is None:
            self._report(lesson, check.line, f"the check gave no result on {what}")
        elif not outcome.check.ok:
            if right.role == "solution":
                where, whose = check.line, "the check"
            else:
                where, whose = right.line, f"the check (line {check.line})"
            self._report(lesson, where, f"{whose} fails on {what}: {outcome.check.message}")

    async def _expect_rejected(self, lesson: Lesson, mistake: CodeBlock, check: CodeBlock) -> None:
        what = _name(mistake)
        outcome = await self._run(mistake.code, check.code)
        trouble = self._trouble(outcome)
        error = outcome.error
        if trouble:
            self._report(lesson, mistake.line, f"{what} with its check {trouble}")
        elif mistake.raises is not None:
            if error is None:
                self._report(lesson, mistake.line, f"{what} should raise {mistake.raises} but ran")
            elif not _raised_as(error, mistake.raises):
                self._report(
                    lesson,
                    _error_line(mistake, error),
                    f"{what} should raise {mistake.raises} but raised {_error_text(error)}",
                )
        elif error is not None:
            self._report(
                lesson,
                _error_line(mistake, error),
                f"{what} raised {_error_text(error)} before the check ran, so it proves "
                f"nothing about the check: make it run, or mark it raises={error.type.rsplit('.', 1)[-1]} "
                "if that error is what the learner should see",
            )
        elif outcome.check is None:
            self._report(lesson, check.line, f"the check gave no result on {what}")
        elif outcome.check.ok:
            self._report(
                lesson,
                mistake.line,
                f"the check (line {check.line}) accepts {what}: it must reject it",
            )
        elif (
            wrong := _not_its_own_failure(
                outcome.check.message, f"the check (line {check.line})", what
            )
        ) is not None:
            self._report(lesson, mistake.line, wrong)


async def check_lessons(
    folder: Path,
    *,
    session_factory: SessionFactory | None = None,
    device: str = "cpu",
    on_progress: ProgressCallback | None = None,
    run_timeout: float = RUN_TIMEOUT_S,
    output_limit: int = OUTPUT_LIMIT_CHARS,
    stop_wait: float = STOP_WAIT_S,
) -> list[LessonProblem]:
    """Every problem of a lessons folder: the loader's, then those found by running it."""
    loaded = load_lessons(Path(folder))
    problems = list(loaded.problems)
    if not loaded.lessons:
        return problems
    session = (session_factory or kernel_session)()
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
    checker = LessonChecker(session, device, run_timeout, output_limit, stop_wait)
    try:
        for lesson in loaded.lessons:
            for step in lesson.steps:
                if on_progress is not None:
                    on_progress(
                        f"{lesson.path.name}: step {step.index + 1}/{len(lesson.steps)} {step.title}"
                    )
                await checker.check_step(lesson, step)
    except DeviceRefused as refused:
        problems.append(
            LessonProblem(Path(folder), None, f"cannot check on device '{device}': {refused}")
        )
    finally:
        with contextlib.suppress(Exception):
            await session.shutdown()
    return problems + checker.problems
