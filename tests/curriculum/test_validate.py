"""The lessons validator, driven by an in-process fake of KernelSession (no kernel, no torch)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import subprocess
import sys
import traceback
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from nnlearn import block_run as validate_block_run
from nnlearn import validate
from nnlearn.curriculum.loader import load_lessons
from nnlearn.kernel.events import CheckResult, KernelDied, RunError, RunFinished, Stream
from nnlearn.lesson_checker import EDITOR_COLUMNS, RUN_TIMEOUT_S, check_lessons, normalize_output
from nnlearn.validate import cmd_lessons_check, cmd_lessons_list, lesson_summary

GOOD = Path(__file__).parent / "fixtures" / "good"
HEADER = "---\nid: {id}\ntitle: T\nsummary: S.\n---\n\n"


class ExecSession:
    """Runs code with exec() in a fresh namespace and yields the events KernelSession would."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, str, str | None]] = []
        self.calls: list[str] = []

    async def start(self) -> None:
        self.calls.append("start")

    async def shutdown(self) -> None:
        self.calls.append("shutdown")

    async def interrupt(self) -> None:
        self.calls.append("interrupt")

    async def restart(self) -> None:
        self.calls.append("restart")

    async def run(
        self, code: str, device: str = "auto", check: str | None = None
    ) -> AsyncIterator[Any]:
        self.runs.append((code, device, check))
        namespace: dict[str, Any] = {"__name__": "__main__", "device": device}
        printed = io.StringIO()
        error: RunError | None = None
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(code, "<editor>", "exec"), namespace)
        except Exception as exc:
            frames = [
                f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<editor>"
            ]
            line = frames[-1].lineno if frames else getattr(exc, "lineno", None)
            error = RunError(type(exc).__name__, str(exc), line, "")
        if printed.getvalue():
            yield Stream("stdout", printed.getvalue())
        if error is not None:
            yield error
        elif check is not None:
            try:
                exec(check, namespace)
                yield CheckResult(True, "all checks passed")
            except AssertionError as exc:
                yield CheckResult(False, str(exc))
            except Exception as exc:  # worded as the probe words it
                yield CheckResult(False, f"The check could not finish: {type(exc).__name__}: {exc}")
        yield RunFinished(ok=error is None, device=device, seconds=0.0)


def write_lesson(folder: Path, body: str, name: str = "01-t.md", lesson_id: str = "t") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(HEADER.format(id=lesson_id) + body)
    return path


def exercise(starter: str, solution: str, check: str, *others: tuple[str, str]) -> str:
    """An exercise step; ``others`` are (info, code) blocks put after its hint."""
    extra = "".join(f"\n```python {info}\n{code}\n```\n" for info, code in others)
    return (
        f"## Exercise\n\n```python starter\n{starter}\n```\n\n```python solution\n{solution}\n```\n\n"
        f"```python check\n{check}\n```\n\n```hint\nThink.\n```\n{extra}"
    )


CHECK_X_IS_1 = 'assert x is not None, "set x"\nassert x == 1, "x should be 1"'


async def check(folder: Path, session: ExecSession | None = None, **kwargs: Any) -> list[str]:
    used = session or ExecSession()
    problems = await check_lessons(folder, session_factory=lambda: used, **kwargs)
    return [f"{p.path.name}:{p.line}: {p.message}" for p in problems]


async def test_good_fixtures_pass_and_every_block_runs_on_the_device() -> None:
    session = ExecSession()
    assert await check(GOOD, session, device="cuda") == []
    assert session.calls == ["start", "shutdown"]
    codes = [
        (code.splitlines()[0], device, check is not None) for code, device, check in session.runs
    ]
    assert codes == [
        ("print(1 + 1)", "cuda", False),
        ("1 / 0", "cuda", False),
        ("def add(a, b):", "cuda", True),
        ("def add(a, b):", "cuda", True),
    ]


async def test_code_wider_than_the_editor_at_80_columns_is_reported_at_its_line(
    tmp_path: Path,
) -> None:
    wide = "x = 1  # " + "a comment that runs on past the editor's right border " * 2
    fits = "y = 2  # " + "w" * (EDITOR_COLUMNS - 9)
    write_lesson(tmp_path, f"## Step\n\n```python example\n{fits}\n{wide}\n```\n")
    assert await check(tmp_path) == [
        f"01-t.md:11: this line of the example is {len(wide)} characters wide: at 80 columns "
        f"the editor shows {EDITOR_COLUMNS}, so its end is cut off; split it or shorten it"
    ]


