"""Lesson prose (a step's text, a hint, a "think" answer), rendered by Rich, code kept unwrapped.

Textual's Markdown widget makes a widget per paragraph, list item and code
block, twenty or more for a step, and styling and laying those out was the
largest part of the app's first frame. Rich renders the Markdown between code
blocks as one renderable per stretch of text. Code blocks are the exception:
wrapped code reads as broken indentation, so each top-level code block keeps
its lines in a box that scrolls sideways when the pane is narrower than the
code (the lesson pane's left and right keys scroll them).

Names such as ``__init__`` are kept as written (``render.markup.protect_names``).

Code blocks are coloured by Pygments, whose Python lexer compiles its rules
the first time it is used (about a tenth of a second). Until that has happened
once, just after the first frame, code blocks are drawn without colours.
"""

from __future__ import annotations

from typing import ClassVar

from markdown_it import MarkdownIt
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown
from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical
from textual.widgets import Static

from nnlearn.render.markup import protect_names

CODE_THEME = "monokai"  # the editor's theme too
_block_parser = MarkdownIt("commonmark")


class _CodeBlock(CodeBlock):
    """A code block nested in a list or quote: drawn inside the text, wrapped."""

    colour: ClassVar[bool] = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lexer = self.lexer_name if _CodeBlock.colour else "text"
        yield Syntax(str(self.text).rstrip(), lexer, theme=self.theme, word_wrap=True, padding=1)


class _LessonMarkdown(Markdown):
    elements: ClassVar[dict] = {**Markdown.elements, "fence": _CodeBlock, "code_block": _CodeBlock}


def split_code_blocks(markdown: str) -> list[tuple[str, str]]:
    """``("text", markdown)`` and ``("code", lexer + "\\n" + code)`` parts, in order.

    Only top-level code blocks are split out; one inside a list stays in its text.
    """
    lines = markdown.splitlines(keepends=True)
    parts: list[tuple[str, str]] = []
    at = 0
    for token in _block_parser.parse(markdown):
        if token.type not in ("fence", "code_block") or token.level != 0 or not token.map:
            continue
        start, end = token.map
        if start > at:
            parts.append(("text", "".join(lines[at:start])))
        lexer = (token.info.split() or ["python"])[0] if token.type == "fence" else "python"
        parts.append(("code", f"{lexer}\n{token.content}"))
        at = end
    if at < len(lines):
        parts.append(("text", "".join(lines[at:])))
    return [(kind, text) for kind, text in parts if kind == "code" or text.strip()]


class CodeView(HorizontalScroll, can_focus=False):
    """One code block at its natural width; scrolls sideways if the pane is narrower."""

    DEFAULT_CSS = """
    CodeView {
        height: auto;
        overflow-x: auto;
        overflow-y: hidden;
        scrollbar-size-horizontal: 1;
        margin-bottom: 1;
    }
    CodeView > Static { width: auto; height: auto; }
    """

    def __init__(self, lexer: str, code: str) -> None:
        super().__init__()
        self.lexer = lexer
        self.code = code.rstrip()

    def compose(self) -> ComposeResult:
        yield Static(self._syntax())

    def _syntax(self) -> Syntax:
        lexer = self.lexer if _CodeBlock.colour else "text"
        return Syntax(self.code, lexer, theme=CODE_THEME, word_wrap=False, padding=1)

    def recolour(self) -> None:
        self.query_one(Static).update(self._syntax())


class Prose(Vertical):
    """Markdown text: Rich-rendered stretches of text and unwrapped code blocks."""

    DEFAULT_CSS = """
    Prose { height: auto; }
    Prose > .prose-text { height: auto; }
    """

    def __init__(self, markdown: str, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.markdown = markdown
        self._parts = split_code_blocks(protect_names(markdown))
        self._documents: list[_LessonMarkdown] = []

    def compose(self) -> ComposeResult:
        for kind, text in self._parts:
            if kind == "code":
                lexer, _, code = text.partition("\n")
                yield CodeView(lexer, code)
            else:
                # hyperlinks=False writes a link's address after its text: over SSH it can't be clicked.
                document = _LessonMarkdown(text, code_theme=CODE_THEME, hyperlinks=False)
                self._documents.append(document)
                yield Static(document, classes="prose-text")

    def on_mount(self) -> None:
        if not _CodeBlock.colour:
            self.call_after_refresh(self._colour_code)

    def _colour_code(self) -> None:
        _CodeBlock.colour = True
        for view in self.query(CodeView):
            view.recolour()
        texts = self.query(".prose-text").results(Static)
        for text, document in zip(texts, self._documents, strict=False):
            text.update(document)  # code blocks nested in lists pick up their colours
