"""The lesson model: plain dataclasses the loader produces and everything else reads.

No Textual, no torch: the TUI, the CLI and the validator all share these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CodeBlock:
    """A fenced ``python`` block: an example, a starter, a solution, a check, a mistake...

    ``raises`` names the exception an example (or a mistake) is meant to raise
    (for lessons that show an error on purpose); ``expected_output`` is the
    text of an ``output`` block that follows the example, which the validator
    compares with what the example prints. ``label`` is what the first comment
    of a ``mistake`` or ``also-correct`` block says about it.
    """

    role: str  # "example" | "starter" | "solution" | "check" | "mistake" | "also-correct"
    code: str
    line: int  # 1-based line of the opening fence in the lesson file
    raises: str | None = None
    expected_output: str | None = None
    output_line: int | None = None  # 1-based line of the ``output`` fence, when there is one
    label: str | None = None


@dataclass(frozen=True)
class Quiz:
    question: str
    choices: tuple[str, ...]
    answer: int  # 0-based index into choices
    explain: str
    line: int


@dataclass(frozen=True)
class Think:
    """A "think about it" prompt with an answer the learner can reveal."""

    question: str
    answer: str
    line: int


@dataclass(frozen=True)
class Step:
    """One ``##`` section of a lesson."""

    index: int  # 0-based position in the lesson
    title: str
    body: str  # Markdown prose with the interactive blocks taken out (examples stay in)
    line: int
    examples: tuple[CodeBlock, ...] = ()
    starter: CodeBlock | None = None
    solution: CodeBlock | None = None
    check: CodeBlock | None = None
    # Wrong answers a learner might write (the check must reject each) and other right
    # answers (the check must accept each); never shown, only run by the validator.
    mistakes: tuple[CodeBlock, ...] = ()
    also_correct: tuple[CodeBlock, ...] = ()
    hints: tuple[str, ...] = ()
    quizzes: tuple[Quiz, ...] = ()
    thinks: tuple[Think, ...] = ()

    @property
    def is_exercise(self) -> bool:
        return self.check is not None

    @property
    def editor_code(self) -> str:
        """What the editor holds for this step before the learner edits it."""
        if self.starter is not None:
            return self.starter.code
        for example in self.examples:
            if example.raises is None:
                return example.code
        if self.examples:
            return self.examples[0].code
        return ""


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    path: Path
    steps: tuple[Step, ...]
    order: int = 0  # the NN of NN-slug.md

    @property
    def quiz_count(self) -> int:
        return sum(len(s.quizzes) for s in self.steps)

    @property
    def exercise_count(self) -> int:
        return sum(1 for s in self.steps if s.is_exercise)


@dataclass(frozen=True)
class LessonProblem:
    """Something wrong in a lesson file, with where it is."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


@dataclass
class LoadResult:
    """The good lessons of a folder, and a problem for each bad file."""

    lessons: list[Lesson] = field(default_factory=list)
    problems: list[LessonProblem] = field(default_factory=list)

    def by_id(self, lesson_id: str) -> Lesson | None:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        return None
