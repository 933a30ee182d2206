"""The code editor: a Python TextArea that says when its text has settled.

It knows nothing about lessons or the store. The screen loads a step's code
with ``load_code`` and saves a draft when ``DraftSettled`` arrives (half a
second after typing stops), so a fast typist causes one save, not hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from nnlearn.render.sanitize import has_controls, sanitize

# Under a second of idle typing: a kill -9 (or a dropped laptop) costs at most this much.
AUTOSAVE_DELAY = 0.5


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

    def render_line(self, y: int) -> Strip:
        """A line of code; a control character in it (pasted, say) is shown, never sent."""
        strip = super().render_line(y)
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
        """Select the failing (1-based) line and put the cursor there."""
        last = self.document.line_count - 1
        row = min(max(line - 1, 0), last)
        self.error_line = row + 1
        self.add_class("-has-error")
        self.border_title = f"✗ error on line {self.error_line}"  # visible without colour too
        end = len(self.document.get_line(row))
        self.selection = Selection((row, end), (row, 0))
        self.scroll_cursor_visible(center=True, animate=False)

    def clear_error(self) -> None:
        self.error_line = None
        self.remove_class("-has-error")
        self.border_title = None

    def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.error_line is not None and self.is_dirty:
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
