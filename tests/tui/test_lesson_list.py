"""The lesson list's entries: progress mark, title, steps, and the summary wrapped under the title."""

from __future__ import annotations

from pathlib import Path

from nnlearn.curriculum.model import Lesson, Step
from nnlearn.tui.screens.lesson_list import SUMMARY_INDENT, LessonEntry, entry_text

SUMMARY = "Write your own nn.Module subclass, with its layers made in __init__ and its computation."


def lesson(steps: int = 3) -> Lesson:
    return Lesson(
        id="basics",
        title="A model is a class",
        summary=SUMMARY,
        path=Path("01-basics.md"),
        steps=tuple(Step(index=i, title=f"Step {i}", body="", line=1) for i in range(steps)),
    )


def test_summary_lines_are_indented_under_the_title_and_fit_the_width():
    lines = entry_text(7, LessonEntry(lesson(), done_steps=1), width=40).plain.splitlines()
    assert lines[0] == "•  7. A model is a class  1/3 steps"
    assert len(lines) > 2
    for line in lines[1:]:
        assert line.startswith(SUMMARY_INDENT) and not line[len(SUMMARY_INDENT)].isspace()
        assert len(line) <= 40
    assert " ".join(line.strip() for line in lines[1:]) == SUMMARY


def test_done_and_untouched_marks():
    assert entry_text(1, LessonEntry(lesson(), done_steps=3)).plain.startswith("✓  1.")
    assert entry_text(1, LessonEntry(lesson(), done_steps=0)).plain.startswith("   1.")
