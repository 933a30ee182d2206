"""The one sanitising function: colours survive, no other control reaches a terminal."""

from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from nnlearn.kernel.events import CheckResult, RunError
from nnlearn.render import render_check, render_error
from nnlearn.render.sanitize import ERASE_IN_LINE, erase_in_line, sanitize, strip_sgr

SGR_ONLY = re.compile(r"\x1b\[[0-9;:]*m")
# Any control character a terminal could act on, other than newline and tab.
ACTIVE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

HOSTILE = [
    "\x1b#8",  # DEC screen alignment: fills the screen with E
    "\x1bc",  # RIS: full reset
    "\x1b[2J\x1b[H",  # clear screen, cursor home
    "\x1b[10;10H",  # cursor move
    "\x1b]52;c;aGVsbG8=\x07",  # OSC 52: write the clipboard
    "\x1b]0;title\x1b\\",  # OSC 0: window title, ST-terminated
    "\x1b[?1049h",  # alternate screen
    "\x1b[?1000l",  # mouse reporting off
    "\x1b[6n",  # device status report (the terminal answers on stdin)
    "\x1bP+q544e\x1b\\",  # DCS request
    "\x9b2J",  # 8-bit CSI
    "\x90q\x9c",  # 8-bit DCS and ST
    "\x07",  # bell
    "\x08\x08\x08",  # backspaces
    "\x1b",  # lone ESC at the end
    "\x1b[31",  # unfinished SGR
    "\x1b[" + "1;" * 100 + "m",  # an absurdly long "colour"
]


def assert_terminal_safe(text: str) -> None:
    assert ACTIVE.search(strip_sgr(text)) is None, repr(text)


def test_hostile_sequences_are_shown_not_obeyed() -> None:
    for hostile in HOSTILE:
        cleaned = sanitize(f"before {hostile} after")
        assert_terminal_safe(cleaned)
        assert cleaned.startswith("before ") and cleaned.endswith(" after")
    assert sanitize("\x1b#8") == "␛#8"
    assert sanitize("\x1bc") == "␛c"
    assert sanitize("ding\x07") == "ding␇"
    assert sanitize("\x9b2J") == "\ufffd2J"
    assert sanitize("\x7f") == "␡"


def test_colours_text_newlines_and_tabs_are_kept() -> None:
    coloured = "\x1b[1;31mred\x1b[0m and \x1b[38;2;10;20;30mtrue colour\x1b[m\n\tindented"
    assert sanitize(coloured) == coloured
    assert sanitize(coloured, keep_sgr=False) == coloured.replace("\x1b", "␛")
    assert sanitize("ünïcode ✓ 漢字") == "ünïcode ✓ 漢字"


def test_carriage_returns() -> None:
    assert sanitize("a\r\nb") == "a\nb"
    assert sanitize("50%\r100%") == "50%␍100%"
    # A caller that rewrites lines also gets their erase-in-line sequences; nobody else does.
    assert sanitize("50%\r100%\x1b[2K", keep_cr=True) == "50%\r100%\x1b[2K"
    assert sanitize("50%\r100%\x1b[2K") == "50%␍100%␛[2K"
    assert sanitize("x\x1b[K", keep_sgr=False, keep_cr=True) == "x␛[K"
    assert sanitize("\x1b[3K\x1b[2J", keep_cr=True) == "␛[3K␛[2J"


def test_a_progress_bars_cursor_hiding_is_dropped_where_lines_are_rewritten() -> None:
    """rich's progress bar, as it writes to a terminal: hide, rewrite, show."""
    bar = "\x1b[?25l\r\x1b[2Kworking 0%\r\x1b[2Kworking 100%\n\x1b[?25hdone\n"
    assert sanitize(bar, keep_cr=True) == "\r\x1b[2Kworking 0%\r\x1b[2Kworking 100%\ndone\n"
    assert sanitize("\x1b[?25l", keep_cr=False) == "␛[?25l"  # nobody else obeys or drops it
    assert sanitize("\x1b[?1049h\x1b[?25x", keep_cr=True) == "␛[?1049h␛[?25x"


