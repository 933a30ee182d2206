"""Build one Step from the top-level Markdown blocks under its ``##`` heading.

Why separate from the loader: the loader finds the steps; this module decides
what each fenced block contributes (examples, exercise parts, hints, quizzes),
enforces the rules that tie them together (an output follows an example, a
check comes with a starter, a solution and a hint) and writes the prose body
the TUI renders, with the interactive blocks taken out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it.token import Token

from nnlearn.curriculum.blocks import (
    CODE_ROLES,
    block_label,
    classify_info,
    parse_quiz,
    parse_think,
)
from nnlearn.curriculum.model import CodeBlock, Quiz, Step, Think

Report = Callable[[int | None, str], None]

SHOWN_ROLES = (None, "example", "output")  # blocks that stay in the prose
VARIANT_ROLES = ("mistake", "also-correct")  # other answers to an exercise, run by the validator
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass
class TopBlock:
    """One top-level Markdown block; ``start``/``end`` are 0-based file lines, end exclusive."""

    token: Token
    start: int
    end: int


@dataclass
class RawStep:
    title: str
    line: int  # 1-based line of the heading
    body_start: int  # 0-based first line after the heading
    body_end: int = 0
    blocks: list[TopBlock] = field(default_factory=list)


@dataclass
class _Parts:
    examples: list[CodeBlock] = field(default_factory=list)
    singles: dict[str, CodeBlock] = field(default_factory=dict)  # starter, solution, check
    variants: list[CodeBlock] = field(default_factory=list)  # mistakes and also-correct ones
    hints: list[str] = field(default_factory=list)
    quizzes: list[Quiz] = field(default_factory=list)
    thinks: list[Think] = field(default_factory=list)
    line_roles: dict[int, str | None] = field(default_factory=dict)  # fence start -> role


def build_step(index: int, raw: RawStep, lines: list[str], report: Report) -> Step | None:
    """The Step, or None when something in it was reported."""
    before = _Counter(report)
    if not raw.title:
        before(raw.line, "a step needs a title after '##'")
    if not raw.blocks:
        before(raw.line, f"step '{raw.title}' has no content")
    parts = _Parts()
    previous: TopBlock | None = None
    for block in raw.blocks:
        if block.token.type == "fence":
            _add_fence(block, previous, lines, parts, before)
        previous = block
    _check_exercise(raw, parts, before)
    if before.count:
        return None
    singles = parts.singles
    return Step(
        index=index,
        title=raw.title,
        body=_body(raw, lines, parts),
        line=raw.line,
        examples=tuple(parts.examples),
        starter=singles.get("starter"),
        solution=singles.get("solution"),
        check=singles.get("check"),
        mistakes=tuple(b for b in parts.variants if b.role == "mistake"),
        also_correct=tuple(b for b in parts.variants if b.role == "also-correct"),
        hints=tuple(parts.hints),
        quizzes=tuple(parts.quizzes),
        thinks=tuple(parts.thinks),
    )


class _Counter:
    """Forwards problems and counts them, so a step knows whether it is clean."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.count = 0

    def __call__(self, line: int | None, message: str) -> None:
        self.count += 1
        self.report(line, message)


def _is_closed(block: TopBlock, lines: list[str]) -> bool:
    markup = block.token.markup
    last = block.end - 1
    if last <= block.start or last >= len(lines):
        return False
    closing = lines[last].strip()
    return len(closing) >= len(markup) and set(closing) == {markup[0]}


