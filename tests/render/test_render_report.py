"""Errors, exercise checks and the end of a run, as a learner reads them."""

from __future__ import annotations

from nnlearn.kernel.events import CheckResult, KernelDied, KernelRestarted, RunError, RunFinished
from nnlearn.render import kernel_event_message, render_check, render_error, render_finished
from nnlearn.render.report import trim_traceback


def test_error_shows_type_line_message_and_traceback(to_text):
    err = RunError(
        type="RuntimeError",
        message="mat1 and mat2 shapes cannot be multiplied (4x3 and 2x8)",
        line=6,
        traceback='Traceback (most recent call last):\n  File "<nnlearn>", line 6\n    y = model(x)\n',
    )
    text = to_text(render_error(err), width=100)
    assert "RuntimeError on line 6" in text
    assert "mat1 and mat2 shapes cannot be multiplied (4x3 and 2x8)" in text
    assert "y = model(x)" in text


def test_error_message_brackets_are_literal_and_ansi_is_removed(to_text):
    err = RunError("ValueError", "expected [4, 1] [bold]", None, "\x1b[31mValueError\x1b[0m: boom")
    text = to_text(render_error(err))
    assert "expected [4, 1] [bold]" in text
    assert "ValueError: boom" in text
    assert "\x1b" not in text
    assert "on line" not in text


def test_syntax_error_without_traceback(to_text):
    text = to_text(render_error(RunError("SyntaxError", "invalid syntax", 3, "")))
    assert "SyntaxError on line 3" in text
    assert "invalid syntax" in text


def test_long_traceback_is_trimmed_to_its_end():
    traceback = "\n".join(f"line {i}" for i in range(100))
    trimmed = trim_traceback(traceback, max_lines=10)
    assert trimmed.splitlines()[0] == "… 90 earlier lines not shown"
    assert trimmed.splitlines()[-1] == "line 99"
    assert "line 89" not in trimmed


def test_check_passed_and_failed(to_text):
    assert "✓ Check passed" in to_text(render_check(CheckResult(True, "")))
    failed = to_text(render_check(CheckResult(False, "expected [4, 1], got (4, 8)")))
    assert "✗ Check failed: expected [4, 1], got (4, 8)" in failed


def test_multiline_check_message_starts_on_its_own_line(to_text):
    text = to_text(render_check(CheckResult(False, "first\nsecond")))
    assert text.splitlines()[:3] == ["✗ Check failed", "first", "second"]


def test_finished_states(to_text):
    assert "✓ Finished on cpu in 0.012 s" in to_text(
        render_finished(RunFinished(True, "cpu", 0.0123))
    )
    assert "✗ Failed" in to_text(render_finished(RunFinished(False, None, 1.0)))
    interrupted = to_text(render_finished(RunFinished(False, "cuda:0", 2.5, interrupted=True)))
    assert "Interrupted on cuda:0 after 2.500 s" in interrupted


def test_kernel_event_messages_read_as_sentences_with_the_reason():
    died = kernel_event_message(KernelDied("the process exited with code 1"))
    assert died == "The kernel died: the process exited with code 1."
    restarted = kernel_event_message(KernelRestarted("the code did not stop when interrupted"))
    assert restarted == (
        "The kernel was restarted (the code did not stop when interrupted): "
        "everything defined in it is gone."
    )


LONG_LINE = "    loss = nn.functional.mse_loss(model(x.to(device)), y.to(device)) + penalty(model)"
#                                                                          ^^^^^^^ where it failed


def _marks_under(text: str, code_fragment: str) -> str:
    """The code that the ``^`` line right under the line holding ``code_fragment`` points at."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if code_fragment in line and index + 1 < len(lines) and "^" in lines[index + 1]:
            marks = lines[index + 1]
            first, last = marks.index("^"), marks.rindex("^")
            return line[first : last + 1]
    raise AssertionError(f"no ^ line under {code_fragment!r} in:\n{text}")


def test_the_marks_stay_under_the_code_they_point_at_when_the_line_is_wider_than_the_panel(to_text):
    start = LONG_LINE.index("penalty")
    marks = " " * start + "^" * len("penalty(model)")
    traceback = (
        'Traceback (most recent call last):\n  File "<editor>", line 9, in <module>\n'
        f"{LONG_LINE}\n{marks}\nNameError: name 'penalty' is not defined\n"
    )
    err = RunError("NameError", "name 'penalty' is not defined", 9, traceback)
    for width in (60, 80, 100):
        text = to_text(render_error(err), width=width)
        assert _marks_under(text, "model") == "penalty(model)", width
        assert "name 'penalty' is not defined" in text


def test_marks_near_the_start_of_a_long_line_keep_its_beginning(to_text):
    marks = "           " + "^" * len("nn.functional.mse_loss")
    traceback = f'  File "<editor>", line 9, in <module>\n{LONG_LINE}\n{marks}\n'
    err = RunError("TypeError", "bad", 9, traceback)
    text = to_text(render_error(err), width=60)
    assert _marks_under(text, "loss =") == "nn.functional.mse_loss"
    assert "    loss = nn.functional" in text


def test_input_says_that_the_code_cannot_read_the_keyboard_and_what_to_do(to_text):
    err = RunError(
        "StdinNotImplementedError",
        "raw_input was called, but this frontend does not support input requests.",
        1,
        '  File "<editor>", line 1, in <module>\n    name = input("your name? ")\n',
    )
    text = " ".join(to_text(render_error(err), width=80).replace("│", " ").split())
    assert "input() cannot read the keyboard here" in text
    assert "sys.argv" in text
    plain = RunError("ValueError", "boom", 1, "")
    assert "keyboard" not in to_text(render_error(plain))
