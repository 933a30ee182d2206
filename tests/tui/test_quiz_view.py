"""Pilot tests of the quiz widget alone: what a wrong answer is told."""

from __future__ import annotations

from textual.app import App, ComposeResult

from nnlearn.curriculum.model import Quiz
from nnlearn.tui.widgets.quiz import QuizView

# Numbers as choices: "the answer is 3" alone could be read as the value 3.
COUNT_QUIZ = Quiz(
    question="How many parameters has nn.Linear(4, 7)?",
    choices=("30", "35", "3", "42"),
    answer=1,
    explain="4 * 7 weights and 7 biases.",
    line=1,
)


class QuizApp(App):
    def compose(self) -> ComposeResult:
        yield QuizView(COUNT_QUIZ, 0)


def feedback_of(app: App) -> str:
    return str(app.query_one(".quiz-feedback").render())


async def test_a_wrong_answer_names_the_right_choice_by_number_and_text():
    app = QuizApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(QuizView).query_one("OptionList").focus()
        await pilot.press("3")
        await pilot.pause()
        said = " ".join(feedback_of(app).split())
        assert "✗ Not quite: the answer is 2 (35)." in said
        assert "4 * 7 weights and 7 biases." in said
        await pilot.press("2")
        await pilot.pause()
        assert "✓ Correct." in feedback_of(app)
