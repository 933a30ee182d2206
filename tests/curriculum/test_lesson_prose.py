"""The bundled lessons' prose says where the learner's code is.

An exercise's starter is taken out of the lesson text and loaded into the
editor, which at 80 columns is not even on screen with the text. Prose that
says "the code below" about it points at nothing: below it there is no code.
"""

from __future__ import annotations

import re

from nnlearn.curriculum.bundled import bundled_lessons_dir
from nnlearn.curriculum.loader import load_lessons

POINTS_DOWN = re.compile(r"\b(?:code|model|loop|loader|class|function)\s+below\b|\w+`\s+below\b")
FENCE = "```"


def test_no_exercise_step_points_below_at_code_that_is_in_the_editor() -> None:
    wrong = []
    for lesson in load_lessons(bundled_lessons_dir()).lessons:
        for step in lesson.steps:
            if step.starter is None:
                continue
            for match in POINTS_DOWN.finditer(step.body):
                if FENCE not in step.body[match.end() :]:  # no shown code follows
                    wrong.append(f"{lesson.id} step {step.index + 1}: {match.group(0)!r}")
    assert not wrong, "say 'in the editor' instead:\n" + "\n".join(wrong)
