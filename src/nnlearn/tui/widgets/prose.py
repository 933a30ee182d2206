"""Lesson prose (a step's text, a hint, a "think" answer) as one widget.

Textual's Markdown widget makes a widget per paragraph, list item and code
block, twenty or more for a step, and styling and laying those out was the
largest part of the app's first frame. Rich renders the same Markdown as one
renderable, shown here by one Static.

Code blocks are coloured by Pygments, whose Python lexer compiles its rules
the first time it is used (about a tenth of a second). Until that has happened
once, just after the first frame, code blocks are drawn in the same box
without colours.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown
from rich.syntax import Syntax
from textual.widgets import Static

CODE_THEME = "monokai"  # the editor's theme too


class _CodeBlock(CodeBlock):
    colour: ClassVar[bool] = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lexer = self.lexer_name if _CodeBlock.colour else "text"
        yield Syntax(str(self.text).rstrip(), lexer, theme=self.theme, word_wrap=True, padding=1)


class _LessonMarkdown(Markdown):
    elements: ClassVar[dict] = {**Markdown.elements, "fence": _CodeBlock, "code_block": _CodeBlock}


class Prose(Static):
    """Markdown text, rendered by Rich in one widget."""

    DEFAULT_CSS = """
    Prose { height: auto; }
    """

    def __init__(self, markdown: str, *, classes: str | None = None) -> None:
        # hyperlinks=False writes a link's address after its text: over SSH it can't be clicked.
        self._document = _LessonMarkdown(markdown, code_theme=CODE_THEME, hyperlinks=False)
        super().__init__(self._document, classes=classes)
        self.markdown = markdown

    def on_mount(self) -> None:
        if not _CodeBlock.colour:
            self.call_after_refresh(self._colour_code)

    def _colour_code(self) -> None:
        _CodeBlock.colour = True
        self.update(self._document)
