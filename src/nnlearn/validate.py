"""``nnlearn lessons check`` and ``nnlearn lessons list``: the commands and what they print.

The checking itself (running every block of a folder in a kernel) is
nnlearn.lesson_checker; this module turns its problems, and the lessons of a
folder, into the commands' output and exit codes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from nnlearn.curriculum.bundled import bundled_lessons_dir
from nnlearn.curriculum.loader import load_lessons
from nnlearn.curriculum.model import Lesson
from nnlearn.lesson_checker import RUN_TIMEOUT_S, check_lessons, kernel_session
from nnlearn.render.sanitize import sanitize

__all__ = ["cmd_lessons_check", "cmd_lessons_list", "lesson_summary"]


def lesson_summary(lesson: Lesson) -> dict[str, Any]:
    """One row of ``nnlearn lessons list``: id, title, summary, file and its counts."""
    return {
        "id": lesson.id,
        "title": lesson.title,
        "summary": lesson.summary,
        "file": lesson.path.name,
        "steps": len(lesson.steps),
        "quizzes": lesson.quiz_count,
        "exercises": lesson.exercise_count,
    }


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


def cmd_lessons_check(folder: Path | None, device: str, timeout: float = RUN_TIMEOUT_S) -> int:
    """Check a lessons folder (bundled ones by default): problems on stdout, 0 when there are none."""
    target = folder if folder is not None else bundled_lessons_dir()
    if timeout <= 0:
        print(f"--timeout must be a number of seconds above 0, not {timeout:g}", file=sys.stderr)
        return 2

    def progress(line: str) -> None:
        print(sanitize(line, keep_sgr=False), file=sys.stderr, flush=True)

    problems = asyncio.run(
        check_lessons(
            target,
            session_factory=kernel_session,
            device=device,
            on_progress=progress,
            run_timeout=timeout,
        )
    )
    for problem in problems:  # they quote lesson text and what its code printed
        print(sanitize(str(problem), keep_sgr=False))
    lessons = len(load_lessons(target).lessons)
    if problems:
        files = len({p.path for p in problems})
        summary = f"{len(problems)} problem(s) in {files} file(s); {lessons} lesson(s) loaded"
        print(sanitize(f"{summary} from {target}", keep_sgr=False))  # a folder's name is not ours
        return 1
    print(sanitize(f"{lessons} lesson(s) in {target}: all checks passed", keep_sgr=False))
    return 0
