"""The lesson loader: good files become Lessons, each kind of mistake is reported with file and line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nnlearn.curriculum.blocks import classify_info
from nnlearn.curriculum.bundled import bundled_lessons_dir
from nnlearn.curriculum.loader import (
    MAX_LESSON_BYTES,
    load_lesson_file,
    load_lessons,
    parse_lesson,
)
from nnlearn.curriculum.model import LoadResult

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good"
BROKEN = FIXTURES / "broken"

# file name -> (line or None, a fragment of the message); each broken file has exactly one problem
BROKEN_EXPECTED: dict[str, tuple[int | None, str]] = {
    "01-bad-yaml.md": (4, "front matter: invalid YAML"),
    "02-missing-summary.md": (1, "missing 'summary'"),
    "03-text-before-step.md": (7, "text before the first '## ' heading"),
    "04-empty-step-title.md": (11, "a step needs a title"),
    "05-unknown-role.md": (11, "unknown block role 'exampel'"),
    "06-quiz-missing-key.md": (9, "quiz: missing 'explain'"),
    "07-quiz-answer-range.md": (12, "answer 2 is out of range"),
    "08-quiz-one-choice.md": (11, "needs 2 to 6 choices, found 1"),
    "09-check-without-starter.md": (13, "also needs a ```python starter"),
    "10-check-without-hint.md": (17, "at least one ```hint"),
    "11-output-not-after-example.md": (15, "must come right after a ```python example"),
    "12-duplicate-id-a.md": (2, "duplicate id 'twin': also used by 13-duplicate-id-b.md"),
    "13-duplicate-id-b.md": (2, "duplicate id 'twin': also used by 12-duplicate-id-a.md"),
    "14-unclosed-fence.md": (9, "never closed"),
    "15-setext-heading.md": (11, "write '## Title' to start a step"),
    "16-nested-block.md": (10, "must not be inside a list"),
    "17-no-front-matter.md": (1, "must start with YAML front matter"),
    "18-bad-raises.md": (9, "raises= needs an exception name"),
    "19-think-missing-answer.md": (9, "think: missing 'answer'"),
    "20-quiz-bool-choice.md": (11, "choice 0 is read by YAML as true"),
    "21-no-steps.md": (6, "the lesson has no steps"),
    "22-bad-id.md": (2, "id 'has spaces' may only use"),
    "23-two-starters.md": (13, "a second ```python starter in this step (the first is on line 9)"),
    "24-solution-without-check.md": (9, "solution needs a ```python check"),
    "25-check-without-solution.md": (13, "also needs a ```python solution"),
    "26-quiz-bad-yaml.md": (12, "quiz: invalid YAML"),
    "27-unknown-block-type.md": (9, "unknown block type 'quizz'; did you mean 'quiz'?"),
    "28-quiz-unknown-key.md": (14, "unknown quiz key 'explanation'"),
    "29-empty-hint.md": (11, "the ```hint block is empty"),
    "31-syntax-error.md": (10, "syntax error in the block"),
    "Bad_Name.md": (None, "file name must look like NN-slug.md"),
}


def test_good_folder_loads_in_order_without_problems() -> None:
    result = load_lessons(GOOD)
    assert result.problems == []
    assert [lesson.id for lesson in result.lessons] == ["basics", "more"]
    assert [lesson.order for lesson in result.lessons] == [1, 2]
    assert result.by_id("more") is result.lessons[1]


def test_good_lesson_has_every_part() -> None:
    lesson = load_lessons(GOOD).by_id("basics")
    assert lesson is not None
    assert (lesson.title, lesson.summary) == (
        "Python basics",
        "Print numbers and write a function that adds.",
    )
    printing, errors, exercise = lesson.steps
    assert [s.title for s in lesson.steps] == ["Printing", "Errors on purpose", "Write add"]
    assert [s.index for s in lesson.steps] == [0, 1, 2]
    assert printing.line == 7
    (example,) = printing.examples
    assert example.code == 'print(1 + 1)\nprint("done")\n'
    assert (example.line, example.expected_output, example.output_line) == (11, "2\ndone\n", 16)
    (quiz,) = printing.quizzes
    assert quiz.choices == ("11", "2") and quiz.answer == 1 and quiz.line == 27
    assert errors.examples[0].raises == "ZeroDivisionError"
    assert errors.thinks[0].question == "Why is dividing by zero an error?"
    assert exercise.is_exercise and not printing.is_exercise
    assert exercise.starter is not None and exercise.starter.code.startswith(
        "def add(a, b):\n    pass"
    )
    assert (
        exercise.solution is not None and exercise.check is not None and exercise.check.line == 61
    )
    assert exercise.hints == ("Use `return`.", "`return a + b`")
    assert exercise.editor_code == exercise.starter.code
    assert printing.editor_code == example.code
    assert (lesson.quiz_count, lesson.exercise_count) == (1, 1)


def test_body_keeps_prose_and_examples_but_not_exercise_blocks() -> None:
    lesson = load_lessons(GOOD).by_id("basics")
    assert lesson is not None
    printing, _errors, exercise = lesson.steps
    assert "```python\nprint(1 + 1)" in printing.body
    assert "```text\n2\ndone\n```" in printing.body
    assert "```bash\nnnlearn lessons check lessons/\n```" in printing.body
    assert "quiz" not in printing.body and "explain" not in printing.body
    assert "example" not in printing.body
    assert exercise.body == "Write `add(a, b)`.\n"
    for forbidden in ("return a + b", "assert", "starter", "Use `return`"):
        assert forbidden not in exercise.body


@pytest.fixture(scope="module")
def broken() -> LoadResult:
    return load_lessons(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN_EXPECTED))
def test_each_broken_file_is_reported_with_file_and_line(name: str, broken: LoadResult) -> None:
    result = broken
    mine = [p for p in result.problems if p.path.name == name]
    line, fragment = BROKEN_EXPECTED[name]
    assert len(mine) == 1, mine
    assert mine[0].line == line
    assert fragment in mine[0].message
    assert mine[0].path == BROKEN / name


def test_broken_folder_gives_no_lessons_and_every_file_is_covered(broken: LoadResult) -> None:
    assert broken.lessons == []
    assert {p.name for p in BROKEN.glob("*.md")} == set(BROKEN_EXPECTED)


def test_problem_string_is_file_colon_line() -> None:
    lesson, problems = load_lesson_file(BROKEN / "07-quiz-answer-range.md")
    assert lesson is None
    assert str(problems[0]).startswith(f"{BROKEN / '07-quiz-answer-range.md'}:12: quiz: answer 2")


def test_good_lessons_load_next_to_broken_ones(tmp_path: Path) -> None:
    (tmp_path / "01-basics.md").write_text((GOOD / "01-basics.md").read_text())
    (tmp_path / "02-broken.md").write_text((BROKEN / "07-quiz-answer-range.md").read_text())
    (tmp_path / "README.md").write_text("# not a lesson\n")
    result = load_lessons(tmp_path)
    assert [lesson.id for lesson in result.lessons] == ["basics"]
    assert [(p.path.name, p.line) for p in result.problems] == [("02-broken.md", 12)]


def test_missing_and_empty_folders_are_problems(tmp_path: Path) -> None:
    missing = load_lessons(tmp_path / "nope")
    assert missing.lessons == [] and "cannot read the lessons folder" in missing.problems[0].message
    empty = load_lessons(tmp_path)
    assert empty.lessons == [] and "no lesson files" in empty.problems[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symbolic links")
def test_entries_that_are_not_plain_files_are_reported_never_opened(tmp_path: Path) -> None:
    (tmp_path / "01-basics.md").write_text((GOOD / "01-basics.md").read_text())
    os.mkfifo(tmp_path / "02-pipe.md")  # opening it would block forever
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "03-loop.md").symlink_to(tmp_path / "04-loop.md")
    (tmp_path / "04-loop.md").symlink_to(tmp_path / "03-loop.md")
    (tmp_path / "05-null.md").symlink_to("/dev/null")
    (tmp_path / "06-folder.md").mkdir()
    (tmp_path / "07-gone.md").symlink_to(tmp_path / "nowhere.md")
    (tmp_path / "08-huge.md").write_bytes(b"x" * (MAX_LESSON_BYTES + 1))
    (tmp_path / "data").mkdir()  # a plain folder, a picture and big data are not ours to judge
    (tmp_path / "picture.png").write_bytes(b"\x89PNG")
    (tmp_path / "weights.pt").write_bytes(b"x" * (MAX_LESSON_BYTES + 1))
    result = load_lessons(tmp_path)
    assert [lesson.id for lesson in result.lessons] == ["basics"]
    assert [(p.path.name, p.message.split(":")[0].split(",")[0]) for p in result.problems] == [
        ("02-pipe.md", "a named pipe (FIFO)"),
        ("03-loop.md", "a symbolic link that loops (or is nested too deep)"),
        ("04-loop.md", "a symbolic link that loops (or is nested too deep)"),
        ("05-null.md", "a device"),
        ("06-folder.md", "a folder"),
        ("07-gone.md", "a symbolic link to nothing"),
        ("08-huge.md", "larger than 5 MB"),
        ("pipe", "a named pipe (FIFO)"),
    ]
    assert all(p.path.parent == tmp_path and p.line is None for p in result.problems)


def test_a_file_that_is_not_utf8_is_reported_at_the_bad_line(tmp_path: Path) -> None:
    # written here rather than kept as a fixture: tools that read the tree (ruff) reject the bytes
    path = tmp_path / "01-latin1.md"
    path.write_bytes(b"---\nid: latin\ntitle: T\nsummary: S.\n---\n\n## Step\n\nCaf\xe9\n")
    lesson, problems = load_lesson_file(path)
    assert lesson is None
    assert [(p.line, p.message) for p in problems] == [(9, "the file is not valid UTF-8 text")]


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    lesson, problems = load_lesson_file(tmp_path / "01-gone.md")
    assert lesson is None and "cannot read the file" in problems[0].message


def test_every_mistake_in_a_file_is_reported_not_only_the_first() -> None:
    text = (
        "---\nid: many\ntitle: T\nsummary: S.\n---\n\nIntro.\n\n## One\n\n```python exampel\nx\n```\n\n"
        "##\n\n```quiz\nquestion: Q?\nchoices: [a, b]\nanswer: 5\nexplain: E.\n```\n"
    )
    lesson, problems = parse_lesson(text, Path("01-many.md"))
    assert lesson is None
    assert [p.line for p in problems] == [7, 11, 15, 20]


def test_windows_line_endings_and_bom_keep_line_numbers() -> None:
    text = "\ufeff---\r\nid: crlf\r\ntitle: T\r\nsummary: S.\r\n---\r\n\r\n## Step\r\n\r\n```python example\r\nprint(1)\r\n```\r\n"
    lesson, problems = parse_lesson(text, Path("01-crlf.md"))
    assert problems == []
    assert lesson is not None and lesson.steps[0].examples[0].line == 9


def test_example_with_tilde_fence_and_long_fence_is_kept_as_python() -> None:
    text = "---\nid: t\ntitle: T\nsummary: S.\n---\n\n## Step\n\n~~~~python example\nprint('```')\n~~~~\n"
    lesson, problems = parse_lesson(text, Path("01-t.md"))
    assert problems == [] and lesson is not None
    assert lesson.steps[0].body == "~~~~python\nprint('```')\n~~~~\n"


@pytest.mark.parametrize(
    ("info", "role", "raises", "error"),
    [
        ("", None, None, None),
        ("text", None, None, None),
        ("python", None, None, None),
        ("python example", "example", None, None),
        ("python example raises=torch.OutOfMemoryError", "example", "torch.OutOfMemoryError", None),
        ("python starter raises=TypeError", None, None, "unknown option"),
        ("python mistake", "mistake", None, None),
        ("python mistake raises=RuntimeError", "mistake", "RuntimeError", None),
        ("python also-correct", "also-correct", None, None),
        ("python also-correct raises=TypeError", None, None, "unknown option"),
        ("python mistakes", None, None, "did you mean 'mistake'"),
        ("python example raises=A raises=B", None, None, "only one raises="),
        ("output", "output", None, None),
        ("hint extra", None, None, "takes nothing after it"),
        ("starter", None, None, "written ```python starter"),
        ("bash check", None, None, "only ```python blocks can be a check"),
        ("hnit", None, None, "did you mean 'hint'"),
        ("cython", None, None, None),
    ],
)
def test_info_strings(info: str, role: str | None, raises: str | None, error: str | None) -> None:
    meaning = classify_info(info)
    assert meaning.role == role
    assert meaning.raises == raises
    if error is None:
        assert meaning.error is None
    else:
        assert meaning.error is not None and error in meaning.error


def test_bundled_lessons_dir_is_the_repo_lessons_folder_in_an_editable_install() -> None:
    folder = bundled_lessons_dir()
    assert folder.is_dir()
    assert folder.name == "lessons"


def test_bundled_lessons_dir_prefers_the_package_data_of_a_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nnlearn.curriculum import bundled

    installed = tmp_path / "site-packages" / "nnlearn"
    (installed / "curriculum").mkdir(parents=True)
    (installed / "lessons").mkdir()
    monkeypatch.setattr(bundled, "__file__", str(installed / "curriculum" / "bundled.py"))
    assert bundled_lessons_dir() == installed / "lessons"


def test_every_bundled_exercise_is_proven_against_three_named_mistakes() -> None:
    loaded = load_lessons(bundled_lessons_dir())
    assert loaded.problems == []
    exercises = [(lesson, step) for lesson in loaded.lessons for step in lesson.steps if step.check]
    assert exercises
    short = [
        f"{lesson.path.name}: {step.title} has {len(step.mistakes)}"
        for lesson, step in exercises
        if len(step.mistakes) < 3 or not all(m.label for m in step.mistakes)
    ]
    assert short == [], "every exercise needs at least three labelled ```python mistake blocks"