def test_erase_in_line_does_what_a_terminal_does_at_the_cursor() -> None:
    assert erase_in_line("epoch 3/10\x1b[K") == "epoch 3/10"
    assert erase_in_line("\x1b[2Kepoch 3/10") == "epoch 3/10"
    assert erase_in_line("\x1b[0Kdone \x1b[31mred\x1b[0m\x1b[K") == "done \x1b[31mred\x1b[0m"
    # 1K and 2K blank what was written; the cursor stays where it was.
    assert erase_in_line("100%\x1b[2K") == "    "
    assert erase_in_line("\x1b[32mab\x1b[0m\x1b[1Kc") == "  c"
    assert erase_in_line("no sequence") == "no sequence"


def test_not_a_string_is_made_one() -> None:
    assert sanitize(42) == "42"  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_leave_only_colours(data: bytes) -> None:
    for text in (data.decode("utf-8", errors="replace"), data.decode("latin-1")):
        for keep_sgr in (True, False):
            for keep_cr in (True, False):
                cleaned = sanitize(text, keep_sgr=keep_sgr, keep_cr=keep_cr)
                if keep_cr:  # carriage returns and erase-in-line are the caller's to do
                    cleaned = ERASE_IN_LINE.sub("", cleaned.replace("\r", ""))
                assert_terminal_safe(cleaned)
                if not keep_sgr:
                    assert "\x1b" not in cleaned


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("\x1b[]#;:0123456789mHJc?P\\\x07\x9b\r\n a")))
def test_escape_heavy_text_leaves_only_colours(text: str) -> None:
    assert_terminal_safe(sanitize(text))
    assert "\x1b" not in sanitize(text, keep_sgr=False)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_what_rich_writes_to_the_terminal_has_only_sgr(data: bytes) -> None:
    """Through Rich (as the TUI and ``nnlearn run`` draw it): the only escapes are colours."""
    text = Text.from_ansi(sanitize(data.decode("latin-1")))
    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="truecolor", width=60).print(text)
    written = SGR_ONLY.sub("", out.getvalue())
    assert ACTIVE.search(written) is None, repr(written)


def test_error_and_check_panels_are_sanitised(to_text) -> None:
    error = RunError(
        type="ValueError\x1bc",
        message="boom \x1b#8 \x1b]52;c;ZXZpbA==\x07",
        line=3,
        traceback='  File "<editor>", line 3\n    raise ValueError("boom \x1b#8")\nValueError: boom',
    )
    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="truecolor", width=80).print(
        render_error(error)
    )
    assert ACTIVE.search(SGR_ONLY.sub("", out.getvalue())) is None
    assert "boom ␛#8" in to_text(render_error(error))
    check = render_check(CheckResult(False, "expected \x1b[2J shape"))
    assert "␛[2J" in to_text(check)


def test_sanitize_fields_reaches_every_string_and_keeps_clean_objects() -> None:
    from dataclasses import dataclass

    from nnlearn.render.sanitize import sanitize_fields

    @dataclass(frozen=True)
    class Inner:
        name: str
        sizes: tuple[int, ...]

    @dataclass(frozen=True)
    class Outer:
        title: str
        items: tuple[Inner, ...]
        extra: dict[str, list[str]]

    clean = Outer("fine", (Inner("a", (1, 2)),), {"k": ["v"]})
    assert sanitize_fields(clean) is clean
    dirty = Outer("t\x1b#8", (Inner("a\x1bc", (1, 2)), Inner("b", ())), {"k\x07": ["v\x9b"]})
    cleaned = sanitize_fields(dirty)
    assert cleaned == Outer("t␛#8", (Inner("a␛c", (1, 2)), Inner("b", ())), {"k␇": ["v\ufffd"]})
    assert cleaned.items[1] is dirty.items[1]  # untouched parts are shared, not copied
