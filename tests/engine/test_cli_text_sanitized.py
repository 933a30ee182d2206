"""``nnlearn run`` writes to a terminal too: learner text reaches it with colours only."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from nnlearn.kernel.events import CheckResult, KernelDied, RunError, RunFinished, Stream
from nnlearn.run_command import TextReport, run_file

HOSTILE = "\x1b#8\x1bc\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b6n"
SGR = re.compile(r"\x1b\[[0-9;:]*m")
ACTIVE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_text_report_shows_control_sequences_instead_of_sending_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()
    report = TextReport(out, Console(file=out, force_terminal=True, width=80))
    report.handle(Stream("stdout", f"hi {HOSTILE}\n\x1b[32mgreen\x1b[0m 50%\r100%\n"))
    report.handle(Stream("stderr", f"warn {HOSTILE}\n"))
    report.handle(RunError("ValueError", f"boom {HOSTILE}", 1, f"tb {HOSTILE}"))
    report.handle(CheckResult(False, f"check {HOSTILE}"))
    report.handle(KernelDied(f"died {HOSTILE}"))
    report.handle(RunFinished(ok=False, device="cpu", seconds=0.1))
    report.close()
    written = out.getvalue() + capsys.readouterr().err
    assert ACTIVE.search(SGR.sub("", written).replace("\r", "")) is None, repr(written)
    assert "hi ␛#8␛c" in written and "warn ␛#8" in written
    assert "\x1b[32mgreen\x1b[0m 50%\r100%" in written  # colours and progress bars still work
    plain = SGR.sub("", written)
    assert "check ␛#8" in plain and "died ␛#8" in plain and "boom ␛#8" in plain


def test_a_colour_the_script_left_on_ends_before_nnlearns_own_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``print("\\x1b[8m")`` (concealed text) left on hid the report's plain lines, and a
    colour left on coloured them, up to the shell prompt after nnlearn."""
    out = io.StringIO()
    report = TextReport(out, Console(file=out, force_terminal=True, width=80))
    report.handle(Stream("stdout", "\x1b[8mhidden from here\n"))
    report.handle(Stream("stderr", "\x1b[31mred from here\n"))
    report.handle(KernelDied("died"))
    report.handle(RunFinished(ok=False, device="cpu", seconds=0.1))
    report.close()
    written, errors = out.getvalue(), capsys.readouterr().err
    assert written.index("\x1b[0m", written.index("hidden")) < written.index("died")
    assert errors.endswith("red from here\n\x1b[0m")


@pytest.mark.parametrize("made", ["missing", "folder", "not utf-8"])
async def test_a_file_name_is_shown_not_obeyed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], made: str
) -> None:
    """``nnlearn run *.py`` in someone else's folder: a name may hold escape sequences."""
    path = tmp_path / "evil\x1b]0;title\x07\x1b[2J.py"
    if made == "folder":
        path.mkdir()
    elif made == "not utf-8":
        path.write_bytes(b"\xff")
    assert await run_file(path, "auto", as_json=False) == 2
    said = capsys.readouterr().err
    assert "evil␛]0;title␇␛[2J.py" in said and "\x1b" not in said


def test_a_lessons_folder_that_is_not_there_is_named_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from nnlearn.tui.app import _run_app

    missing = tmp_path / "lessons\x1b]0;title\x07\x1b[2J"
    assert _run_app(missing, None, factory=None) == 2  # type: ignore[arg-type]
    said = capsys.readouterr().out
    assert "lessons␛]0;title␇␛[2J" in said and "\x1b" not in said
