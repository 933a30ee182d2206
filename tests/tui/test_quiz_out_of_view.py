"""Pilot test: a number key answers the lesson pane's quiz only once the quiz is in view.

The first answer is the one that counts. Code typed into the lesson pane by
mistake (the learner thought the editor had the keys) has digits in it; one
of them must not answer a quiz the learner has not seen.
"""

from __future__ import annotations

from pathlib import Path

from waiting import until_started

from nnlearn.curriculum.progress import ProgressStore
from nnlearn.tui.app import NnlearnApp
from nnlearn.tui.widgets.lesson_pane import LessonPane
from nnlearn.tui.widgets.quiz import QuizView

LONG_STEP = """---
id: long
title: A long step
summary: Prose, then a quiz below the first screenful.
---

## Read first

{prose}

```quiz
question: Which comes first?
choices:
  - the prose
  - the quiz
answer: 0
explain: The prose is above the quiz.
```
"""


async def test_a_number_with_the_quiz_out_of_view_shows_it_and_answers_nothing(
    tmp_path: Path, home: Path, kernel
):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    prose = "\n\n".join(f"Paragraph {n} of the reading." for n in range(1, 16))
    (lessons / "01-long.md").write_text(LONG_STEP.format(prose=prose))
    app = NnlearnApp(lessons, ProgressStore(home), session_factory=kernel)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_started(pilot)
        pane = app.main_screen.query_one(LessonPane)
        quiz = app.main_screen.query_one(QuizView)
        assert app.focused is pane and quiz.virtual_region.y >= pane.size.height  # unseen

        await pilot.press("2")  # typed with the quiz out of sight
        await pilot.pause()
        assert quiz.answered is None
        assert ProgressStore(home).quiz_answer("long", 0, 0) is None
        assert pane.scroll_y > 0 and quiz.region.height > 0  # now in view

        await pilot.press("2")  # seen: this one answers
        await pilot.pause()
        assert quiz.answered == 1
        assert ProgressStore(home).quiz_answer("long", 0, 0) == 1