async def test_a_check_that_passes_on_the_starter_is_reported(tmp_path: Path) -> None:
    write_lesson(tmp_path, exercise("x = 1", "x = 1", 'assert x == 1, "x should be 1"'))
    assert await check(tmp_path) == [
        "01-t.md:17: the check passes on the starter code: it must fail until the exercise is done"
    ]


async def test_a_check_that_fails_on_the_solution_is_reported(tmp_path: Path) -> None:
    write_lesson(tmp_path, exercise("x = 0", "x = 2", 'assert x == 1, "x should be 1"'))
    assert await check(tmp_path) == ["01-t.md:17: the check fails on the solution: x should be 1"]


async def test_a_solution_that_raises_is_reported_at_its_line(tmp_path: Path) -> None:
    write_lesson(
        tmp_path, exercise("x = 0", "x = 1\ny = missing", 'assert x == 1, "x should be 1"')
    )
    assert await check(tmp_path) == [
        "01-t.md:15: the solution raised NameError: name 'missing' is not defined"
    ]


async def test_a_starter_that_raises_is_reported_because_the_check_never_ran(
    tmp_path: Path,
) -> None:
    starter = "def f():\n    raise NotImplementedError\nx = f()"
    write_lesson(tmp_path, exercise(starter, "x = 1", 'assert x == 1, "x should be 1"'))
    assert await check(tmp_path) == [
        "01-t.md:11: the starter raised NotImplementedError, so the check never ran on it: "
        "a starter must run, leaving its gaps as ... or None for the check to report"
    ]


async def test_a_starter_that_does_not_parse_is_reported(tmp_path: Path) -> None:
    write_lesson(tmp_path, exercise("def f(:", "x = 1", 'assert x == 1, "x should be 1"'))
    (problem,) = await check(tmp_path)
    assert problem.startswith("01-t.md:10: the starter code does not parse (SyntaxError")


async def test_a_check_without_a_message_is_reported(tmp_path: Path) -> None:
    write_lesson(tmp_path, exercise("x = 0", "x = 1", "assert x == 1"))
    (problem,) = await check(tmp_path)
    assert problem.startswith("01-t.md:17: the check fails on the starter without a message")
    write_lesson(tmp_path, exercise("x = 0", "x = 1", "assert 1 / x == 1, 'x should be 1'"))
    (problem,) = await check(tmp_path)
    assert problem.startswith(
        "01-t.md:17: the check does not fail on the starter with its own message but crashes"
    )


async def test_an_output_mismatch_is_reported_at_the_output_block(tmp_path: Path) -> None:
    body = "## Step\n\n```python example\nprint(2 * 3)\nprint('ok')\n```\n```output\n7\nok\n```\n"
    write_lesson(tmp_path, body)
    (problem,) = await check(tmp_path)
    assert problem.startswith(
        "01-t.md:13: the example prints something else than its ```output block"
    )
    assert "-7" in problem and "+6" in problem


async def test_output_ignores_trailing_spaces_and_final_newlines(tmp_path: Path) -> None:
    body = "## Step\n\n```python example\nprint('a   ')\nprint()\nprint('b')\nprint()\n```\n```output\na\n\nb\n```\n"
    write_lesson(tmp_path, body)
    assert await check(tmp_path) == []
    assert normalize_output("a  \nb\n\n\n") == "a\nb"
    assert normalize_output("a\n\nb") != normalize_output("a\nb")


async def test_an_example_that_raises_is_reported_at_the_failing_line(tmp_path: Path) -> None:
    write_lesson(tmp_path, "## Step\n\n```python example\nx = 1\ny = x.nope\n```\n")
    assert await check(tmp_path) == [
        "01-t.md:11: example raised AttributeError: 'int' object has no attribute 'nope'"
    ]


async def test_examples_meant_to_raise(tmp_path: Path) -> None:
    body = (
        "## Step\n\n```python example raises=AttributeError\nx = 1\n```\n\n"
        "```python example raises=AttributeError\n1 / 0\n```\n\n"
        "```python example raises=builtins.KeyError\n{}['k']\n```\n"
    )
    write_lesson(tmp_path, body)
    assert await check(tmp_path) == [
        "01-t.md:9: example should raise AttributeError but ran without error",
        "01-t.md:14: example should raise AttributeError but raised ZeroDivisionError: division by zero",
    ]


