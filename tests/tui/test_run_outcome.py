"""The line a run ends with: what happened, in one line, safe to show."""

from __future__ import annotations

import math

from nnlearn.kernel.events import CheckResult, LossPoints, RunError, RunFinished
from nnlearn.tui.run_outcome import RunOutcome, printable


def test_printable_drops_colours_and_control_characters():
    assert printable("\x1b[31mred\x1b[0m\x07 and\ttab\n") == "red andtab"


def test_a_clean_run_names_its_last_printed_line_and_the_key_to_see_it():
    outcome = RunOutcome()
    outcome.saw_output("stdout", "first\nsecond\n")
    outcome.saw_output("stderr", "a warning\n")
    outcome.finished = RunFinished(ok=True, device="cpu", seconds=0.5)
    text, severity, key_hint = outcome.feedback()
    assert severity == "success"
    assert text.plain == "Ran in 0.50s · 2 lines printed, last: second"
    assert key_hint == "F4 shows Output"


def test_a_quick_run_says_its_time_in_milliseconds_not_zero_seconds():
    said = []
    for seconds in (0.0002, 0.0049, 0.0994, 0.1):
        outcome = RunOutcome()
        outcome.finished = RunFinished(ok=True, device="cpu", seconds=seconds)
        said.append(outcome.feedback()[0].plain.split(" · ")[0])
    assert said == ["Ran in under 1 ms", "Ran in 5 ms", "Ran in 99 ms", "Ran in 0.10s"]


def test_a_failed_check_is_an_error_even_when_the_code_ran():
    outcome = RunOutcome(checking=True)
    outcome.check = CheckResult(False, "layer should be an nn.Linear")
    outcome.finished = RunFinished(ok=True, device="cpu", seconds=0.1)
    text, severity, _ = outcome.feedback()
    assert severity == "error"
    assert text.plain.startswith("Check failed: layer should be an nn.Linear")


def test_a_dead_kernel_says_what_the_next_run_does():
    outcome = RunOutcome(died="The kernel died: exit code 1.")
    outcome.finished = RunFinished(ok=False, device="cpu", seconds=0.1)
    text, severity, _ = outcome.feedback()
    assert severity == "error"
    assert text.plain == "The kernel died: exit code 1. The next Run starts a new one."


def test_an_error_names_its_line():
    outcome = RunOutcome()
    outcome.error = RunError(type="ValueError", message="boom\x1b#8", line=3, traceback="")
    outcome.finished = RunFinished(ok=False, device="cpu", seconds=0.1)
    text, severity, _ = outcome.feedback()
    assert (text.plain, severity) == ("ValueError on line 3: boom#8", "error")


def test_a_loss_that_became_nan_is_a_warning_not_a_success():
    outcome = RunOutcome()
    outcome.saw_loss(LossPoints("loss", ((0, 2.5), (1, 1e30))))
    outcome.saw_loss(LossPoints("loss", ((2, math.inf), (3, math.nan))))
    outcome.saw_output("stdout", "done\n")
    outcome.finished = RunFinished(ok=True, device="cpu", seconds=0.37)
    text, severity, key_hint = outcome.feedback()
    assert severity == "warning"
    assert text.plain.startswith("Ran in 0.37s · loss became NaN or inf at step 2: see Inside")
    assert key_hint == "F4 shows Loss"


def test_a_finite_loss_is_plotted_as_before():
    outcome = RunOutcome()
    outcome.saw_loss(LossPoints("loss", ((0, 2.5), (1, 0.5))))
    outcome.finished = RunFinished(ok=True, device="cpu", seconds=0.1)
    text, severity, _ = outcome.feedback()
    assert (text.plain, severity) == ("Ran in 0.10s · loss plotted", "success")


def test_a_run_of_a_step_the_learner_left_says_whose_it_was_and_offers_no_key():
    outcome = RunOutcome(checking=True)
    outcome.check = CheckResult(False, "layer should be an nn.Linear")
    outcome.finished = RunFinished(ok=True, device="cpu", seconds=0.1)
    text, severity, key_hint = outcome.feedback(step_name="step 3")
    assert severity == "error"
    assert text.plain == "The Run of step 3: Check failed: layer should be an nn.Linear"
    assert key_hint == ""  # F4 and F9 act on the step on screen
