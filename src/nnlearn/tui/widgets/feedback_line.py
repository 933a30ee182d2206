"""One line above the status line for what just happened: a run's outcome, a check, a save.

Toasts stacked over the editor, the hints and the status line at 80x24 and
stayed for seconds; this line has its own row, so feedback never covers what
the learner reads or types, and the newest message replaces the last one.
A message too long for the line is cut with an ellipsis before the key hint
(``F4 shows Output``), which is always shown whole: the key is what leads to
the full text.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from nnlearn.render.sanitize import sanitize

MARKS = {"success": "✓ ", "error": "✗ ", "warning": "! ", "information": ""}


class FeedbackLine(Static):
    """The latest feedback, one line; a long message is cut, its key hint never."""

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
        self._text = Text()
        self._key_hint = ""
        self._key_hint_shown = False

    def say(self, message: str | Text, severity: str = "information", key_hint: str = "") -> None:
        """Show ``message``; ``severity`` is information, success, warning or error.

        ``key_hint`` (``F4 shows Output``) is added while ``show_key_hint`` says the
        thing it opens is hidden.
        """
        text = message.copy() if isinstance(message, Text) else Text(message)
        # One character for one: the styles' spans stay where they were.
        text.plain = sanitize(text.plain.replace("\n", " "), keep_sgr=False)
        mark = MARKS.get(severity, "")
        if mark and not text.plain.startswith(mark.strip()):
            text = Text(mark, style="bold") + text
        self._text = text
        self._key_hint = key_hint
        self.severity = severity
        for name in MARKS:
            self.set_class(name == severity, f"-{name}")
        self._show()

    def show_key_hint(self, shown: bool) -> None:
        if shown != self._key_hint_shown:
            self._key_hint_shown = shown
            self._show()

    def on_resize(self) -> None:
        self._show()

    def _show(self) -> None:
        text = self._text.copy()
        if self._key_hint and self._key_hint_shown:
            hint = Text(f" · {self._key_hint}", style="bold")
            room = self.content_size.width - hint.cell_len
            if room > 0 and text.cell_len > room:
                text.truncate(room, overflow="ellipsis")
            text.append_text(hint)
            self.message = self._text.plain + hint.plain
        else:
            self.message = text.plain
        self.update(text)

    def clear(self) -> None:
        self.severity = "information"
        for name in MARKS:
            self.remove_class(f"-{name}")
        self._text = Text()
        self._key_hint = ""
        self._show()
