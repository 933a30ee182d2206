"""The main screen: lesson, editor and results, and everything the learner does there.

This module builds the screen, starts it and hands running code to
``KernelRunner``; each other job is a mixin in a module of its own:
``StepNavigation`` (the lesson and step on screen, moving between them),
``StepProgress`` (answers, checks, Runs, hints: when a step is done),
``DraftSaving`` (the learner's code on disk, the store's problems),
``DeviceChoice`` (F7), ``StepCodeActions`` (replacing the editor's code) and
``PaneLayout`` (which panes show, for the terminal's width).
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Static

from nnlearn.curriculum.model import Lesson, LoadResult
from nnlearn.render.sanitize import sanitize
from nnlearn.tui import course, keys
from nnlearn.tui.kernel_runner import KernelRunner
from nnlearn.tui.screens.device_choice import DeviceChoice
from nnlearn.tui.screens.draft_saving import DraftSaving
from nnlearn.tui.screens.pane_layout import PaneLayout
from nnlearn.tui.screens.step_code import StepCodeActions
from nnlearn.tui.screens.step_navigation import StepNavigation
from nnlearn.tui.screens.step_progress import StepProgress
from nnlearn.tui.session_factory import SessionFactory
from nnlearn.tui.widgets.editor import AUTOSAVE_DELAY, CodeEditor
from nnlearn.tui.widgets.feedback_line import FeedbackLine
from nnlearn.tui.widgets.inside_view import InsideView
from nnlearn.tui.widgets.key_bar import KeyBar
from nnlearn.tui.widgets.lesson_pane import LessonPane
from nnlearn.tui.widgets.status_bar import StatusBar


class MainScreen(
    StepNavigation, StepProgress, DraftSaving, DeviceChoice, StepCodeActions, PaneLayout
):
    """Lesson pane | editor over results tabs, plus the status line and key bar."""

    BINDINGS: ClassVar[list[BindingType]] = [*keys.screen_bindings()]
    AUTO_FOCUS = ""  # on_mount chooses the focus, before the step's widgets exist

    class FirstFrame(Message):
        """The first frame is painted; what it did not need is being set up now."""

    def __init__(
        self,
        lessons: LoadResult,
        store,
        session_factory: SessionFactory | None,
        device: str = "auto",
        autosave_delay: float = AUTOSAVE_DELAY,
        lessons_dir_label: str = "",
    ) -> None:
        super().__init__()
        self.lessons: list[Lesson] = sorted(
            lessons.lessons, key=lambda lesson: (lesson.order, lesson.id)
        )
        self.lesson_problems = lessons.problems
        self.store = store
        self.device = device
        self.lesson_index = 0
        self.step_index = 0
        self._autosave_delay = autosave_delay
        self._lessons_dir_label = lessons_dir_label
        self.runner = KernelRunner(self, session_factory)

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        self.set_layout_classes()
        yield Static("", id="pane-bar")
        with Horizontal(id="workspace"):
            yield LessonPane(id="lesson-pane")
            with Vertical(id="work-column"):
                yield CodeEditor(id="editor", autosave_delay=self._autosave_delay)
        yield FeedbackLine(id="feedback")
        yield StatusBar(id="status")
        yield KeyBar(first_actions=keys.key_bar_order(self.pane))

    async def on_mount(self) -> None:
        status = self.query_one(StatusBar)
        status.device = self.device
        self._focus_pane(self.pane)
        self.report_store_problems()
        for problem in self.lesson_problems[:5]:
            self.notify(str(problem), title="Lesson problem", severity="warning", timeout=15)
        if len(self.lesson_problems) > 5:
            self.notify(f"… and {len(self.lesson_problems) - 5} more lesson problems", timeout=15)
        if not self.lessons:
            await self._show_no_lessons()
        else:
            lesson_index, step_index = course.resume_point(self.lessons, self.store.current())
            await self.enter_step(lesson_index, step_index, save=False)
        self.call_after_refresh(self._after_first_frame)

    async def _after_first_frame(self) -> None:
        """What the first frame does not need: the (empty) results tabs, then the kernel."""
        self.post_message(self.FirstFrame())
        if await self.mount_results():
            self.runner.start_kernel()

    async def _show_no_lessons(self) -> None:
        pane = self.query_one(LessonPane)
        where = f" in {self._lessons_dir_label}" if self._lessons_dir_label else ""
        message = f"No lessons found{where}."
        if self.lesson_problems:
            message += " Problems:\n" + "\n".join(str(p) for p in self.lesson_problems[:20])
        await pane.mount(Static(Text(sanitize(message, keep_sgr=False))))
        self.query_one(StatusBar).location = "no lessons"

    async def on_unmount(self) -> None:
        """Leaving by any path (an exception included) still saves and stops the kernel."""
        with contextlib.suppress(NoMatches):
            self.save_draft()
        await self.runner.shutdown()

    def say(self, message: str | Text, severity: str = "information", key_hint: str = "") -> None:
        """Feedback on the line above the status line, where it covers nothing."""
        with contextlib.suppress(NoMatches):
            line = self.query_one(FeedbackLine)
            line.say(message, severity, key_hint)
            line.show_key_hint(self.narrow and self.pane != "results")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys a step has no use for are left off the key bar (and do nothing)."""
        step = self.step
        if action == "check":
            return step is not None and step.check is not None
        if action == "solution":
            return step is not None and step.solution is not None
        if action == "load_code":
            return step is not None and bool(step.examples or self.has_backups)
        return True

    def key_bar_offers(self, action: str) -> bool:
        """Hint and Think stay off the key bar on a step without them (pressed, they say so)."""
        step = self.step
        if action == "hint":
            return step is not None and bool(step.hints)
        if action == "think":
            return step is not None and bool(step.thinks)
        return True

    # ---------------------------------------------------------- editor and Runs

    def on_text_area_changed(self) -> None:
        if self.results is not None:
            self.results.loss.hold_redraws()

    def on_inside_view_toggled(self, event: InsideView.Toggled) -> None:
        if event.enabled:
            self.say("Inside is on: the next Runs sample gradients and activations.")
        else:
            self.say("Inside is off: the next Runs train without sampling (o turns it on).")

    def action_run(self) -> None:
        self.runner.run(self.query_one(CodeEditor).text, self.device, None)

    def action_check(self) -> None:
        step, lesson = self.step, self.lesson
        if lesson is None or step is None or step.check is None:
            self.say("This step has no exercise to check. F5 runs your code.")
            return
        self.runner.run(
            self.query_one(CodeEditor).text,
            self.device,
            step.check.code,
            target=(lesson.id, step.index),
        )

    def action_interrupt(self) -> None:
        self.runner.interrupt()

    def action_restart_kernel(self) -> None:
        self.runner.restart()
