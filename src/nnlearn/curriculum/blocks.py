"""What a lesson's fenced blocks mean, and the YAML blocks (quiz, think) as model objects.

Why a module of its own: the loader walks the Markdown structure; this module
knows the vocabulary of info strings and the rules of each YAML block. Every
function here reports mistakes as ``(line, message)`` pairs instead of raising,
so that any text, however mangled, turns into a list of problems.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from nnlearn.curriculum.model import Quiz, Think

# libyaml's loader when it is there: the same results, several times faster at start-up.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CODE_ROLES = ("example", "starter", "solution", "check", "mistake", "also-correct")
RAISING_ROLES = ("example", "mistake")  # the roles that may say raises=Error
PLAIN_ROLES = ("output", "hint", "quiz", "think")
PYTHON_NAMES = ("python", "py", "python3")
MIN_CHOICES = 2
MAX_CHOICES = 6

QUIZ_KEYS = ("question", "choices", "answer", "explain")
THINK_KEYS = ("question", "answer")

_EXCEPTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

Found = list[tuple[int, str]]  # (1-based file line, message)


@dataclass(frozen=True)
class FenceInfo:
    """The meaning of one info string; ``role`` None means "show it as it is"."""

    role: str | None
    raises: str | None = None
    error: str | None = None


def _suggest(word: str, options: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word.lower(), options, n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""


def classify_info(info: str) -> FenceInfo:
    """Read the info string of a fenced block (``python example raises=TypeError``...)."""
    words = info.split()
    if not words:
        return FenceInfo(None)
    first, rest = words[0].lower(), words[1:]
    if first in PLAIN_ROLES:
        if rest:
            return FenceInfo(
                None, error=f"```{first} takes nothing after it (found {' '.join(rest)!r})"
            )
        return FenceInfo(first)
    if first in CODE_ROLES:
        return FenceInfo(None, error=f"code blocks are written ```python {first}, not ```{first}")
    if first in PYTHON_NAMES:
        if not rest:
            return FenceInfo(None)
        return _classify_python(rest)
    if rest and rest[0].lower() in CODE_ROLES:
        return FenceInfo(
            None, error=f"only ```python blocks can be a {rest[0].lower()} (found ```{words[0]})"
        )
    suggestion = _suggest(first, CODE_ROLES + PLAIN_ROLES)
    if suggestion:
        return FenceInfo(None, error=f"unknown block type '{words[0]}'{suggestion}")
    return FenceInfo(None)


def _classify_python(rest: list[str]) -> FenceInfo:
    role = rest[0].lower()
    if role not in CODE_ROLES:
        known = ", ".join(CODE_ROLES)
        return FenceInfo(
            None,
            error=f"unknown block role '{rest[0]}' (expected one of {known}){_suggest(role, CODE_ROLES)}",
        )
    raises: str | None = None
    for option in rest[1:]:
        name, eq, value = option.partition("=")
        if role not in RAISING_ROLES or name != "raises" or not eq:
            return FenceInfo(None, error=f"unknown option {option!r} for ```python {role}")
        if not _EXCEPTION_NAME.match(value):
            return FenceInfo(
                None,
                error=f"raises= needs an exception name such as raises=TypeError (found {value!r})",
            )
        if raises is not None:
            return FenceInfo(None, error=f"a {role} can name only one raises= exception")
        raises = value
    return FenceInfo(role, raises=raises)


_LABEL = re.compile(r"^#\s*(mistake|also-correct)\s*:\s*(.*?)\s*$", re.IGNORECASE)


def block_label(role: str, code: str) -> tuple[str | None, str | None]:
    """The label of a mistake or also-correct block, from its first line; or a problem.

    A mistake must name the misconception it stands for (``# mistake: ...``),
    so that whoever reads a failing check knows what it was meant to catch; an
    also-correct block may say why it is fine (``# also-correct: ...``).
    """
    first = code.lstrip("\n").split("\n", 1)[0].strip()
    match = _LABEL.match(first)
    if match is not None and match.group(1).lower() == role and match.group(2):
        return match.group(2), None
    if role == "mistake":
        return None, (
            "a ```python mistake block must start with a comment naming the misconception, "
            "e.g. '# mistake: calls model.forward(x), which skips the hooks'"
        )
    return None, None


def load_yaml_mapping(
    text: str, first_line: int
) -> tuple[dict[str, Any] | None, dict[str, int], Found]:
    """Parse YAML that must be a mapping; give the data, the file line of each key, and problems.

    ``first_line`` is the 1-based file line of the text's first line.
    """
    try:
        node = yaml.compose(text, Loader=_SAFE_LOADER)
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark is not None else 0)
        what = error.problem or "cannot be read"
        if error.context and error.context_mark is not None:
            what += f" ({error.context} started on line {first_line + error.context_mark.line})"
        return None, {}, [(line, f"invalid YAML: {what}")]
    except Exception as error:  # PyYAML's constructors raise ValueError & co. on odd scalars
        return None, {}, [(first_line, f"invalid YAML: {error}")]
    if not isinstance(data, dict):
        kind = "nothing" if data is None else f"a {type(data).__name__}"
        return None, {}, [(first_line, f"expected YAML 'key: value' lines, found {kind}")]
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_lines[key_node.value] = first_line + key_node.start_mark.line
    return data, key_lines, []


def text_field(
    data: dict[str, Any], key: str, key_lines: dict[str, int], where: int, found: Found
) -> str | None:
    """A required non-empty text value; problems go to ``found``."""
    if key not in data:
        found.append((where, f"missing '{key}'"))
        return None
    value = data[key]
    line = key_lines.get(key, where)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        found.append((line, f"'{key}' must be text (put it in quotes if YAML reads it otherwise)"))
        return None
    text = str(value).strip()
    if not text:
        found.append((line, f"'{key}' is empty"))
        return None
    return text


def _unknown_keys(
    data: dict[str, Any], allowed: tuple[str, ...], what: str, key_lines: dict[str, int], where: int
) -> Found:
    return [
        (
            key_lines.get(str(key), where),
            f"unknown {what} key '{key}' (a {what} has {', '.join(allowed)})",
        )
        for key in data
        if key not in allowed
    ]


def _block_mapping(
    text: str, fence_line: int, what: str, allowed: tuple[str, ...]
) -> tuple[dict[str, Any] | None, dict[str, int], Found]:
    """A ```quiz or ```think block's YAML: the data, each key's line, and problems so far."""
    data, key_lines, found = load_yaml_mapping(text, fence_line + 1)
    if data is None:
        return None, key_lines, found
    return data, key_lines, _unknown_keys(data, allowed, what, key_lines, fence_line)


def _named(what: str, found: Found) -> Found:
    """Each problem prefixed with the block it is in (``quiz: missing 'answer'``)."""
    return [(line, f"{what}: {message}") for line, message in found]


def parse_quiz(text: str, fence_line: int) -> tuple[Quiz | None, Found]:
    """A ```quiz block: question, 2 to 6 choices, a 0-based answer index, explain."""
    data, key_lines, found = _block_mapping(text, fence_line, "quiz", QUIZ_KEYS)
    if data is None:
        return None, _named("quiz", found)
    question = text_field(data, "question", key_lines, fence_line, found)
    explain = text_field(data, "explain", key_lines, fence_line, found)
    choices = _choices(data, key_lines, fence_line, found)
    answer = _answer(data, key_lines, fence_line, choices, found)
    if found or question is None or explain is None or choices is None or answer is None:
        return None, _named("quiz", found)
    return Quiz(
        question=question, choices=choices, answer=answer, explain=explain, line=fence_line
    ), []


def _choices(
    data: dict[str, Any], key_lines: dict[str, int], where: int, found: Found
) -> tuple[str, ...] | None:
    if "choices" not in data:
        found.append((where, "missing 'choices'"))
        return None
    line = key_lines.get("choices", where)
    raw = data["choices"]
    if not isinstance(raw, list):
        found.append((line, "'choices' must be a list ('- choice' lines)"))
        return None
    if not MIN_CHOICES <= len(raw) <= MAX_CHOICES:
        found.append(
            (line, f"a quiz needs {MIN_CHOICES} to {MAX_CHOICES} choices, found {len(raw)}")
        )
        return None
    choices: list[str] = []
    for number, item in enumerate(raw):
        if isinstance(item, bool):
            found.append(
                (line, f"choice {number} is read by YAML as {str(item).lower()}: put it in quotes")
            )
        elif item is None or (isinstance(item, str) and not item.strip()):
            found.append((line, f"choice {number} is empty"))
        elif not isinstance(item, (str, int, float)):
            found.append((line, f"choice {number} must be text (put it in quotes)"))
        else:
            choices.append(str(item).strip())
    return tuple(choices) if len(choices) == len(raw) else None


def _answer(
    data: dict[str, Any],
    key_lines: dict[str, int],
    where: int,
    choices: tuple[str, ...] | None,
    found: Found,
) -> int | None:
    if "answer" not in data:
        found.append((where, "missing 'answer' (the 0-based index of the right choice)"))
        return None
    line = key_lines.get("answer", where)
    answer = data["answer"]
    if isinstance(answer, bool) or not isinstance(answer, int):
        found.append(
            (line, f"'answer' must be the 0-based index of the right choice, found {answer!r}")
        )
        return None
    if choices is not None and not 0 <= answer < len(choices):
        found.append(
            (
                line,
                f"answer {answer} is out of range: there are {len(choices)} choices (0 to {len(choices) - 1})",
            )
        )
        return None
    return answer


def parse_think(text: str, fence_line: int) -> tuple[Think | None, Found]:
    """A ```think block: a question and the answer the learner can reveal."""
    data, key_lines, found = _block_mapping(text, fence_line, "think", THINK_KEYS)
    if data is None:
        return None, _named("think", found)
    question = text_field(data, "question", key_lines, fence_line, found)
    answer = text_field(data, "answer", key_lines, fence_line, found)
    if found or question is None or answer is None:
        return None, _named("think", found)
    return Think(question=question, answer=answer, line=fence_line), []
