"""Property tests: whatever Markdown or YAML the loader is fed, it reports problems and never raises."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnlearn.curriculum.loader import load_lessons, parse_lesson
from nnlearn.curriculum.model import Lesson, LessonProblem

GOOD = Path(__file__).parent / "fixtures" / "good"
GOOD_TEXT = (GOOD / "01-basics.md").read_text()
PATH = Path("01-fuzz.md")

FRAGMENTS = [
    "---",
    "...",
    "## ",
    "##",
    "## Step",
    "# Title",
    "```",
    "````",
    "~~~",
    "```python example",
    "```python example raises=TypeError",
    "```python starter",
    "```python solution",
    "```python check",
    "```output",
    "```quiz",
    "```think",
    "```hint",
    "```python exampel",
    "```text",
    "question: Q?",
    "choices: [a, b]",
    "choices:",
    "  - a",
    "  - yes",
    "answer: 1",
    "answer: 9",
    "answer: one",
    "explain: E.",
    "id: x",
    "title: T",
    "summary: S.",
    "id: [",
    "key: {",
    ": :",
    "- - -",
    "\t",
    "    indented",
    "> quote",
    "- item",
    "  ```python check",
    "print(1)",
    "assert x, 'm'",
    "&anchor a",
    "*alias",
    "!!python/object:os.system",
    "2001-13-45",
    "\x00",
    "\ufeff",
    "\u2028",
    "\r",
    "Title",
    "===",
]

# per-test settings, not a global profile: other modules keep their own hypothesis settings
FUZZ = settings(derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_consistent(text: str, lesson: Lesson | None, problems: list[LessonProblem]) -> None:
    """A lesson comes back only when there is no problem, and then it obeys the format's rules."""
    assert all(isinstance(p, LessonProblem) and p.message for p in problems)
    breaks = (
        "\n",
        "\r",
        "\x85",
        "\u2028",
        "\u2029",
    )  # YAML counts the last three as line breaks too
    line_count = sum(text.count(b) for b in breaks) + 2
    assert all(p.line is None or 1 <= p.line <= line_count for p in problems)
    if problems:
        assert lesson is None
        return
    assert lesson is not None and lesson.steps
    for step in lesson.steps:
        assert step.title
        for quiz in step.quizzes:
            assert 2 <= len(quiz.choices) <= 6 and 0 <= quiz.answer < len(quiz.choices)
        if step.check is not None:
            assert step.starter is not None and step.solution is not None and step.hints


@FUZZ
@given(st.text())
def test_any_text_is_reported_never_raised(text: str) -> None:
    lesson, problems = parse_lesson(text, PATH)
    assert_consistent(text, lesson, problems)


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=40))
def test_lesson_shaped_fragments(parts: list[str]) -> None:
    text = "---\nid: fuzz\ntitle: T\nsummary: S.\n---\n" + "\n".join(parts)
    lesson, problems = parse_lesson(text, PATH)
    assert_consistent(text, lesson, problems)


@st.composite
def mangled_good_lesson(draw: st.DrawFn) -> str:
    lines = GOOD_TEXT.split("\n")
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(
            st.sampled_from(["delete", "duplicate", "insert", "swap", "truncate", "edit"])
        )
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            lines = [""]
        if operation == "delete":
            del lines[at]
        elif operation == "duplicate":
            lines.insert(at, lines[at])
        elif operation == "insert":
            lines.insert(at, draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=15))))
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif operation == "truncate":
            lines = lines[:at]
        else:
            line = lines[at]
            cut = draw(st.integers(0, len(line)))
            lines[at] = line[:cut] + draw(st.text(max_size=5)) + line[cut:]
    return "\n".join(lines)


@FUZZ
@given(mangled_good_lesson())
def test_mangled_good_lessons(text: str) -> None:
    lesson, problems = parse_lesson(text, PATH)
    assert_consistent(text, lesson, problems)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
quiz_like = st.fixed_dictionaries(
    {},
    optional={
        "question": yaml_values,
        "choices": yaml_values,
        "answer": yaml_values,
        "explain": yaml_values,
    },
)


@FUZZ
@given(st.one_of(yaml_values, quiz_like), st.sampled_from(["quiz", "think"]))
def test_any_yaml_in_quiz_and_think_blocks(value: object, kind: str) -> None:
    dumped = yaml.safe_dump(value, allow_unicode=True)
    text = f"---\nid: fuzz\ntitle: T\nsummary: S.\n---\n\n## Step\n\n```{kind}\n{dumped}```\n"
    lesson, problems = parse_lesson(text, PATH)
    assert_consistent(text, lesson, problems)


@FUZZ
@given(yaml_values)
def test_any_yaml_front_matter(value: object) -> None:
    dumped = yaml.safe_dump(value, allow_unicode=True)
    text = f"---\n{dumped}---\n\n## Step\n\nText.\n"
    lesson, problems = parse_lesson(text, PATH)
    assert_consistent(text, lesson, problems)


@settings(FUZZ, max_examples=30)
@given(
    st.lists(
        st.tuples(st.from_regex(r"\A[0-9a-zA-Z_-]{1,12}\.md\Z"), st.binary(max_size=300)),
        max_size=5,
    )
)
def test_a_folder_of_random_files(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, content in files:
            (Path(folder) / name).write_bytes(content)
        result = load_lessons(Path(folder))
        assert all(Path(folder) in (p.path, p.path.parent) for p in result.problems)
        assert len({lesson.id for lesson in result.lessons}) == len(result.lessons)
