"""Reading the main screen in Pilot tests: what a widget shows and whether it is on screen."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widget import Widget
from textual.widgets import Static

from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.feedback_line import FeedbackLine
from nnlearn.tui.widgets.output_log import OutputLog


def on_screen(widget: Widget) -> bool:
    """Shown: neither the widget nor any of its containers is display: none."""
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


def output_text(app) -> str:
    return "\n".join(line.text for line in app.main_screen.query_one(OutputLog).lines)


def feedback(app) -> str:
    """The feedback line above the status line."""
    return app.main_screen.query_one(FeedbackLine).message


def editor(app) -> CodeEditor:
    return app.main_screen.query_one(CodeEditor)


def plain(renderable, width: int = 200) -> str:
    """What a Rich renderable shows, as text without colour, ``width`` columns wide."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def table_text(view: Widget, width: int = 200) -> str:
    """What a Shapes or Params view shows (its tables and the lines around them), as text."""
    return plain(view.query_one(Static).content, width)