async def test_loader_problems_come_first_and_bad_lessons_are_not_run(tmp_path: Path) -> None:
    write_lesson(
        tmp_path,
        "## Step\n\n```python example\nprint(1)\n```\n```output\n2\n```\n",
        name="01-a.md",
        lesson_id="a",
    )
    write_lesson(
        tmp_path, "## Step\n\n```python exampel\nboom()\n```\n", name="02-b.md", lesson_id="b"
    )
    session = ExecSession()
    problems = await check(tmp_path, session)
    assert problems[0].startswith("02-b.md:9: unknown block role 'exampel'")
    assert problems[1].startswith("01-a.md:12: the example prints something else")
    assert [code for code, _device, _check in session.runs] == ["print(1)\n"]


class LoopingSession(ExecSession):
    """A block containing 'while True' runs until interrupted, as in a real kernel."""

    def __init__(self, obeys_interrupt: bool = True) -> None:
        super().__init__()
        self.obeys_interrupt = obeys_interrupt
        self.stop = asyncio.Event()

    async def interrupt(self) -> None:
        await super().interrupt()
        if self.obeys_interrupt:
            self.stop.set()

    async def run(
        self, code: str, device: str = "auto", check: str | None = None
    ) -> AsyncIterator[Any]:
        if "while True" not in code:
            async for event in super().run(code, device, check):
                yield event
            return
        self.runs.append((code, device, check))
        self.stop.clear()
        await self.stop.wait()
        yield RunError("KeyboardInterrupt", "The run was interrupted.", 1, "")
        yield RunFinished(ok=False, device=device, seconds=0.0, interrupted=True)


LOOP_THEN_PRINT = (
    "## Step\n\n```python example\nwhile True: pass\n```\n\n"
    "```python example\nprint(3)\n```\n```output\n3\n```\n"
)


async def test_a_block_that_never_finishes_is_interrupted_and_the_next_runs(
    tmp_path: Path,
) -> None:
    write_lesson(tmp_path, LOOP_THEN_PRINT)
    session = LoopingSession()
    assert await check(tmp_path, session, run_timeout=0.05) == [
        "01-t.md:9: example did not finish within 0.05 s (it was stopped)"
    ]
    assert session.calls == ["start", "interrupt", "shutdown"]
    assert [code for code, _device, _check in session.runs] == ["while True: pass\n", "print(3)\n"]


async def test_a_block_that_ignores_the_interrupt_gets_a_fresh_kernel(tmp_path: Path) -> None:
    write_lesson(tmp_path, LOOP_THEN_PRINT)
    session = LoopingSession(obeys_interrupt=False)
    assert await check(tmp_path, session, run_timeout=0.05, stop_wait=0.05) == [
        "01-t.md:9: example did not finish within 0.05 s (the kernel was restarted)"
    ]
    assert session.calls == ["start", "interrupt", "restart", "shutdown"]
    assert len(session.runs) == 2


async def test_output_is_bounded_and_a_flood_reported(tmp_path: Path) -> None:
    body = (
        "## Step\n\n```python example\nfor i in range(1000):\n    print(i)\n```\n"
        "```output\n0\n```\n\n```python example\nprint('after')\n```\n```output\nafter\n```\n"
    )
    write_lesson(tmp_path, body)
    assert await check(tmp_path, output_limit=50) == [
        "01-t.md:9: example printed more than 50 characters (only that much is kept and "
        "compared); print less"
    ]


def test_run_outcome_keeps_at_most_the_limit() -> None:
    outcome = validate_block_run.RunOutcome()
    assert outcome.keep_stdout("abc", 5)
    assert not outcome.keep_stdout("defgh", 5)
    assert not outcome.keep_stdout("more", 5)
    assert outcome.printed == "abcde" and outcome.output_overflow


class DyingSession(ExecSession):
    async def run(
        self, code: str, device: str = "auto", check: str | None = None
    ) -> AsyncIterator[Any]:
        self.runs.append((code, device, check))
        yield KernelDied("segmentation fault")
        yield RunFinished(ok=False, device=device, seconds=0.0)


