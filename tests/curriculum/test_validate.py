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

from nnlearn import validate
from nnlearn.kernel.events import CheckResult, KernelDied, RunError, RunFinished, Stream
from nnlearn.validate import (
    check_lessons,
    cmd_lessons_check,
    cmd_lessons_list,
    list_lessons,
    normalize_output,
)

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
        yield RunFinished(ok=error is None, device=device, seconds=0.0)


def write_lesson(folder: Path, body: str, name: str = "01-t.md", lesson_id: str = "t") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(HEADER.format(id=lesson_id) + body)
    return path


def exercise(starter: str, solution: str, check: str) -> str:
    return (
        f"## Exercise\n\n```python starter\n{starter}\n```\n\n```python solution\n{solution}\n```\n\n"
        f"```python check\n{check}\n```\n\n```hint\nThink.\n```\n"
    )


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


async def test_a_starter_that_raises_counts_as_failing_the_check(tmp_path: Path) -> None:
    starter = "def f():\n    raise NotImplementedError\nx = f()"
    write_lesson(tmp_path, exercise(starter, "x = 1", 'assert x == 1, "x should be 1"'))
    assert await check(tmp_path) == []


async def test_a_starter_that_does_not_parse_is_reported(tmp_path: Path) -> None:
    write_lesson(tmp_path, exercise("def f(:", "x = 1", 'assert x == 1, "x should be 1"'))
    (problem,) = await check(tmp_path)
    assert problem.startswith("01-t.md:10: the starter code does not parse (SyntaxError")


async def test_a_check_without_a_message_is_reported(tmp_path: Path) -> None:
    write_lesson(tmp_path, exercise("x = 0", "x = 1", "assert x == 1"))
    (problem,) = await check(tmp_path)
    assert problem.startswith("01-t.md:17: the check fails on the starter without a message")


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


class HangingSession(ExecSession):
    async def run(
        self, code: str, device: str = "auto", check: str | None = None
    ) -> AsyncIterator[Any]:
        self.runs.append((code, device, check))
        await asyncio.Event().wait()
        yield RunFinished(ok=True, device=device, seconds=0.0)


async def test_a_block_that_never_finishes_is_interrupted_and_reported(tmp_path: Path) -> None:
    write_lesson(tmp_path, "## Step\n\n```python example\nwhile True: pass\n```\n")
    session = HangingSession()
    assert await check(tmp_path, session, run_timeout=0.01) == [
        "01-t.md:9: example did not finish within 0.01 s"
    ]
    assert "interrupt" in session.calls


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
    assert list_lessons(GOOD) == [
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
    monkeypatch.setattr(validate, "_kernel_session", ExecSession)
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
