"""How a run ended, for people: the error, the exercise check, the final status.

A learner reads an error first by its type and line, then its message, and only
then the traceback, so that is the order here; long tracebacks are cut to their
last lines. Messages are shown as plain text (never Rich markup), since a shape
like ``[4, 3]`` in a message must print as written, and sanitised, since the
learner's code wrote them. A source line and the ``^^^`` under it are never
wrapped (wrapped, the marks point at the wrong code): one wider than the panel
is cut, both lines alike, around the marks.
"""

from __future__ import annotations

import re

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.text import Text

from nnlearn.kernel.events import CheckResult, KernelDied, KernelRestarted, RunError, RunFinished
from nnlearn.render.sanitize import sanitize

TRACEBACK_LINES = 25
TRACEBACK_STYLE = "dim"
_MARKS = re.compile(r"^ *[~^]+[ ~^]*$")  # Python's marks under the code that failed
# What to do about errors whose message speaks of the kernel, not of the learner's code.
ADVICE = {
    "StdinNotImplementedError": (
        "→ input() cannot read the keyboard here: your code runs in a kernel with no "
        'terminal. Put the value in the code (name = "Ada"), or run the file with '
        "nnlearn run FILE ARGS and read them from sys.argv."
    ),
}


def trim_traceback(traceback: str, max_lines: int = TRACEBACK_LINES) -> str:
    """The last ``max_lines`` lines, with a note saying how many were cut."""
    lines = traceback.rstrip("\n").splitlines()
    if len(lines) <= max_lines:
        return "\n".join(lines)
    hidden = len(lines) - max_lines
    return "\n".join([f"… {hidden} earlier lines not shown", *lines[-max_lines:]])


def error_title(err: RunError) -> str:
    """``RuntimeError on line 6`` (or just the type when the line is unknown)."""
    kind = sanitize(err.type, keep_sgr=False)
    return f"{kind} on line {err.line}" if err.line is not None else kind


def render_error(err: RunError, *, max_traceback_lines: int = TRACEBACK_LINES) -> RenderableType:
    """A red panel: type and line as the title, the message, then the traceback."""
    parts: list[RenderableType] = []
    headline = Text(sanitize(err.type, keep_sgr=False), style="bold red")
    if err.message:
        headline.append(": ", style="bold red")
        headline.append(sanitize(err.message, keep_sgr=False))
    parts.append(headline)
    advice = ADVICE.get(err.type)
    if advice is not None:
        parts.append(Text(advice, style="bold"))
    plain = Text.from_ansi(sanitize(err.traceback)).plain
    traceback = trim_traceback(plain, max_traceback_lines)
    if traceback.strip():
        parts.append(Text(""))
        parts.extend(_traceback_parts(traceback))
    return Panel(
        Group(*parts),
        title=Text(error_title(err), style="bold red"),
        title_align="left",
        border_style="red",
    )


def _traceback_parts(traceback: str) -> list[RenderableType]:
    """The traceback as text, each source line with marks under it kept whole (``PointedLine``)."""
    parts: list[RenderableType] = []
    lines = traceback.split("\n")
    plain: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.strip() and _MARKS.match(following):
            if plain:
                parts.append(Text("\n".join(plain), style=TRACEBACK_STYLE))
                plain = []
            parts.append(PointedLine(line, following))
            index += 2
        else:
            plain.append(line)
            index += 1
    if plain:
        parts.append(Text("\n".join(plain), style=TRACEBACK_STYLE))
    return parts


class PointedLine:
    """A source line and the marks under it, cut to the width together, never wrapped.

    When the line is wider than the space, the window shown is the part that
    the marks point at (from the start of the line if they fit there), and
    ``…`` says where the line goes on.
    """

    def __init__(self, code: str, marks: str) -> None:
        self.code = code.rstrip()
        self.marks = marks.rstrip()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code, marks = self.code, self.marks
        width = options.max_width
        if max(len(code), len(marks)) > width:
            code, marks = self._window(width)
        yield Text(code, style=TRACEBACK_STYLE, no_wrap=True, overflow="crop")
        yield Text(marks, style=TRACEBACK_STYLE, no_wrap=True, overflow="crop")

    def _window(self, width: int) -> tuple[str, str]:
        first = len(self.marks) - len(self.marks.lstrip())
        last = len(self.marks)
        if last <= width - 1:  # the marks fit with the line's start: cut its end
            return self.code[: width - 1] + "…", self.marks
        start = max(min(first, last - (width - 2)), 1)
        end = start + width - 1 if len(self.code) > start + width - 1 else len(self.code)
        if end < len(self.code):
            end -= 1  # room for the closing …
        code = "…" + self.code[start:end] + ("…" if end < len(self.code) else "")
        return code, " " + self.marks[start:end]


def render_check(result: CheckResult) -> RenderableType:
    """``✓ Check passed`` in green or ``✗ Check failed`` in red, with the message."""
    if result.ok:
        text = Text("✓ Check passed", style="bold green")
    else:
        text = Text("✗ Check failed", style="bold red")
    if result.message:
        text.append("\n" if "\n" in result.message else ": ", style=text.style)
        text.append(sanitize(result.message, keep_sgr=False))
    return text


def kernel_event_message(event: KernelDied | KernelRestarted) -> str:
    """What the CLI and the TUI say when the kernel died or was restarted during a run."""
    if isinstance(event, KernelDied):
        return f"The kernel died: {sanitize(event.reason, keep_sgr=False)}."
    reason = sanitize(event.reason, keep_sgr=False)
    return f"The kernel was restarted ({reason}): everything defined in it is gone."


def render_finished(done: RunFinished, check: CheckResult | None = None) -> RenderableType:
    """The last line of a run: how it ended, where, and how long it took.

    A run whose exercise check failed did not finish well, whatever the code
    did, so it never ends on a green tick.
    """
    where = f" on {done.device}" if done.device else ""
    took = f" in {done.seconds:.3f} s"
    if done.interrupted:
        return Text(f"■ Interrupted{where} after {done.seconds:.3f} s", style="bold yellow")
    if done.ok and check is not None and not check.ok:
        return Text(f"✗ Ran{where}{took}, but the check did not pass", style="bold red")
    if done.ok:
        return Text(f"✓ Finished{where}{took}", style="bold green")
    if done.exit_code is not None:
        return Text(f"✗ Exited with status {done.exit_code}{where}{took}", style="bold red")
    return Text(f"✗ Failed{where}{took}", style="bold red")
