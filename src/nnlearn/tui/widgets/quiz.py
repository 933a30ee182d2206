"""A quiz: a question, numbered choices picked by key or click, and instant feedback.

The widget only reports the pick (``Quiz.Answered``); the screen stores it.
The first answer is the one that counts: it is passed in when remembered, the
feedback says so, and the learner may still try the other choices.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nnlearn.curriculum.model import Quiz
from nnlearn.render.markup import inline_text


class QuizView(Vertical):
    """One quiz of a step. Keys 1-6 pick a choice while the quiz has focus."""

    DEFAULT_CSS = """
    QuizView {
        height: auto;
        border: round $primary;
        padding: 0 1;
        margin: 1 0 0 0;
    }
    QuizView > OptionList, QuizView > OptionList:focus {
        height: auto; max-height: 10; border: none; padding: 0;
    }
    QuizView:focus-within { border: round $accent; }
    QuizView > .quiz-question { text-style: bold; }
    QuizView > .quiz-feedback { height: auto; margin-top: 1; }
    QuizView > .quiz-feedback.-correct { color: $success; }
    QuizView > .quiz-feedback.-wrong { color: $error; }
    """

    BINDINGS = [Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 7)]

    @dataclass
    class Answered(Message):
        """The learner picked ``choice`` (0-based) of quiz ``index`` of the step."""

        quiz_view: QuizView
        index: int
        choice: int
        correct: bool

        @property
        def control(self) -> QuizView:
            return self.quiz_view

    def __init__(self, quiz: Quiz, index: int, answered: int | None = None) -> None:
        super().__init__(classes="quiz")
        self.quiz = quiz
        self.index = index
        self.answered = answered
        self.first_answer = answered

    def compose(self) -> ComposeResult:
        yield Static(Text("Quiz: ") + inline_text(self.quiz.question), classes="quiz-question")
        yield OptionList(
            *(
                Option(Text(f"{n}. ") + inline_text(choice), id=f"choice-{n - 1}")
                for n, choice in enumerate(self.quiz.choices, start=1)
            )
        )
        yield Static("", classes="quiz-feedback")

    def on_mount(self) -> None:
        if self.answered is not None:
            self._show_feedback(self.answered)
        else:
            self._show_prompt()

    def action_pick(self, choice: int) -> None:
        if 0 <= choice < len(self.quiz.choices):
            self.pick(choice)

    def pick(self, choice: int) -> None:
        self.answered = choice
        if self.first_answer is None:
            self.first_answer = choice
        self.query_one(OptionList).highlighted = choice
        self._show_feedback(choice)
        self.post_message(self.Answered(self, self.index, choice, choice == self.quiz.answer))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.pick(event.option_index)

    def _show_prompt(self) -> None:
        count = len(self.quiz.choices)
        feedback = self.query_one(".quiz-feedback", Static)
        feedback.update(Text(f"Press 1-{count} (or click) to answer.", style="dim"))

    def _show_feedback(self, choice: int) -> None:
        correct = choice == self.quiz.answer
        feedback = self.query_one(".quiz-feedback", Static)
        feedback.set_class(correct, "-correct")
        feedback.set_class(not correct, "-wrong")
        if correct:
            text = Text("✓ Correct.", style="bold")
        else:
            # The choice's text too: with numbers as choices, "the answer is 3" reads as a value.
            text = Text(f"✗ Not quite: the answer is {self.quiz.answer + 1} (", style="bold")
            text.append_text(inline_text(self.quiz.choices[self.quiz.answer]))
            text.append(").", style="bold")
        text.append(" ")
        text.append_text(inline_text(self.quiz.explain))
        first = self.first_answer
        if first is not None and (first != choice or not correct):
            first_right = first == self.quiz.answer
            verdict = "right" if first_right else "wrong"
            text.append(f"\nYour first answer ({first + 1}, {verdict}) is the one that counts.")
            if not correct:
                text.append(" You may still try the others.", style="dim")
        feedback.update(text)
        self.query_one(OptionList).highlighted = choice
