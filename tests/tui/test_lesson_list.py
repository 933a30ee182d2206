"""The lesson list's entries: progress mark, title, steps, and the summary wrapped under the title."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.app import App
from textual.widgets import OptionList

from nnlearn.curriculum.model import Lesson, Step
from nnlearn.tui.screens.lesson_list import (
    SUMMARY_INDENT,
    LessonEntry,
    LessonListScreen,
    entry_text,
)

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


async def test_typing_a_lesson_number_goes_to_that_lesson():
    entries = [
        LessonEntry(replace(lesson(), id=f"lesson-{n}", title=f"Lesson {n}"), 0)
        for n in range(1, 13)
    ]
    chosen: list[str | None] = []

    class ListApp(App):
        def on_mount(self) -> None:
            self.push_screen(LessonListScreen(entries, "lesson-1"), chosen.append)

    app = ListApp()
    async with app.run_test(size=(80, 24)) as pilot:
        options = app.screen.query_one(OptionList)
        await pilot.press("1", "2")
        assert options.highlighted == 11  # lesson 12
        await pilot.press("3")  # no lesson 123: a new number, lesson 3
        assert options.highlighted == 2
        await pilot.press("0")  # no lesson 30 and no lesson 0: stays
        assert options.highlighted == 2
        await pilot.press("7", "enter")  # "07": lesson 7
        await pilot.pause()
    assert chosen == ["lesson-7"]
