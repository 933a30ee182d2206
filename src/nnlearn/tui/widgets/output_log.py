"""The Output tab: what the learner's code printed, colours kept, memory bounded.

Streamed text arrives in arbitrary chunks. Whole lines are written to the log
as they complete, all the lines of one chunk in one write (a flood arrives in
chunks of hundreds of lines; a write per line was most of its cost); a
trailing partial line waits for its newline (or the end of the run). A
carriage return rewrites the line the way a terminal would, so progress bars
do not fill the log. Every line is sanitised first: colours stay, any other
control sequence is shown, never sent to the terminal.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.widgets import RichLog

from nnlearn.render.sanitize import erase_in_line, sanitize

MAX_LINES = 5000
# A line longer than this is written without waiting for its end, as a terminal wraps it.
MAX_PARTIAL_CHARS = 20_000


class OutputLog(RichLog):
    """A RichLog holding at most ``MAX_LINES`` lines of run output."""

    DEFAULT_CSS = """
    OutputLog {
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None, max_lines: int = MAX_LINES) -> None:
        # min_width: lines written while the pane is hidden (narrow layout) still wrap sanely.
        super().__init__(max_lines=max_lines, min_width=78, wrap=True, markup=False, id=id)
        self._partial: dict[str, str] = {}
        self.line_count_written = 0

    def write_stream(self, name: str, text: str) -> None:
        """Append streamed ``text`` from ``stdout`` or ``stderr``."""
        pending = self._partial.pop(name, "") + text
        *complete, rest = pending.split("\n")
        if complete:
            self._write_lines(name, complete)
        if len(rest) > MAX_PARTIAL_CHARS:
            self._write_lines(name, [rest])
        elif rest:
            self._partial[name] = rest

    def flush_partial(self) -> None:
        """Write any line still waiting for its newline (the run ended)."""
        for name, rest in list(self._partial.items()):
            self._write_lines(name, [rest])
        self._partial.clear()

    def write_block(self, renderable: RenderableType) -> None:
        self.flush_partial()
        self.write(renderable, expand=True)

    def note(self, message: str, style: str = "dim") -> None:
        self.flush_partial()
        self.write(Text(sanitize(message, keep_sgr=False), style=style))

    def clear_output(self) -> None:
        self._partial.clear()
        self.line_count_written = 0
        self.clear()

    def _write_lines(self, name: str, lines: list[str]) -> None:
        shown = [_as_terminal_shows(line) for line in lines]
        text = Text.from_ansi("\n".join(shown), style="red" if name == "stderr" else "")
        self.line_count_written += len(lines)
        self.write(text)


def _as_terminal_shows(line: str) -> str:
    """The sanitised line, keeping only what follows its last carriage return, with its
    erase-in-line sequences (a progress bar's ``ESC[K``) done, not shown."""
    line = sanitize(line, keep_cr=True)
    if "\r" in line:
        line = line.rstrip("\r").rsplit("\r", 1)[-1]
    return erase_in_line(line)
