"""Pilot tests: hostile text never drives the terminal, and a flood of output never freezes it.

What the app would write to the terminal is rendered from the screen's
compositor exactly as Textual renders it for a real terminal; apart from
Textual's own cursor moves and colours it must hold no escape sequence and
no control character.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text
from tui_fakes import FIXTURE_LESSONS, FakeKernel
from waiting import pause_until, until_started

from nnlearn.curriculum.progress import ProgressStore
from nnlearn.tui.app import NnlearnApp
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.output_log import OutputLog, _as_terminal_shows
from nnlearn.tui.widgets.status_bar import StatusBar

# What Textual itself sends: colours (SGR) and "move the cursor to row;col" (CUP).
TEXTUAL_OWN = re.compile(r"\x1b\[[0-9;:]*m|\x1b\[\d+;\d+H")
ACTIVE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")

HOSTILE = "\x1b#8\x1bc\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[?1049h\x9b6n"
HOSTILE_YAML = r"\e#8\ec\e]52;c;ZXZpbA==\a\e[2J\e[?1049h\x9b6n"

HOSTILE_LESSON = f"""---
id: evil
title: "Evil {HOSTILE_YAML}"
summary: "Summary {HOSTILE_YAML}"
---

## Heading {HOSTILE}

Prose with {HOSTILE} inside, and `code {HOSTILE}`.

```python example
print("example {HOSTILE}")
```

```quiz
question: "Question {HOSTILE_YAML}?"
choices:
  - "choice {HOSTILE_YAML}"
  - plain
answer: 1
explain: "Because {HOSTILE_YAML}."
```

```think
question: "Think {HOSTILE_YAML}?"
answer: "Answer {HOSTILE_YAML}."
```

## Exercise {HOSTILE}

Do it {HOSTILE}.

```python starter
layer = None
```

```python solution
from torch import nn
layer = nn.Linear(3, 1)
```

```python check
assert layer is not None
```

```hint
Hint {HOSTILE}.
```
"""


def terminal_output(app: NnlearnApp) -> str:
    """What Textual would write to a terminal to draw the whole screen now."""
    update = app.screen._compositor.render_full_update()
    return update.render_segments(app.console)


def assert_terminal_safe(app: NnlearnApp) -> None:
    written = TEXTUAL_OWN.sub("", terminal_output(app))
    found = ACTIVE.search(written)
    assert found is None, f"{found.group()!r} in {written[max(found.start() - 40, 0) :][:80]!r}"


def hostile_app(tmp_path: Path, kernel: FakeKernel) -> NnlearnApp:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "01-evil.md").write_text(HOSTILE_LESSON, encoding="utf-8")
    store = ProgressStore(tmp_path / "home")
    return NnlearnApp(lessons, store, session_factory=kernel, autosave_delay=0.05)


async def test_a_hostile_lesson_renders_safely(tmp_path: Path) -> None:
    app = hostile_app(tmp_path, FakeKernel())
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        assert screen.lesson is not None and screen.lesson.id == "evil", app.load_result.problems
        assert "␛#8" in screen.lesson.title  # shown, not obeyed
        assert_terminal_safe(app)
        await pilot.press("ctrl+f")  # the think answer
        await pilot.pause()
        assert_terminal_safe(app)
        await pilot.press("ctrl+n")  # the exercise step, then its hint
        await pilot.pause()
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert_terminal_safe(app)
        await pilot.press("ctrl+l")  # the lesson list shows the title
        await pilot.pause()
        assert_terminal_safe(app)


async def test_hostile_output_errors_and_toasts_render_safely(tmp_path: Path) -> None:
    kernel = FakeKernel(greeting=f"out {HOSTILE}\n\x1b[31mred\x1b[0m\n", check_message=HOSTILE)
    app = hostile_app(tmp_path, kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        editor = screen.query_one(CodeEditor)
        editor.load_text("print('x')\nraise ValueError\n")
        await pilot.press("f5")
        await pause_until(pilot, lambda: not screen.runner.running)
        screen.show_results_tab("tab-output")
        await pilot.pause()
        log = screen.query_one(OutputLog)
        shown = "\n".join(line.text for line in log.lines)
        assert "out ␛#8␛c" in shown and "red" in shown
        assert_terminal_safe(app)
        await pilot.press("ctrl+n")  # the exercise step: F9 fails with the hostile message
        await pilot.pause()
        await pilot.press("f9")
        await pause_until(pilot, lambda: not screen.runner.running)
        await pilot.pause()
        assert screen.store.exercise_result("evil", 1) is not None
        assert_terminal_safe(app)  # the toast and the exercise line quote the message


async def test_a_flood_is_bounded_and_stop_ends_it(tmp_path: Path) -> None:
    kernel = FakeKernel(event_delay=0.001)
    app = hostile_app(tmp_path, kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        screen.show_results_tab("tab-output")
        editor = screen.query_one(CodeEditor)
        editor.load_text("flood\n")
        await pilot.press("f5")
        await pause_until(pilot, lambda: kernel.session.calls)
        for _ in range(10):  # a second of flood (ten flushes)
            await pilot.pause(0.1)
        editor.focus()
        editor.move_cursor(editor.document.end)
        await pilot.press("x")  # keys still reach the editor while it floods
        assert editor.text.endswith("x") and screen.runner.running
        await pilot.press("f6")
        await pause_until(pilot, lambda: not screen.runner.running)
        assert not screen.runner.running
        log = screen.query_one(OutputLog)
        assert len(log.lines) <= log.max_lines
        shown = "\n".join(line.text for line in log.lines)
        assert "lines skipped" in shown
        assert "Interrupted" in shown


async def test_control_characters_in_the_editor_are_shown_not_sent(tmp_path: Path) -> None:
    app = hostile_app(tmp_path, FakeKernel())
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        editor = app.main_screen.query_one(CodeEditor)
        editor.load_text(f'print("{HOSTILE}")\n')  # as a paste would put it there
        await pilot.pause()
        assert_terminal_safe(app)
        editor.load_code(f'print("{HOSTILE}")\r\n')  # a draft file, as the store loads it
        await pilot.pause()
        assert "␛#8" in editor.text
        assert_terminal_safe(app)


def test_a_progress_bars_erase_in_line_is_done_not_shown() -> None:
    assert _as_terminal_shows("epoch 1 loss 0.9\repoch 2 loss 0.5\x1b[K") == "epoch 2 loss 0.5"
    assert _as_terminal_shows("10%\r\x1b[2K100% \x1b[32mdone\x1b[0m") == "100% \x1b[32mdone\x1b[0m"
    assert _as_terminal_shows("\x1b[2J\x1b[H") == "␛[2J␛[H"  # not a line's own: shown


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_what_the_output_tab_holds_has_no_control_characters(data: bytes) -> None:
    """The Output tab's own pipeline: lines sanitised, CRs applied, SGR turned into styles."""
    for text in (data.decode("utf-8", errors="replace"), data.decode("latin-1")):
        lines = [_as_terminal_shows(line) for line in text.split("\n")]
        shown = Text.from_ansi("\n".join(lines))
        assert ACTIVE.search(shown.plain.replace("\t", " ")) is None, repr(shown.plain)


