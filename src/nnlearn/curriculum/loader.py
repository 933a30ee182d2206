"""Turn lesson Markdown files into Lesson objects, and every mistake into a LessonProblem.

Why it never raises on content: teachers write these files by hand and the
app must still open when one of them is broken. A file with any problem is
left out of the result and its problems (file, line, what is wrong) are
returned instead; the good lessons of the folder load as usual. Entries that
are not plain files (a FIFO, a device, a looping link) are reported, never
opened.
"""

from __future__ import annotations

import errno
import re
import stat
from pathlib import Path

from markdown_it import MarkdownIt

from nnlearn.curriculum.blocks import classify_info, load_yaml_mapping, text_field
from nnlearn.curriculum.model import Lesson, LessonProblem, LoadResult
from nnlearn.curriculum.steps import RawStep, Report, TopBlock, build_step

FILE_NAME = re.compile(r"^(\d{2,})-[a-z0-9][a-z0-9_-]*\.md$")
LESSON_ID = re.compile(r"^[A-Za-z0-9_-]+$")
NOT_LESSONS = {"readme.md"}  # a folder may explain itself
MAX_LESSON_BYTES = 5_000_000  # the longest bundled lesson is about 20 kB

# Steps are found from block tokens only; inline parsing (emphasis, links) is not needed.
_markdown = MarkdownIt("commonmark").disable("inline")


def load_lessons(folder: Path) -> LoadResult:
    """Load every ``NN-slug.md`` of ``folder``, ordered by NN; never raises for bad content."""
    folder = Path(folder)
    result = LoadResult()
    try:
        files = []
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith("."):  # editor lock and swap files
                continue
            kind = _entry_kind(entry)
            if entry.suffix != ".md" and kind in ("file", "folder", "too big"):
                continue  # pictures, data, sub-folders: not ours to judge
            if kind != "file":
                result.problems.append(LessonProblem(entry, None, _SKIPPED[kind]))
            elif entry.name.lower() not in NOT_LESSONS:
                files.append(entry)
    except OSError as error:
        result.problems.append(
            LessonProblem(
                folder, None, f"cannot read the lessons folder: {error.strerror or error}"
            )
        )
        return result
    if not files:
        result.problems.append(
            LessonProblem(folder, None, "no lesson files (NN-slug.md) in this folder")
        )
        return result
    loaded: list[Lesson] = []
    for path in files:
        lesson, problems = load_lesson_file(path)
        result.problems.extend(problems)
        if lesson is not None:
            loaded.append(lesson)
    duplicated = _duplicate_ids(loaded, result.problems)
    result.lessons = sorted(
        (lesson for lesson in loaded if lesson.id not in duplicated),
        key=lambda lesson: (lesson.order, lesson.path.name),
    )
    return result


_SKIPPED = {
    "folder": "a folder, not a lesson file: skipped",
    "loop": "a symbolic link that loops (or is nested too deep): skipped",
    "broken": "a symbolic link to nothing: skipped",
    "unreadable": "cannot be looked at (permission denied?): skipped",
    "fifo": "a named pipe (FIFO), not a file: skipped, it is never opened",
    "socket": "a socket, not a file: skipped",
    "device": "a device, not a file: skipped, it is never opened",
    "too big": f"larger than {MAX_LESSON_BYTES // 1_000_000} MB, too big for a lesson: skipped",
    "other": "not a regular file: skipped",
}


def _entry_kind(entry: Path) -> str:
    """What a folder entry is, following links, without opening it (a FIFO would block)."""
    try:
        info = entry.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "loop"
        if error.errno == errno.ENOENT:
            return "broken"
        return "unreadable"
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return "file" if info.st_size <= MAX_LESSON_BYTES else "too big"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


def _duplicate_ids(lessons: list[Lesson], problems: list[LessonProblem]) -> set[str]:
    by_id: dict[str, list[Lesson]] = {}
    for lesson in lessons:
        by_id.setdefault(lesson.id, []).append(lesson)
    duplicated = {lesson_id for lesson_id, group in by_id.items() if len(group) > 1}
    for lesson_id in sorted(duplicated):
        group = by_id[lesson_id]
        for lesson in group:
            others = ", ".join(other.path.name for other in group if other is not lesson)
            problems.append(
                LessonProblem(
                    lesson.path,
                    _id_line(lesson.path),
                    f"duplicate id '{lesson_id}': also used by {others}",
                )
            )
    return duplicated


