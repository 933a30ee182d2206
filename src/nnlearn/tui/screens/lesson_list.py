"""The lesson list (F2 / ctrl+l): every lesson with its progress; enter opens one."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nnlearn.curriculum.model import Lesson
from nnlearn.tui.screens.picker import PickerScreen


@dataclass(frozen=True)
class LessonEntry:
    lesson: Lesson
    done_steps: int

    @property
    def mark(self) -> str:
        total = len(self.lesson.steps)
        if total and self.done_steps >= total:
            return "✓"
        return "•" if self.done_steps else " "


SUMMARY_INDENT = " " * 6  # under the title, past "✓ 12. "


def entry_text(number: int, entry: LessonEntry, width: int = 80) -> Text:
    """The title line, and the summary wrapped to ``width`` under the title."""
    total = len(entry.lesson.steps)
    text = Text(f"{entry.mark} {number:2d}. ")
    text.append(entry.lesson.title, style="bold")
    text.append(f"  {entry.done_steps}/{total} steps", style="dim")
    if entry.lesson.summary:
        summary = textwrap.fill(
            entry.lesson.summary,
            width=max(width, 20),
            initial_indent=SUMMARY_INDENT,
            subsequent_indent=SUMMARY_INDENT,
        )
        text.append(f"\n{summary}", style="dim")
    return text


class LessonListScreen(PickerScreen[str]):
    """Dismisses with the chosen lesson id, or None on escape."""

    DEFAULT_CSS = """
    LessonListScreen > Vertical { width: 90%; max-width: 100; height: 90%; }
    LessonListScreen OptionList { height: 1fr; }
    """

    BINDINGS = [Binding("escape,f2,ctrl+l", "cancel", "Close", priority=True)]

    def __init__(self, entries: list[LessonEntry], current_id: str | None) -> None:
        super().__init__()
        self.entries = entries
        self.current_id = current_id

    def compose(self) -> ComposeResult:
        # The text width: 90% of the screen up to 100, less the borders, paddings and scrollbar.
        width = min(int(self.app.size.width * 0.9), 100) - 14
        with Vertical():
            yield Static("Lessons (✓ done, • started) · enter opens · escape closes")
            yield OptionList(
                *(
                    Option(entry_text(n, e, width), id=e.lesson.id)
                    for n, e in enumerate(self.entries, start=1)
                )
            )

    def chosen(self, event: OptionList.OptionSelected) -> str | None:
        return event.option.id