async def test_a_dead_kernel_is_reported_and_restarted(tmp_path: Path) -> None:
    write_lesson(tmp_path, "## Step\n\n```python example\nimport ctypes\n```\n")
    session = DyingSession()
    assert await check(tmp_path, session) == [
        "01-t.md:9: example the kernel died while running it: segmentation fault"
    ]
    assert session.calls == ["start", "restart", "shutdown"]


class NoKernel(ExecSession):
    async def start(self) -> None:
        raise RuntimeError("ipykernel is not installed")


async def test_a_kernel_that_cannot_start_is_one_problem(tmp_path: Path) -> None:
    write_lesson(tmp_path, "## Step\n\nText.\n")
    problems = await check(tmp_path, NoKernel())
    assert problems == [
        f"{tmp_path.name}:None: could not start a kernel to run the lessons: ipykernel is not installed"
    ]


async def test_progress_lines_name_each_step() -> None:
    lines: list[str] = []
    await check(GOOD, on_progress=lines.append)
    assert lines == [
        "01-basics.md: step 1/3 Printing",
        "01-basics.md: step 2/3 Errors on purpose",
        "01-basics.md: step 3/3 Write add",
        "02-more.md: step 1/1 Only prose",
    ]


def test_list_lessons_counts_steps_quizzes_and_exercises() -> None:
    assert [lesson_summary(lesson) for lesson in load_lessons(GOOD).lessons] == [
        {
            "id": "basics",
            "title": "Python basics",
            "summary": "Print numbers and write a function that adds.",
            "file": "01-basics.md",
            "steps": 3,
            "quizzes": 1,
            "exercises": 1,
        },
        {
            "id": "more",
            "title": "More",
            "summary": "A second lesson.",
            "file": "02-more.md",
            "steps": 1,
            "quizzes": 0,
            "exercises": 0,
        },
    ]


def test_cmd_lessons_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cmd_lessons_list(GOOD, as_json=True) == 0
    assert [row["id"] for row in json.loads(capsys.readouterr().out)] == ["basics", "more"]
    assert cmd_lessons_list(GOOD, as_json=False) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["ID", "TITLE", "STEPS", "QUIZZES", "EXERCISES"]
    assert table[1].split() == ["basics", "Python", "basics", "3", "1", "1"]
    write_lesson(tmp_path, "Intro.\n\n## Step\n\nText.\n")
    assert cmd_lessons_list(tmp_path, as_json=True) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and "01-t.md:7: text before" in captured.err


def test_cmd_lessons_check_prints_problems_and_exits_nonzero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validate, "kernel_session", ExecSession)
    assert cmd_lessons_check(GOOD, device="cpu") == 0
    captured = capsys.readouterr()
    assert "2 lesson(s)" in captured.out and "all checks passed" in captured.out
    assert "01-basics.md: step 1/3 Printing" in captured.err

    write_lesson(tmp_path, exercise("x = 1", "x = 1", 'assert x == 1, "x should be 1"'))
    assert cmd_lessons_check(tmp_path, device="cpu") == 1
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0]
        == f"{tmp_path / '01-t.md'}:17: the check passes on the starter code: it must fail until the exercise is done"
    )
    assert out[-1].startswith("1 problem(s) in 1 file(s)")