def _add_fence(
    block: TopBlock, previous: TopBlock | None, lines: list[str], parts: _Parts, report: Report
) -> None:
    token, line = block.token, block.start + 1
    meaning = classify_info(token.info)
    parts.line_roles[block.start] = meaning.role
    if meaning.error:
        report(line, meaning.error)
        return
    if meaning.role is None:
        return
    if not _is_closed(block, lines):
        report(line, f"the ```{token.info} block opened here is never closed")
        return
    role, content = meaning.role, token.content
    if role in CODE_ROLES:
        if role != "starter" and not content.strip():
            report(line, f"the ```python {role} block is empty")
        elif (
            role != "starter"
            and meaning.raises is None
            and (syntax := _syntax_error(content, line))
        ):
            report(*syntax)
        elif role == "example":
            parts.examples.append(CodeBlock(role, content, line, raises=meaning.raises))
        elif role in VARIANT_ROLES:
            label, problem = block_label(role, content)
            if problem:
                report(line, problem)
            else:
                parts.variants.append(
                    CodeBlock(role, content, line, raises=meaning.raises, label=label)
                )
        elif role in parts.singles:
            report(
                line,
                f"a second ```python {role} in this step (the first is on line {parts.singles[role].line})",
            )
        else:
            parts.singles[role] = CodeBlock(role, content, line)
    elif role == "output":
        _attach_output(block, previous, parts, report)
    elif role == "hint":
        if content.strip():
            parts.hints.append(content.strip())
        else:
            report(line, "the ```hint block is empty")
    elif role == "quiz":
        quiz, found = parse_quiz(content, line)
        _collect(quiz, found, parts.quizzes, report)
    elif role == "think":
        think, found = parse_think(content, line)
        _collect(think, found, parts.thinks, report)


def _syntax_error(code: str, fence_line: int) -> tuple[int, str] | None:
    """Code that must run has to parse (starters may be unfinished on purpose)."""
    try:
        compile(code, "<lesson block>", "exec", dont_inherit=True)
    except SyntaxError as error:
        inside = error.lineno if error.lineno and error.lineno <= code.count("\n") + 1 else 0
        return fence_line + inside, f"syntax error in the block: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:
        return fence_line, f"the block cannot be compiled: {error}"
    return None


def _collect(item, found: list[tuple[int, str]], into: list, report: Report) -> None:
    for line, message in found:
        report(line, message)
    if item is not None:
        into.append(item)


def _attach_output(
    block: TopBlock, previous: TopBlock | None, parts: _Parts, report: Report
) -> None:
    line = block.start + 1
    example = parts.examples[-1] if parts.examples else None
    follows_example = (
        previous is not None
        and example is not None
        and previous.start + 1 == example.line
        and parts.line_roles.get(previous.start) == "example"
    )
    if not follows_example or example is None:
        report(line, "an ```output block must come right after a ```python example block")
        return
    if example.expected_output is not None:
        report(line, "this example already has an ```output block")
        return
    parts.examples[-1] = dataclasses.replace(
        example, expected_output=block.token.content, output_line=line
    )


def _check_exercise(raw: RawStep, parts: _Parts, report: Report) -> None:
    check = parts.singles.get("check")
    if check is None:
        solution = parts.singles.get("solution")
        if solution is not None:
            report(
                solution.line,
                "a ```python solution needs a ```python check in the same step to verify it",
            )
        for variant in parts.variants:
            report(
                variant.line,
                f"a ```python {variant.role} needs a ```python check in the same step to run against",
            )
        return
    for role in ("starter", "solution"):
        if role not in parts.singles:
            report(check.line, f"a step with a ```python check also needs a ```python {role}")
    if not parts.hints:
        report(check.line, "a step with a ```python check also needs at least one ```hint")


def _body(raw: RawStep, lines: list[str], parts: _Parts) -> str:
    """The step's Markdown with the interactive blocks taken out; examples stay as ```python."""
    kept = list(lines[raw.body_start : raw.body_end])
    for block in reversed([b for b in raw.blocks if b.token.type == "fence"]):
        role = parts.line_roles.get(block.start)
        first, last = block.start - raw.body_start, block.end - raw.body_start
        if role in SHOWN_ROLES:
            if role is not None:
                opening = kept[first]
                indent = opening[: len(opening) - len(opening.lstrip())]
                kept[first] = (
                    indent + block.token.markup + ("python" if role == "example" else "text")
                )
            continue
        del kept[first:last]
    return _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip("\n") + "\n"
