"""Reading the main screen in Pilot tests: what a widget shows and whether it is on screen."""

from __future__ import annotations

from textual.widget import Widget

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
