"""One line above the status line for what just happened: a run's outcome, a check, a save.

Toasts stacked over the editor, the hints and the status line at 80x24 and
stayed for seconds; this line has its own row, so feedback never covers what
the learner reads or types, and the newest message replaces the last one.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

MARKS = {"success": "✓ ", "error": "✗ ", "warning": "! ", "information": ""}


class FeedbackLine(Static):
    """The latest feedback, one line, cut with an ellipsis if it is longer than the screen."""

    DEFAULT_CSS = """
    FeedbackLine {
        height: 1;
        width: 1fr;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        color: $text-muted;
    }
    FeedbackLine.-success { color: $text-success; }
    FeedbackLine.-error { color: $text-error; }
    FeedbackLine.-warning { color: $text-warning; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.message = ""
        self.severity = "information"

    def say(self, message: str | Text, severity: str = "information") -> None:
        """Show ``message``; ``severity`` is information, success, warning or error."""
        text = message.copy() if isinstance(message, Text) else Text(message)
        text.plain = text.plain.replace("\n", " ")
        mark = MARKS.get(severity, "")
        if mark and not text.plain.startswith(mark.strip()):
            text = Text(mark, style="bold") + text
        self.message = text.plain
        self.severity = severity
        for name in MARKS:
            self.set_class(name == severity, f"-{name}")
        self.update(text)

    def clear(self) -> None:
        self.message = ""
        self.severity = "information"
        for name in MARKS:
            self.remove_class(f"-{name}")
        self.update("")
