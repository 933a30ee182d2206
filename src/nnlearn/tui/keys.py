"""The key map, in one place: screen bindings, the help screen, the command palette.

Keys were chosen to work over SSH and inside the editor: function keys F1-F9
(F10-F12 are often taken by terminals and browsers) and ctrl letters that the
TextArea does not use and that terminals do not turn into other keys
(ctrl+h/i/j/m are backspace/tab/enter).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class KeyAction:
    """One action a learner can take, with the keys that trigger it."""

    action: str  # the action name on MainScreen (or "app.…")
    keys: tuple[str, ...]
    label: str  # short, for the footer
    help: str  # one line, for the help screen and command palette
    footer: bool = True

    @property
    def key_text(self) -> str:
        return " / ".join(pretty_key(key) for key in self.keys)


def pretty_key(key: str) -> str:
    if key == "question_mark":
        return "?"
    if key.startswith("f") and key[1:].isdigit():
        return key.upper()
    return key


MAIN_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("app.help", ("f1", "question_mark"), "Help", "Show every key"),
    KeyAction("run", ("f5", "ctrl+r"), "Run", "Run the editor's code"),
    KeyAction("interrupt", ("f6",), "Stop", "Interrupt the running code"),
    KeyAction("check", ("f9", "ctrl+t"), "Check", "Check the exercise (runs the step's check)"),
    KeyAction("next_step", ("ctrl+n",), "Next", "Go to the next step"),
    KeyAction("previous_step", ("ctrl+b",), "Back", "Go back to the previous step"),
    KeyAction("lesson_list", ("f2", "ctrl+l"), "Lessons", "Open the lesson list"),
    KeyAction("next_pane", ("f3",), "Pane", "Show the next pane (lesson, editor, results)"),
    KeyAction("next_tab", ("f4",), "Tab", "Show the next results tab"),
    KeyAction("hint", ("ctrl+g",), "Hint", "Reveal the next hint"),
    KeyAction("think", ("ctrl+f",), "Think", "Reveal the answer to 'think about it'"),
    KeyAction("device", ("f7",), "Device", "Choose the device code runs on"),
    KeyAction("restart_kernel", ("f8",), "Restart", "Restart the kernel (forgets everything)"),
    KeyAction(
        "load_code",
        ("ctrl+e",),
        "Examples",
        "Load an example of the step, or your earlier code, into the editor",
    ),
    KeyAction(
        "reset_code", ("ctrl+o",), "Reset", "Reset the editor to the starter code (asks first)"
    ),
    KeyAction("solution", ("ctrl+s",), "Solution", "Show the solution (asks first)"),
    KeyAction(
        "app.quit", ("ctrl+q",), "Quit", "Save your code and quit (asks first while code runs)"
    ),
)

# Keys the help screen also lists, handled by widgets rather than the screen.
OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+p", "Command palette: search every action"),
    ("1 … 6", "Lesson pane: answer the first open quiz in view (a click works too)"),
    ("left / right", "Lesson pane: scroll code blocks wider than the pane sideways"),
    ("tab / shift+tab", "Move focus; in the editor, indent / dedent the line or selected lines"),
    ("enter", "Editor: new line, same indentation (one level more after a ':')"),
    ("ctrl+home / ctrl+end", "Editor: start / end of the code (add shift to select)"),
    ("o", "Inside tab: turn the sampling of gradients and activations off / on"),
    ("escape", "Close a dialog"),
    ("+ / -", "Shapes and Params tabs: unfold / fold the module tree one level"),
)


# The key bar shows keys in this order until the line is full (at 80 columns,
# about seven): Help first, then the pane's most used keys, then Quit (so it is
# always on the bar at 80 columns), then the pane's other keys; the rest follow
# in MAIN_ACTIONS order. Keys a step has no use for (Check and Solution without
# an exercise, Examples without examples) are left off, and the next ones move up.
_PANE_FIRST = {
    "lesson": (
        "app.help",
        "next_step",
        "previous_step",
        "hint",
        "think",
        "app.quit",
        "lesson_list",
        "run",
    ),
    "editor": (
        "app.help",
        "run",
        "check",
        "interrupt",
        "load_code",
        "app.quit",
        "reset_code",
        "solution",
        "next_step",
    ),
    "results": (
        "app.help",
        "next_tab",
        "interrupt",
        "run",
        "app.quit",
        "device",
        "restart_kernel",
    ),
}


def key_bar_order(pane: str) -> tuple[str, ...]:
    """Binding action names for the key bar, most useful first for ``pane``."""
    first = _PANE_FIRST.get(pane, ("app.help", "app.quit"))
    ordered = first + tuple(item.action for item in MAIN_ACTIONS if item.action not in first)
    return tuple(action.removeprefix("app.") for action in ordered)


def screen_bindings() -> list[Binding]:
    """MainScreen's bindings. Priority, so they work while the editor has focus."""
    bindings = []
    for item in MAIN_ACTIONS:
        if item.action.startswith("app."):
            continue
        bindings.append(
            Binding(
                ",".join(item.keys),
                item.action,
                item.label,
                show=item.footer,
                priority=True,
                tooltip=item.help,
            )
        )
    return bindings


def find(action: str) -> KeyAction:
    for item in MAIN_ACTIONS:
        if item.action == action:
            return item
    raise KeyError(action)
