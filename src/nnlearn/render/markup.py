"""Lesson Markdown, read the same way wherever it appears: prose, hints, "think" answers, quizzes.

Lesson authors write Python names and arithmetic as they are, often without
backticks: ``nn.Module.__init__`` in a YAML answer would otherwise become a
bold "init", and ``2*5 weights ... 5*1`` an italic stretch. ``protect_names``
escapes such dunder names and inner stars outside code, and ``inline_text``
renders one paragraph of inline Markdown (code, emphasis, strong) as a Rich
``Text`` with the styles Rich's Markdown uses, for the short texts (quiz
questions, choices, explanations) that are not whole Markdown documents.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from rich.default_styles import DEFAULT_STYLES
from rich.style import Style
from rich.text import Text

# A dunder name (``__init__``, ``__call__``) not already escaped or inside a word.
_DUNDER = re.compile(r"(?<![\w\\])__(\w+?)__(?!\w)")
# A star between two word characters is arithmetic (``2*5``, ``x**2``), not emphasis.
_INNER_STAR = re.compile(r"(?<=[\w)\]])(\*+)(?=[\w(\[])")
# Inline code spans and fenced blocks are left alone.
_CODE = re.compile(r"(^(```|~~~)[^\n]*\n.*?^\2[ \t]*$|`+[^`\n]*`+)", re.MULTILINE | re.DOTALL)

STYLES = {
    "code_inline": DEFAULT_STYLES["markdown.code"],
    "em": DEFAULT_STYLES["markdown.em"],
    "strong": DEFAULT_STYLES["markdown.strong"],
    "s": DEFAULT_STYLES["markdown.s"],
}

_inline_parser = MarkdownIt("commonmark")


def protect_names(markdown: str) -> str:
    """``__init__`` and ``2*5`` stay as written (not emphasis) outside code spans and blocks."""
    out = []
    index = 0
    for match in _CODE.finditer(markdown):
        out.append(_protect_text(markdown[index : match.start()]))
        out.append(match.group(0))
        index = match.end()
    out.append(_protect_text(markdown[index:]))
    return "".join(out)


def _protect_text(text: str) -> str:
    text = _DUNDER.sub(r"\\_\\_\1\\_\\_", text)
    return _INNER_STAR.sub(lambda match: "\\*" * len(match.group(1)), text)


def inline_text(markdown: str, style: str | Style = "") -> Text:
    """One paragraph of inline Markdown as styled text: `code`, *emphasis*, **strong**.

    Anything else (links, HTML) is shown as its text; nothing is interpreted as
    Rich markup, so ``[4, 3]`` stays ``[4, 3]``.
    """
    text = Text(style=style)
    tokens = _inline_parser.parseInline(protect_names(markdown))
    children = tokens[0].children if tokens and tokens[0].children else []
    active: list[Style] = []
    for token in children:
        kind = token.type
        if kind.endswith("_open") and kind[: -len("_open")] in STYLES:
            active.append(STYLES[kind[: -len("_open")]])
        elif kind.endswith("_close") and kind[: -len("_close")] in STYLES:
            if active:
                active.pop()
        elif kind == "code_inline":
            text.append(token.content, Style.chain(*active, STYLES["code_inline"]))
        elif kind in ("softbreak", "hardbreak"):
            text.append("\n" if kind == "hardbreak" else " ")
        elif kind == "image":
            text.append(token.content, Style.chain(*active))
        elif token.content:
            text.append(token.content, Style.chain(*active) if active else None)
    return text
