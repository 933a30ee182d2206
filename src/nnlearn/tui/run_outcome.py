"""What one run did, gathered as its events pass, and the feedback line it ends with.

After a Run the learner must see what happened without extra keys at any
width: how it ended, how many lines it printed and the last one, whether a
loss was plotted, the check's verdict, and on a narrow screen the key that
shows the results. Learner text is reduced to printable characters here,
since it ends up on a one-line widget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.text import Text

from nnlearn.kernel.events import CheckResult, LossPoints, RunError, RunFinished


def printable(text: str) -> str:
    """One line of learner text for the feedback line: colours and control characters dropped."""
    plain = Text.from_ansi(text.replace("\n", " ")).plain
    return "".join(ch for ch in plain if ch.isprintable()).strip()


@dataclass
class RunOutcome:
    """What one run did, gathered as its events pass, for the line shown when it ends."""

    checking: bool = False
    lines: int = 0
    last_line: str = ""
    loss_seen: bool = False
    not_finite: tuple[str, int] | None = None  # the first series point that was NaN or inf
    error: RunError | None = None
    check: CheckResult | None = None
    finished: RunFinished | None = None
    died: str = ""  # what the kernel's death was, when it died during the run

    def saw_output(self, name: str, text: str) -> None:
        if name != "stdout":
            return
        self.lines += text.count("\n")
        for line in reversed(text.splitlines()):
            if line.strip():
                self.last_line = printable(line)
                break

    def saw_loss(self, event: LossPoints) -> None:
        self.loss_seen = True
        if self.not_finite is None:
            for step, value in event.points:
                if not math.isfinite(value):
                    self.not_finite = (printable(event.series), step)
                    break

    def feedback(self, results_key: str = "F4", step_name: str = "") -> tuple[Text, str, str]:
        """The feedback line, its severity, and how to see the results tab it is about.

        ``step_name`` ("step 2") is given when the learner has left the step the Run
        was of: the line then says whose Run it was, and offers no key, since the
        keys act on the step on screen.
        """
        done = self.finished
        assert done is not None
        took = _duration(done.seconds)
        tab = "Output"
        if self.died:
            text, severity = Text(f"{self.died} The next Run starts a new one."), "error"
        elif done.interrupted:
            text, severity = Text(f"Interrupted after {took}."), "warning"
        elif self.error is not None:
            where = f" on line {self.error.line}" if self.error.line is not None else ""
            text = Text(f"{self.error.type}{where}: {printable(self.error.message)}")
            severity = "error"
        elif self.check is not None and not self.check.ok:
            message = printable(self.check.message) or "the check did not pass"
            text = Text(f"Check failed: {message}" + ("" if step_name else " (F9 checks again)"))
            severity = "error"
        elif self.check is not None:
            text, severity = Text("Check passed: step done."), "success"
        elif not done.ok:
            text, severity = Text(f"The run failed after {took}."), "error"
        else:
            text, severity = Text(f"Ran in {took}"), "success"
            if self.not_finite is not None:
                series, step = self.not_finite
                tab, severity = "Loss", "warning"
                text.append(f" · {series} became NaN or inf at step {step}: see Inside")
            elif self.loss_seen:
                tab = "Loss"
                text.append(" · loss plotted")
            if self.lines:
                plural = "s" if self.lines != 1 else ""
                shown = self.last_line if len(self.last_line) <= 40 else self.last_line[:39] + "…"
                text.append(f" · {self.lines} line{plural} printed, last: ")
                text.append(shown, style="bold")
            elif not self.loss_seen:
                text.append(" · nothing printed")
        if step_name:
            return Text(f"The Run of {step_name}: ") + text, severity, ""
        return text, severity, f"{results_key} shows {tab}"


def _duration(seconds: float) -> str:
    """A Run's time as the feedback line says it: milliseconds under a tenth of a second
    (a quick Run said "Ran in 0.00s"), else seconds to two places."""
    if seconds < 0.0005:
        return "under 1 ms"
    if seconds < 0.0995:  # not "100 ms": that is 0.10s
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f}s"