def test_curriculum_and_validator_import_neither_torch_nor_textual() -> None:
    probe = (
        "import sys, nnlearn.validate, nnlearn.curriculum.progress, nnlearn.curriculum.loader\n"
        "print(sorted(m for m in ('torch', 'textual') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


async def test_an_empty_output_block_shows_what_to_put_in_it(tmp_path: Path) -> None:
    write_lesson(
        tmp_path, "## Step\n\n```python example\nprint('a')\nprint('b')\n```\n```output\n```\n"
    )
    assert await check(tmp_path) == [
        "01-t.md:13: the ```output block is empty; the example prints:\n    a\n    b"
    ]


async def test_a_check_that_accepts_a_mistake_is_reported_at_the_mistake(tmp_path: Path) -> None:
    write_lesson(
        tmp_path,
        exercise(
            "x = None",
            "x = 1",
            'assert x is not None, "set x"',
            ("mistake", "# mistake: counts from zero\nx = 0"),
            ("mistake", "# mistake: a string is not a number\nx = '1'"),
        ),
    )
    assert await check(tmp_path) == [
        "01-t.md:25: the check (line 17) accepts the mistake (counts from zero): it must reject it",
        "01-t.md:30: the check (line 17) accepts the mistake (a string is not a number): "
        "it must reject it",
    ]


async def test_mistakes_rejected_and_alternatives_accepted_pass(tmp_path: Path) -> None:
    session = ExecSession()
    write_lesson(
        tmp_path,
        exercise(
            "x = None",
            "x = 1",
            CHECK_X_IS_1,
            ("mistake", "# mistake: counts from zero\nx = 0"),
            ("mistake raises=ZeroDivisionError", "# mistake: divides by zero\nx = 1 / 0"),
            ("also-correct", "# also-correct: an expression is fine\nx = 2 - 1"),
        ),
    )
    assert await check(tmp_path, session) == []
    assert [code.splitlines()[-1] for code, _device, _check in session.runs] == [
        "x = None",
        "x = 1",
        "x = 2 - 1",
        "x = 0",
        "x = 1 / 0",
    ]


async def test_a_mistake_is_rejected_only_by_the_checks_own_message(tmp_path: Path) -> None:
    write_lesson(
        tmp_path,
        exercise(
            "x = None",
            "x = 1",
            CHECK_X_IS_1 + "\nassert 1 / (x - 1) or True, 'never seen'",
            ("mistake", "# mistake: crashes before the check\nx = y"),
            ("mistake raises=KeyError", "# mistake: said KeyError\nx = 1"),
            ("also-correct", "# also-correct: but it is not\nx = 3"),
        ),
    )
    problems = await check(tmp_path)
    assert problems == [
        "01-t.md:17: the check fails on the solution: "
        "The check could not finish: ZeroDivisionError: division by zero",
        "01-t.md:37: the check (line 17) fails on the also-correct answer (but it is not): "
        "x should be 1",
        "01-t.md:29: the mistake (crashes before the check) raised NameError: name 'y' is not "
        "defined before the check ran, so it proves nothing about the check: make it run, "
        "or mark it raises=NameError if that error is what the learner should see",
        "01-t.md:32: the mistake (said KeyError) should raise KeyError but ran",
    ]


def test_mistake_blocks_need_a_label_and_a_check(tmp_path: Path) -> None:
    write_lesson(
        tmp_path,
        exercise("x = None", "x = 1", CHECK_X_IS_1, ("mistake", "x = 0"))
        + "\n## Alone\n\n```python also-correct\nx = 1\n```\n",
    )
    assert [str(p).split(": ", 1)[1][:60] for p in load_lessons(tmp_path).problems] == [
        "a ```python mistake block must start with a comment naming t",
        "a ```python also-correct needs a ```python check in the same",
    ]


def test_mistake_and_alternative_blocks_are_kept_out_of_the_prose(tmp_path: Path) -> None:
    write_lesson(
        tmp_path,
        exercise(
            "x = None",
            "x = 1",
            CHECK_X_IS_1,
            ("mistake", "# mistake: counts from zero\nx = 0"),
            ("also-correct", "x = 2 - 1"),
        ),
    )
    (lesson,) = load_lessons(tmp_path).lessons
    step = lesson.steps[0]
    assert [(m.label, m.code) for m in step.mistakes] == [
        ("counts from zero", "# mistake: counts from zero\nx = 0\n")
    ]
    assert [(a.label, a.code) for a in step.also_correct] == [(None, "x = 2 - 1\n")]
    assert "x = 0" not in step.body and "2 - 1" not in step.body


def test_lessons_check_help_says_it_runs_the_folders_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from nnlearn.cli import main

    with pytest.raises(SystemExit):
        main(["lessons", "check", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "runs every example, starter, solution, mistake and check" in help_text
    assert "check only folders you trust" in help_text
    assert "--timeout SECONDS" in help_text
    from nnlearn.cli import _parser

    assert _parser().parse_args(["lessons", "check"]).timeout == RUN_TIMEOUT_S


def test_cmd_lessons_check_passes_its_timeout_and_refuses_a_bad_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validate, "kernel_session", LoopingSession)
    write_lesson(tmp_path, LOOP_THEN_PRINT)
    assert cmd_lessons_check(tmp_path, device="cpu", timeout=0.05) == 1
    assert "did not finish within 0.05 s" in capsys.readouterr().out
    assert cmd_lessons_check(tmp_path, device="cpu", timeout=0) == 2
    assert "--timeout must be a number of seconds above 0" in capsys.readouterr().err
