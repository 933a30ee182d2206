"""The option-list dialogs open on the current choice, pick with enter and cancel with escape."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import OptionList

from nnlearn.curriculum.model import Lesson, Step
from nnlearn.kernel.events import DeviceInfo
from nnlearn.tui.screens.device_picker import DevicePickerScreen
from nnlearn.tui.screens.lesson_list import LessonEntry, LessonListScreen

DEVICES = (DeviceInfo("cpu", "CPU"), DeviceInfo("cuda:0", "NVIDIA H100"))


def lesson(lesson_id: str) -> Lesson:
    step = Step(index=0, title="Step", body="", line=1)
    return Lesson(
        id=lesson_id, title=lesson_id, summary="", path=Path(f"{lesson_id}.md"), steps=(step,)
    )


LESSONS = [LessonEntry(lesson(name), done_steps=0) for name in ("basics", "training", "shapes")]


class PickerApp(App[None]):
    def __init__(self, picker) -> None:
        super().__init__()
        self.picker = picker
        self.results: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.picker, self.results.append)


def device_picker(current: str) -> DevicePickerScreen:
    return DevicePickerScreen(DEVICES, current)


def lesson_list(current: str) -> LessonListScreen:
    return LessonListScreen(LESSONS, current)


@pytest.mark.parametrize(
    ("make", "current", "highlighted"),
    [
        (device_picker, "cuda:0", 2),
        (device_picker, "auto", 0),
        (lesson_list, "shapes", 2),
        (lesson_list, "training", 1),
    ],
)
async def test_a_picker_opens_on_the_current_choice_and_enter_picks_it(make, current, highlighted):
    app = PickerApp(make(current))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen.query_one(OptionList).highlighted == highlighted
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [current]


@pytest.mark.parametrize(("make", "current"), [(device_picker, "tpu:3"), (lesson_list, "gone")])
async def test_a_current_choice_that_is_not_offered_opens_the_picker_anyway(make, current):
    app = PickerApp(make(current))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, (DevicePickerScreen, LessonListScreen))
        assert app.screen.query_one(OptionList).has_focus
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]
