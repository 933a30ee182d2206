"""Pick code to load into the editor: an example of the step, or one of your earlier versions.

Only the first example of a step reaches the editor by itself; lessons also
show examples meant to be run (one that raises on purpose, a variant to
compare), and reset and "show solution" keep the learner's code as backups.
This list offers all of them. The screen only chooses; the main screen keeps
the current code as a backup and loads the choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nnlearn.curriculum.model import Step
from nnlearn.tui.screens.picker import PickerScreen

PREVIEW_WIDTH = 48


@dataclass(frozen=True)
class CodeChoice:
    """One entry of the list: what it is called and the code it loads."""

    label: str
    code: str


def first_code_line(code: str, others: tuple[str, ...] = ()) -> str:
    """The line that tells this code apart from ``others``.

    The first line that says something (not blank, a comment or an import) and
    that no other example has; else the first line that says something.
    """
    lines = [line.strip() for line in code.splitlines() if line.strip()]
    telling = [
        line
        for line in lines
        if not line.startswith(("#", "import ", "from ", "torch.manual_seed"))
    ]
    elsewhere = {line.strip() for other in others for line in other.splitlines()}
    own = [line for line in telling if line not in elsewhere]
    line = (own or telling or lines or [""])[0]
    return line if len(line) <= PREVIEW_WIDTH else line[: PREVIEW_WIDTH - 1] + "…"


def step_code_choices(step: Step, backups: list[Path]) -> list[CodeChoice]:
    """The step's examples in lesson order, then backups, newest first."""
    choices = []
    codes = tuple(example.code for example in step.examples)
    for number, example in enumerate(step.examples, start=1):
        note = f" (raises {example.raises})" if example.raises else ""
        preview = first_code_line(example.code, codes[: number - 1] + codes[number:])
        choices.append(CodeChoice(f"Example {number}{note}: {preview}", example.code))
    for path in reversed(backups):
        try:
            code = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # an unreadable backup is left where it is, not offered
        choices.append(CodeChoice(f"Your earlier code ({backup_time(path)})", code))
    return choices


def backup_time(path: Path) -> str:
    """``2026-11-25 23:41:02`` from a backup named ``<step>-20261125-234102….py``."""
    parts = path.stem.split("-")
    if len(parts) >= 3 and len(parts[1]) == 8 and len(parts[2]) >= 6:
        day, clock = parts[1], parts[2]
        return f"{day[:4]}-{day[4:6]}-{day[6:8]} {clock[:2]}:{clock[2:4]}:{clock[4:6]}"
    return path.name


class CodePickerScreen(PickerScreen[CodeChoice]):
    """Dismisses with the chosen ``CodeChoice``, or None on escape."""

    DEFAULT_CSS = """
    CodePickerScreen > Vertical { width: 76; }
    CodePickerScreen .code-picker-note { color: $text-muted; }
    CodePickerScreen OptionList { max-height: 14; }
    """

    def __init__(self, choices: list[CodeChoice]) -> None:
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Load which code into the editor? (enter loads, escape cancels)")
            yield Static(
                "Your current code is kept: it can be loaded back from here.",
                classes="code-picker-note",
            )
            yield OptionList(
                *(Option(Text(choice.label), id=str(n)) for n, choice in enumerate(self.choices))
            )

    def chosen(self, event: OptionList.OptionSelected) -> CodeChoice | None:
        return self.choices[event.option_index]