def _id_line(path: Path) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, ValueError):
        return None
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("id:"):
            return number
    return 2


def load_lesson_file(path: Path) -> tuple[Lesson | None, list[LessonProblem]]:
    """Load one lesson file: the lesson when it has no problems, else None and the problems."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [LessonProblem(path, None, f"cannot read the file: {error.strerror or error}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [LessonProblem(path, line, "the file is not valid UTF-8 text")]
    return parse_lesson(text, path)


def parse_lesson(text: str, path: Path) -> tuple[Lesson | None, list[LessonProblem]]:
    """Parse lesson Markdown given as text; ``path`` names the file in problems and its NN."""
    problems: list[LessonProblem] = []

    def report(line: int | None, message: str) -> None:
        problems.append(LessonProblem(path, line, message))

    match = FILE_NAME.match(path.name)
    if match is None:
        report(
            None,
            "the file name must look like NN-slug.md (two digits, a dash, lowercase words), e.g. 03-linear.md",
        )
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, body_start = _front_matter(lines, report)
    steps: list[RawStep] = []
    if body_start is not None:
        steps = _split_steps(lines, body_start, report)
    built = [build_step(index, raw_step, lines, report) for index, raw_step in enumerate(steps)]
    if problems or meta is None:
        return None, problems
    lesson = Lesson(
        id=meta["id"],
        title=meta["title"],
        summary=meta["summary"],
        path=path,
        steps=tuple(step for step in built if step is not None),
        order=int(match.group(1)) if match else 0,
    )
    return lesson, problems


def _front_matter(lines: list[str], report: Report) -> tuple[dict[str, str] | None, int | None]:
    """The id/title/summary mapping and the 0-based line where the body starts."""
    if lines[0].strip() != "---":
        report(
            1, "the file must start with YAML front matter between '---' lines (id, title, summary)"
        )
        return None, 0
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if closing is None:
        report(1, "the front matter opened on line 1 is never closed with a '---' line")
        return None, None
    data, key_lines, found = load_yaml_mapping("\n".join(lines[1:closing]), 2)
    for line, message in found:
        report(line, f"front matter: {message}")
    if data is None:
        return None, closing + 1
    found = []
    meta = {key: text_field(data, key, key_lines, 1, found) for key in ("id", "title", "summary")}
    lesson_id = meta["id"]
    if lesson_id is not None and not LESSON_ID.match(lesson_id):
        found.append(
            (key_lines.get("id", 1), f"id {lesson_id!r} may only use letters, digits, '-' and '_'")
        )
    for line, message in found:
        report(line, f"front matter: {message}")
    if found:
        return None, closing + 1
    return {key: value for key, value in meta.items() if value is not None}, closing + 1


def _split_steps(lines: list[str], body_start: int, report: Report) -> list[RawStep]:
    """Group the top-level Markdown blocks of the body under their ``##`` headings."""
    tokens = _markdown.parse("\n".join(lines[body_start:]))
    steps: list[RawStep] = []
    preamble_reported = False
    for position, token in enumerate(tokens):
        if token.map is None:
            continue
        start, end = token.map[0] + body_start, token.map[1] + body_start
        if token.level > 0:
            if token.type == "fence":
                _report_nested_fence(token.info, start + 1, report)
            continue
        if token.type == "heading_open" and token.tag == "h2":
            if token.markup == "##":
                title = tokens[position + 1].content.strip() if position + 1 < len(tokens) else ""
                steps.append(RawStep(title=title, line=start + 1, body_start=end))
                continue
            report(
                start + 1,
                "a line followed by '---' is a heading in Markdown: write '## Title' to start a step, "
                "or put a blank line before '---' for a rule",
            )
        if not steps:
            if not preamble_reported:
                report(
                    start + 1, "text before the first '## ' heading: move it into the first step"
                )
                preamble_reported = True
            continue
        steps[-1].blocks.append(TopBlock(token=token, start=start, end=end))
    if not steps and not preamble_reported:
        report(body_start + 1, "the lesson has no steps: start each step with a '## Title' line")
    for current, following in zip(steps, steps[1:], strict=False):
        current.body_end = following.line - 1
    if steps:
        steps[-1].body_end = len(lines)
    return steps


def _report_nested_fence(info: str, line: int, report: Report) -> None:
    meaning = classify_info(info)
    if meaning.role is not None or meaning.error is not None:
        report(
            line,
            f"```{info} must not be inside a list or quote: start its fence at the beginning of a line",
        )
