"""The main screen: lesson, editor and results, and everything the learner does there.

This screen owns the learner's place in the course (lesson, step, draft) and
hands running code to ``KernelRunner``; which panes show, for the terminal's
width, is ``PaneLayout``'s job.
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
from textual.notifications import SeverityLevel
from textual.widgets import Static

from nnlearn.curriculum.model import Lesson, LoadResult, Step
from nnlearn.curriculum.progress import CANNOT_SAVE, SAVED_AGAIN
from nnlearn.kernel.events import CheckResult
from nnlearn.render.sanitize import sanitize, sanitize_fields
from nnlearn.tui import course, keys
from nnlearn.tui.kernel_runner import KernelRunner
from nnlearn.tui.screens.device_picker import DevicePickerScreen
from nnlearn.tui.screens.lesson_list import LessonEntry, LessonListScreen
from nnlearn.tui.screens.pane_layout import PaneLayout
from nnlearn.tui.screens.step_code import StepCodeActions
from nnlearn.tui.session_factory import SessionFactory
from nnlearn.tui.widgets.editor import AUTOSAVE_DELAY, CodeEditor
from nnlearn.tui.widgets.feedback_line import FeedbackLine
from nnlearn.tui.widgets.inside_view import InsideView
from nnlearn.tui.widgets.key_bar import KeyBar
from nnlearn.tui.widgets.lesson_pane import LessonPane, StepView
from nnlearn.tui.widgets.quiz import QuizView
from nnlearn.tui.widgets.status_bar import StatusBar

SAVE_RETRY_SECONDS = 10.0  # code the disk refused is written again this often


class MainScreen(StepCodeActions, PaneLayout):
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
        self._hints_shown: dict[tuple[str, int], int] = {}
        self._ran_steps: set[tuple[str, int]] = set()
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
        for problem in getattr(self.store, "problems", []):
            if problem == getattr(self.store, "save_problem", None):
                self.notify(str(problem), title=CANNOT_SAVE, severity="error", timeout=15)
                continue
            self.notify(str(problem), title="Progress file problem", severity="warning", timeout=15)
        for problem in self.lesson_problems[:5]:
            self.notify(str(problem), title="Lesson problem", severity="warning", timeout=15)
        if len(self.lesson_problems) > 5:
            self.notify(f"… and {len(self.lesson_problems) - 5} more lesson problems", timeout=15)
        if hasattr(self.store, "on_problem"):  # later problems (a full disk, a bad draft) too
            self.store.on_problem = self._on_store_problem
            self.set_interval(SAVE_RETRY_SECONDS, self._retry_saving)
        if not self.lessons:
            await self._show_no_lessons()
        else:
            lesson_index, step_index = course.resume_point(self.lessons, self.store.current())
            await self.enter_step(lesson_index, step_index, save=False)
        self.call_after_refresh(self._after_first_frame)

    def _on_store_problem(self, title: str, message: str) -> None:
        severity: SeverityLevel = "information" if title == SAVED_AGAIN else "error"
        self.notify(message, title=title, severity=severity, timeout=15)

    def _retry_saving(self) -> None:
        if self.store.has_unsaved:
            self.store.retry_unsaved()

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

    # ----------------------------------------------------------- the course

    @property
    def lesson(self) -> Lesson | None:
        return self.lessons[self.lesson_index] if self.lessons else None

    @property
    def step(self) -> Step | None:
        lesson = self.lesson
        return lesson.steps[self.step_index] if lesson and lesson.steps else None

    @property
    def place(self) -> tuple[str, int] | None:
        """The step on screen as (lesson id, step index): what a Run's results belong to."""
        lesson, step = self.lesson, self.step
        return (lesson.id, step.index) if lesson is not None and step is not None else None

    async def enter_step(self, lesson_index: int, step_index: int, save: bool = True) -> None:
        if save:
            self.save_draft()
        lesson = self.lessons[lesson_index]
        if not lesson.steps:
            self.notify(f"Lesson {lesson.title!r} has no steps.", severity="warning")
            return
        step_index = min(max(step_index, 0), len(lesson.steps) - 1)
        self.lesson_index, self.step_index = lesson_index, step_index
        step = lesson.steps[step_index]
        self.store.set_current(lesson.id, step_index)
        draft = self.store.load_draft(lesson.id, step_index)
        editor = self.query_one(CodeEditor)
        editor.load_code(draft if draft is not None else step.editor_code)
        view = StepView(
            lesson=lesson,
            step=step,
            lesson_number=lesson_index + 1,
            lesson_total=len(self.lessons),
            done=self.store.is_done(lesson.id, step_index),
            quiz_answers=course.quiz_answers(self.store, lesson.id, step),
            exercise=self.store.exercise_result(lesson.id, step_index),
            hints_shown=self._hints_shown.get((lesson.id, step_index), 0),
            check_key=keys.find("check").key_text,
            hint_key=keys.find("hint").key_text,
            think_key=keys.find("think").key_text,
            examples_key=keys.find("load_code").key_text,
        )
        await self.query_one(LessonPane).show_step(view)
        self._update_location()
        self.query_one(FeedbackLine).clear()
        results = self.results
        if results is not None and results.run_step is not None:  # shown on that step only
            name = course.step_name(self.lessons, results.run_step, self.place)
            results.show_step(self.place, name)
            failed_on = results.error_in(self.place, editor.text)
            if failed_on is not None:  # back on the code whose Run failed: its line again
                editor.mark_error(failed_on)
        self.has_backups = bool(self._backups())
        self.refresh_bindings()

    def _update_location(self) -> None:
        lesson, step = self.lesson, self.step
        if lesson is None or step is None:
            return
        status = self.query_one(StatusBar)
        status.lesson_title = lesson.title
        status.location = (
            f"L{self.lesson_index + 1}/{len(self.lessons)} {lesson.title}"
            f" · step {step.index + 1}/{len(lesson.steps)}"
        )

    def save_draft(self) -> bool:
        """Save the editor's text as the current step's draft if it changed. Synchronous."""
        lesson, step = self.lesson, self.step
        if lesson is None or step is None:
            return False
        editor = self.query_one(CodeEditor)
        if not editor.is_dirty:
            return False
        code = editor.text
        try:
            self.store.save_draft(lesson.id, step.index, code)
        except OSError as error:
            self.say(f"Could not save your code: {error}", "error")
            return False
        editor.mark_saved(code)
        return True

    def on_text_area_changed(self) -> None:
        if self.results is not None:
            self.results.loss.hold_redraws()

    def on_code_editor_draft_settled(self, event: CodeEditor.DraftSettled) -> None:
        if event.code == event.editor.text:
            self.save_draft()

    def on_inside_view_toggled(self, event: InsideView.Toggled) -> None:
        if event.enabled:
            self.say("Inside is on: the next Runs sample gradients and activations.")
        else:
            self.say("Inside is off: the next Runs train without sampling (o turns it on).")

    def on_quiz_view_answered(self, event: QuizView.Answered) -> None:
        lesson, step = self.lesson, self.step
        if lesson is None or step is None:
            return
        choices = len(event.quiz_view.quiz.choices)
        self.store.set_quiz_answer(
            lesson.id, step.index, event.index, event.choice, event.correct, choices
        )
        self._mark_done_if_finished()

    def _mark_done_if_finished(self) -> None:
        lesson, step = self.lesson, self.step
        if lesson is None or step is None or self.store.is_done(lesson.id, step.index):
            return
        if course.is_finished(self.store, lesson.id, step, ran=self._ran_here()):
            self.store.mark_done(lesson.id, step.index)
            self.query_one(LessonPane).set_done(True)

    def _ran_here(self) -> bool:
        return self.place in self._ran_steps

    def record_run(self, lesson_id: str, step_index: int) -> None:
        """A Run of this step's code finished: a step with only code to read is then done."""
        self._ran_steps.add((lesson_id, step_index))
        if self.place == (lesson_id, step_index):
            self._mark_done_if_finished()

    def record_check(self, lesson_id: str, step_index: int, result: CheckResult) -> None:
        """Store a check's outcome for the step it was run on, and show it if still there."""
        self.store.set_exercise_result(lesson_id, step_index, result.ok, result.message)
        if self.place == (lesson_id, step_index):
            self.query_one(LessonPane).show_exercise((result.ok, result.message))
            self._mark_done_if_finished()
        elif result.ok:
            for lesson in self.lessons:
                if lesson.id == lesson_id and step_index < len(lesson.steps):
                    step = lesson.steps[step_index]
                    if course.is_finished(self.store, lesson_id, step, ran=True):
                        self.store.mark_done(lesson_id, step_index)

    # ---------------------------------------------------------------- actions

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

    async def action_next_step(self) -> None:
        lesson, step = self.lesson, self.step
        if lesson is None or step is None:
            return
        if course.done_on_leaving(step):
            self.store.mark_done(lesson.id, step.index)
        following = course.next_position(self.lessons, (self.lesson_index, self.step_index))
        if following is None:
            self.say("This is the last step of the last lesson.")
        else:
            await self.enter_step(*following)

    async def action_previous_step(self) -> None:
        if self.lesson is None:
            return
        earlier = course.previous_position(self.lessons, (self.lesson_index, self.step_index))
        if earlier is None:
            self.say("This is the first step.")
        else:
            await self.enter_step(*earlier)

    def action_lesson_list(self) -> None:
        if not self.lessons:
            self.notify("No lessons were found.", severity="warning")
            return
        entries = [
            LessonEntry(x, course.done_count(self.store.done_steps(x.id), x)) for x in self.lessons
        ]
        current = self.lesson.id if self.lesson else None
        self.app.push_screen(LessonListScreen(entries, current), self._open_lesson)

    async def _open_lesson(self, lesson_id: str | None) -> None:
        for index, lesson in enumerate(self.lessons):
            if lesson.id == lesson_id:
                await self.enter_step(index, self.store.lesson_step(lesson_id))
                self._focus_pane("lesson" if self.narrow else "editor")
                return

    async def action_hint(self) -> None:
        pane = self.query_one(LessonPane)
        revealed = await pane.reveal_hint()
        if revealed is None:
            self.say("This step has no hints.")
            return
        if self.lesson and self.step and pane.view:
            self._hints_shown[(self.lesson.id, self.step.index)] = pane.view.hints_shown
        if not revealed:
            self.say("Every hint of this step is already shown.")
        elif self.narrow:
            self._focus_pane("lesson")  # the hidden editor's focus would leave the keys nowhere

    async def action_think(self) -> None:
        revealed = await self.query_one(LessonPane).reveal_think()
        if revealed is None:
            self.say("This step has no 'think about it' question.")
        elif not revealed:
            self.say("The answer is already shown.")
        elif self.narrow:
            self._focus_pane("lesson")

    def action_device(self) -> None:
        info = self.runner.info
        devices = sanitize_fields(info.devices) if info is not None else ()
        note = "" if info is not None else "The kernel is still starting: only auto for now."
        self.app.push_screen(DevicePickerScreen(devices, self.device, note), self._set_device)

    def kernel_ready(self, info) -> None:
        """A device kept from an earlier session that this kernel lacks falls back to auto."""
        if info is None or self.device == "auto":
            return
        names = [device.name for device in info.devices]
        if self.device not in names:
            missing, self.device = self.device, "auto"
            self.query_one(StatusBar).device = "auto"
            self.say(f"{missing} is not available here: code runs on auto (F7 chooses).", "warning")

    def _set_device(self, device: str | None) -> None:
        if device is None:
            return
        self.device = device
        self.query_one(StatusBar).device = device
        with contextlib.suppress(OSError, AttributeError):
            self.store.set_device(device)  # kept for the next start
        self.say(f"Code now runs on {device}.")
