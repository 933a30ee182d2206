"""The lesson pane: the current step as Markdown, where you are, and the step's interactive parts.

It is rebuilt from scratch on every step change from what the screen passes
in (the step, what the learner already answered), so it holds no progress of
its own beyond what is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from nnlearn.curriculum.model import Lesson, Step
from nnlearn.render.sanitize import sanitize
from nnlearn.tui.widgets.hints import HintsView
from nnlearn.tui.widgets.prose import CodeView, Prose
from nnlearn.tui.widgets.quiz import QuizView
from nnlearn.tui.widgets.think import ThinkView


@dataclass
class StepView:
    """Everything the pane needs to draw one step."""

    lesson: Lesson
    step: Step
    lesson_number: int
    lesson_total: int
    done: bool = False
    quiz_answers: dict[int, int] = field(default_factory=dict)
    exercise: tuple[bool, str] | None = None
    hints_shown: int = 0
    check_key: str = "F9"
    hint_key: str = "ctrl+g"
    think_key: str = "ctrl+f"
    examples_key: str = "ctrl+e"


class LessonPane(VerticalScroll):
    """Header (lesson, step n/N, done mark), prose, exercise status, quizzes, hints, thinks."""

    DEFAULT_CSS = """
    LessonPane { height: 1fr; padding: 0 1; overflow-x: hidden; }
    LessonPane > .step-header { text-style: bold; color: $accent; margin-bottom: 1; }
    LessonPane > .exercise-status { margin-top: 1; height: auto; }
    LessonPane > .examples-note { color: $text-muted; height: auto; }
    LessonPane > .exercise-status.-passed { color: $success; }
    LessonPane > .exercise-status.-failed { color: $error; }
    """

    # The pane keeps focus while the learner reads (arrows and PageUp/PageDown scroll it),
    # and a number key still answers the step's first open quiz once it is in view.
    # Left and right scroll the step's code blocks sideways (they are not wrapped).
    BINDINGS = [
        *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 7)),
        Binding("left", "scroll_code(-8)", show=False),
        Binding("right", "scroll_code(8)", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: StepView | None = None

    # Home, End and the page keys jump, as in a pager: Textual glides there, up to a
    # second for End, repainting the whole pane all the way (slow over SSH).
    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_scroll_code(self, columns: int) -> None:
        for view in self.query(CodeView):
            view.scroll_relative(x=columns, animate=False)

    def action_pick(self, choice: int) -> None:
        quizzes = list(self.query(QuizView))
        open_quizzes = [quiz for quiz in quizzes if quiz.answered is None]
        targets = open_quizzes or quizzes
        if not targets:
            return
        target = targets[0]
        if not self._in_view(target):
            # A number typed with the quiz out of sight (code meant for the editor, most
            # likely) must not give the answer that counts: it brings the quiz into view.
            self.scroll_to_widget(target, animate=False)
            return
        target.action_pick(choice)
        # After the feedback has its height, so that the verdict is in view too.
        self.call_after_refresh(self.scroll_to_widget, target, animate=False)

    def _in_view(self, widget: Widget) -> bool:
        """Some of ``widget`` is inside the pane's visible window."""
        box = widget.virtual_region
        top = round(self.scroll_y)
        return box.y < top + self.scrollable_content_region.height and box.bottom > top

    async def show_step(self, view: StepView) -> None:
        self.view = view
        await self.remove_children()
        step = view.step
        widgets: list[Widget] = [Static(self._header(view), classes="step-header")]
        if step.body.strip():
            widgets.append(Prose(step.body))
        if len(step.examples) > 1:
            note = (
                f"This step has {len(step.examples)} examples: "
                f"{view.examples_key} loads any of them into the editor."
            )
            widgets.append(Static(Text(note), classes="examples-note"))
        if step.is_exercise:
            widgets.append(Static("", classes="exercise-status"))
        widgets.extend(
            QuizView(quiz, index, view.quiz_answers.get(index))
            for index, quiz in enumerate(step.quizzes)
        )
        if step.hints:
            widgets.append(HintsView(step.hints, view.hints_shown, key=view.hint_key))
        widgets.extend(ThinkView(think, key=view.think_key) for think in step.thinks)
        await self.mount_all(widgets)
        if step.is_exercise:
            self.show_exercise(view.exercise)
        self.scroll_home(animate=False)

    def set_done(self, done: bool) -> None:
        if self.view is None:
            return
        self.view.done = done
        self.query_one(".step-header", Static).update(self._header(self.view))

    def show_exercise(self, result: tuple[bool, str] | None) -> None:
        """The exercise line: how to check, or the last check's verdict and message."""
        if self.view is None:
            return
        self.view.exercise = result
        # The message comes from the progress file as much as from a check: not our text.
        message = "" if result is None else sanitize(result[1], keep_sgr=False)
        status = self.query(".exercise-status").first(Static)
        key = self.view.check_key
        if result is None:
            text = Text(f"Exercise: write your code, then press {key} to check it.", style="bold")
        elif result[0]:
            text = Text("✓ Exercise passed. ", style="bold")
            text.append(message or "Well done.", style="")
        else:
            text = Text(f"✗ Check failed ({key} to try again): ", style="bold")
            text.append(message or "the check did not pass.", style="")
        status.set_class(result is not None and result[0], "-passed")
        status.set_class(result is not None and not result[0], "-failed")
        status.update(text)

    async def reveal_hint(self) -> bool | None:
        """None when the step has no hints, else whether a new one was shown."""
        hints = self.query(HintsView)
        if not hints:
            return None
        shown = await hints.first().reveal_next()
        if self.view is not None:
            self.view.hints_shown = hints.first().shown
        if shown:
            self._scroll_into_view(hints.first().children[-1])
        return shown

    async def reveal_think(self) -> bool | None:
        """None when the step has nothing to think about, else whether an answer appeared."""
        for think in self.query(ThinkView):
            if not think.revealed:
                await think.reveal()
                self._scroll_into_view(think)
                return True
        return None if not self.query(ThinkView) else False

    def _scroll_into_view(self, widget: Widget) -> None:
        """After the next layout: a pane hidden until now (a narrow screen) has no size before it."""
        self.call_after_refresh(self.scroll_to_widget, widget, animate=False)

    @staticmethod
    def _header(view: StepView) -> Text:
        text = Text(f"Lesson {view.lesson_number}/{view.lesson_total} · {view.lesson.title}\n")
        total = len(view.lesson.steps)
        text.append(f"Step {view.step.index + 1}/{total} · {view.step.title}")
        if view.done:
            text.append("  ✓ done", style="green")
        return text