REAL_HOSTILE = 'print("out \\x1b#8 \\x1bc \\x1b]52;c;ZXZpbA==\\x07 \\x1b[32mgreen\\x1b[0m")\n'
REAL_RAISE = 'raise ValueError("boom \\x1b#8 \\x1bc")\n'
REAL_FLOOD = "i = 0\nwhile True:\n    print(i)\n    i += 1\n"


@pytest.mark.kernel
@pytest.mark.slow
async def test_real_kernel_hostile_output_and_a_flood_stopped_by_f6(tmp_path: Path) -> None:
    app = NnlearnApp(FIXTURE_LESSONS, ProgressStore(tmp_path / "home"), session_factory=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        status = screen.query_one(StatusBar)
        for _ in range(1200):
            if status.state == "idle":
                break
            await pilot.pause(0.1)
        assert status.state == "idle"
        screen.show_results_tab("tab-output")
        editor = screen.query_one(CodeEditor)
        log = screen.query_one(OutputLog)

        async def run(code: str) -> str:
            editor.load_text(code)
            await pilot.press("f5")
            for _ in range(600):
                if not screen.runner.running:
                    break
                await pilot.pause(0.1)
            await pilot.pause()
            return "\n".join(line.text for line in log.lines)

        shown = await run(REAL_HOSTILE)
        assert "out ␛#8 ␛c ␛]52;c;ZXZpbA==␇ green" in shown
        assert_terminal_safe(app)
        shown = await run(REAL_RAISE)
        assert "ValueError: boom ␛#8 ␛c" in shown
        assert_terminal_safe(app)

        editor.load_text(REAL_FLOOD)
        await pilot.press("f5")
        for _ in range(100):  # until the flood is on screen
            if "lines skipped" in "\n".join(line.text for line in log.lines):
                break
            await pilot.pause(0.1)
        await pilot.press("f6")
        for _ in range(300):
            if not screen.runner.running:
                break
            await pilot.pause(0.1)
        assert not screen.runner.running
        shown = "\n".join(line.text for line in log.lines)
        assert "lines skipped" in shown and "Interrupted" in shown
        assert len(log.lines) <= log.max_lines
        await pilot.press("ctrl+q")
