"""The code editor: a Python TextArea that says when its text has settled.

It knows nothing about lessons or the store. The screen loads a step's code
with ``load_code`` and saves a draft when ``DraftSettled`` arrives (half a
second after typing stops), so a fast typist causes one save, not hundreds.

It indents as code editors do: Enter keeps the line's indentation and adds a
level after a line ending in ``:``; Tab and Shift+Tab indent and dedent the
selected lines. A failing line stays marked (gutter and background) until the
code changes, wherever the cursor goes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from nnlearn.render.sanitize import has_controls, sanitize

# Under a second of idle typing: a kill -9 (or a dropped laptop) costs at most this much.
AUTOSAVE_DELAY = 0.5
ERROR_LINE_STYLE = Style(bgcolor="#5f0000")
ERROR_GUTTER_STYLE = Style(color="white", bgcolor="red", bold=True)


def leading_spaces(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


class CodeEditor(TextArea):
    """TextArea.code_editor for Python, with debounced change notices and error marking."""

    DEFAULT_CSS = """
    CodeEditor {
        height: 1fr;
        border: round $secondary;
    }
    CodeEditor:focus {
        border: round $accent;
    }
    CodeEditor.-has-error {
        border: round $error;
    }
    """

    # TextArea has no keys for the start and end of the whole text; code editors do.
    BINDINGS = [
        Binding("ctrl+home", "cursor_document_start", "Start of the code", show=False),
        Binding("ctrl+end", "cursor_document_end", "End of the code", show=False),
        Binding("ctrl+shift+home", "cursor_document_start(True)", "Select to start", show=False),
        Binding("ctrl+shift+end", "cursor_document_end(True)", "Select to end", show=False),
        Binding("shift+tab", "dedent", "Dedent", show=False),
    ]

    @dataclass
    class DraftSettled(Message):
        """The text changed and then stayed unchanged for ``autosave_delay`` seconds."""

        editor: CodeEditor
        code: str

        @property
        def control(self) -> CodeEditor:
            return self.editor

    def __init__(self, *, id: str | None = None, autosave_delay: float = AUTOSAVE_DELAY) -> None:
        # No language yet: TextArea compiles its tree-sitter highlight query for every
        # document it makes (~50 ms each), and passing the language here makes two.
        # It is set once, just after the first frame (so colours come a frame late),
        # and ``load_code`` edits the text in place, so one query serves the editor's life.
        super().__init__(
            "",
            theme="monokai",
            soft_wrap=False,
            tab_behavior="indent",
            show_line_numbers=True,
            id=id,
        )
        self.indent_type = "spaces"
        self.indent_width = 4
        self.autosave_delay = autosave_delay
        self._settle_timer: Timer | None = None
        self._baseline = ""
        self.error_line: int | None = None
        self._error_text: str | None = None  # the code the error was found in

    def on_mount(self) -> None:
        self.call_after_refresh(self._start_highlighting)

    def _start_highlighting(self) -> None:
        selection = self.selection
        self.language = "python"  # makes a new document of the same text
        self.selection = selection

    def action_cursor_document_start(self, select: bool = False) -> None:
        self.move_cursor(self.document.start, select=select)

    def action_cursor_document_end(self, select: bool = False) -> None:
        self.move_cursor(self.document.end, select=select)

    @property
    def is_dirty(self) -> bool:
        """True when the text differs from what was last loaded or saved."""
        return self.text != self._baseline

    @staticmethod
    def _shown_safely(strip: Strip) -> Strip:
        """A control character in a line of code (pasted, say) is shown, never sent."""
        if not has_controls("".join(segment.text for segment in strip)):
            return strip
        safe = [
            Segment(sanitize(seg.text, keep_sgr=False), seg.style, seg.control) for seg in strip
        ]
        return Strip(safe).crop(0, strip.cell_length)

    def load_code(self, code: str) -> None:
        """Replace the text (a new step, a reset) without it counting as an edit."""
        if has_controls(code.replace("\r", "")):  # a draft file is text that is not ours too
            code = sanitize(code, keep_sgr=False, keep_cr=True)
        self._cancel_settle()
        self._baseline = code
        self.clear_error()
        if code != self.text:
            self.replace(code, self.document.start, self.document.end)
            self.history.clear()  # undo must not bring back the previous step's code
        self.move_cursor((0, 0))
        self.scroll_home(animate=False)

    def mark_saved(self, code: str | None = None) -> None:
        self._baseline = self.text if code is None else code
        self._cancel_settle()

    def mark_error(self, line: int) -> None:
        """Mark the failing (1-based) line until the code changes; the cursor goes there."""
        last = self.document.line_count - 1
        row = min(max(line - 1, 0), last)
        self.error_line = row + 1
        self._error_text = self.text
        self.add_class("-has-error")
        self.border_title = f"✗ error on line {self.error_line}"  # visible without colour too
        code = self.document.get_line(row)
        self.selection = Selection.cursor((row, len(leading_spaces(code))))
        self.scroll_cursor_visible(center=True, animate=False)
        self.refresh()

    def clear_error(self) -> None:
        if self.error_line is not None:
            self.refresh()
        self.error_line = None
        self._error_text = None
        self.remove_class("-has-error")
        self.border_title = None

    def render_line(self, y: int) -> Strip:
        strip = self._shown_safely(super().render_line(y))
        if self.error_line is None or self.error_line - 1 != y + self.scroll_offset.y:
            return strip
        gutter = min(self.gutter_width, strip.cell_length)
        marked = Strip(
            Segment.apply_style(strip.crop(gutter)._segments, post_style=ERROR_LINE_STYLE)
        )
        if not gutter:
            return marked
        number = Strip(
            Segment.apply_style(strip.crop(0, gutter)._segments, post_style=ERROR_GUTTER_STYLE)
        )
        return Strip.join([number, marked])

    # ----------------------------------------------------------- indentation

    async def _on_key(self, event: events.Key) -> None:
        if not self.read_only and event.key == "enter":
            event.stop()
            event.prevent_default()
            self._restart_blink()
            self._newline_with_indent()
            return
        if not self.read_only and event.key == "tab" and self._spans_lines():
            event.stop()
            event.prevent_default()
            self._shift_lines(+1)
            return
        await super()._on_key(event)

    def _newline_with_indent(self) -> None:
        start, end = self.selection
        top = min(start, end)
        row, column = top
        before = self.document.get_line(row)[:column]
        indent = leading_spaces(before) if before.strip() else before
        if before.split("#", 1)[0].rstrip().endswith(":"):  # a comment may follow the colon
            indent += " " * self.indent_width
        self._replace_via_keyboard("\n" + indent, start, end)

    def _spans_lines(self) -> bool:
        start, end = self.selection
        return start[0] != end[0]

    def _selected_rows(self) -> range:
        start, end = sorted(self.selection)
        last = end[0] if end[0] == start[0] or end[1] > 0 else end[0] - 1
        return range(start[0], last + 1)

    def action_dedent(self) -> None:
        if not self.read_only:
            self._shift_lines(-1)

    def _shift_lines(self, direction: int) -> None:
        """Indent (+1) or dedent (-1) every selected line, or the cursor's line, by one level."""
        rows = self._selected_rows()
        width = self.indent_width
        old = [self.document.get_line(row) for row in rows]
        new = []
        for line in old:
            if direction > 0:
                new.append(" " * width + line if line.strip() else line)
            else:
                new.append(line[min(len(leading_spaces(line)), width) :])
        if new == old:
            return
        selection = self.selection
        first, last = rows[0], rows[-1]
        self.replace("\n".join(new), (first, 0), (last, len(old[-1])))

        def moved(location: tuple[int, int]) -> tuple[int, int]:
            row, column = location
            if row not in rows:
                return location
            delta = len(new[row - first]) - len(old[row - first])
            return row, max(column + delta, 0) if column else 0

        self.selection = Selection(moved(selection.start), moved(selection.end))

    def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.error_line is not None and self.text != self._error_text:
            self.clear_error()
        self._cancel_settle()
        if self.is_dirty:
            self._settle_timer = self.set_timer(self.autosave_delay, self._settled)

    def _settled(self) -> None:
        self._settle_timer = None
        if self.is_dirty:
            self.post_message(self.DraftSettled(self, self.text))

    def _cancel_settle(self) -> None:
        if self._settle_timer is not None:
            self._settle_timer.stop()
            self._settle_timer = None
