"""Route one Run's events to the results panes, their text made safe to draw first.

Everything here runs on Textual's event loop (the runner's worker hands each
event over), so it may touch widgets directly. Fast events (output, loss
points) go into a ``RunBuffer`` that the runner's 10 Hz timer drains through
``flush``; the rest are routed as they come. What the Run did is gathered in a
``RunOutcome`` for the feedback line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from nnlearn.kernel.consumer import EventHandler
from nnlearn.kernel.events import (
    CheckResult,
    Event,
    InsideSample,
    KernelDied,
    KernelRestarted,
    KernelStatus,
    LossPoints,
    Params,
    PeakMemory,
    PlotPoints,
    RunError,
    RunFinished,
    Shapes,
    Stream,
)
from nnlearn.kernel.parts import PartJoiner
from nnlearn.render import kernel_event_message, render_check, render_error, render_finished
from nnlearn.render.sanitize import sanitize, sanitize_fields
from nnlearn.tui.run_buffer import RunBuffer
from nnlearn.tui.run_outcome import RunOutcome
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from nnlearn.tui.screens.main import MainScreen
    from nnlearn.tui.widgets.output_log import OutputLog
    from nnlearn.tui.widgets.results_tabs import ResultsTabs


def mounted_results(screen: MainScreen) -> ResultsTabs:
    """The screen's results tabs; the kernel starts (and runs begin) only once they exist."""
    results = screen.results
    if results is None:
        raise RuntimeError("the results tabs are not mounted yet")
    return results


class RunEvents(EventHandler):
    """Shows a Run's events in the panes; ``on_status`` gets the kernel's status reports."""

    def __init__(self, screen: MainScreen, on_status: Callable[[KernelStatus], None]) -> None:
        self.screen = screen
        self._on_status = on_status
        self.buffer = RunBuffer()
        self.outcome = RunOutcome()
        self._target: tuple[str, int] | None = None  # the exercise the current Run checks
        self._joiner = PartJoiner()  # a huge model's tables come in parts: route them whole

    def begin(self, checking: bool, target: tuple[str, int] | None) -> None:
        """A new Run: nothing of the last one's outcome or table parts is kept."""
        self.outcome = RunOutcome(checking=checking)
        self._target = target
        self._joiner = PartJoiner()

    @property
    def results(self) -> ResultsTabs:
        return mounted_results(self.screen)

    @property
    def output(self) -> OutputLog:
        return self.results.output

    def summary(self, done: RunFinished) -> str:
        """What the status line says of a finished Run."""
        if done.interrupted:
            return f"interrupted after {done.seconds:.2f}s"
        check = self.outcome.check
        if check is not None:
            return f"check {'passed' if check.ok else 'failed'} in {done.seconds:.2f}s"
        return f"last run {'ok' if done.ok else 'failed'} in {done.seconds:.2f}s"

    def handle(self, event: Event) -> None:
        """Route one event of the Run to its pane, its text made safe to draw first.

        The parts of a huge model's table are joined first: the panes see it whole.
        """
        whole = self._joiner.add(event)
        if whole is None:
            return
        event = whole
        if isinstance(event, (LossPoints, PlotPoints)):  # thousands of numbers: only the name
            name = sanitize(event.series, keep_sgr=False)
            if name != event.series:
                event = dataclasses.replace(event, series=name)
        elif not isinstance(event, (Stream, RunError, Shapes, Params)):
            # Those are sanitised where drawn: a huge model's tables in the views' workers.
            event = sanitize_fields(event)
        super().handle(event)

    def on_stream(self, event: Stream) -> None:
        self.buffer.add_stream(event.name, event.text)

    def on_loss(self, event: LossPoints) -> None:
        self.buffer.add_loss(event)
        if not self.outcome.loss_seen and self.outcome.error is None:
            self.results.active = "tab-loss"
        self.outcome.saw_loss(event)

    def on_plot(self, event: PlotPoints) -> None:
        self.results.plots.set(event)

    def on_inside(self, event: InsideSample) -> None:
        self.results.inside.add(event)

    def on_shapes(self, event: Shapes) -> None:
        self.results.shapes.show(event)

    def on_params(self, event: Params) -> None:
        self.results.params.add(event)

    def on_memory(self, event: PeakMemory) -> None:
        self.results.shapes.show_memory(event)

    def on_error(self, event: RunError) -> None:
        screen = self.screen
        self.flush()
        self.outcome.error = event
        self.output.write_block(render_error(event))
        self.results.error_line = event.line  # marked again when the learner comes back
        if self.results.run_step != screen.place:  # moved on: the editor holds other code
            self.results.active = "tab-output"
            return
        screen.show_results_tab("tab-output")
        if event.line is not None:
            screen.query_one(CodeEditor).mark_error(event.line)
            if not screen.narrow:
                screen.query_one(CodeEditor).focus()

    def on_check(self, event: CheckResult) -> None:
        self.flush()
        self.outcome.check = event
        self.output.write_block(render_check(event))
        if not event.ok:
            self.results.active = "tab-output"
        if self._target is not None:
            self.screen.record_check(self._target[0], self._target[1], event)

    def on_kernel_died(self, event: KernelDied) -> None:
        self.flush()
        self.outcome.died = kernel_event_message(event)
        self.output.note(
            kernel_event_message(event) + " The next Run starts a new one.", style="bold red"
        )

    def on_kernel_restarted(self, event: KernelRestarted) -> None:
        self.flush()
        self.output.note(kernel_event_message(event), style="yellow")

    def on_done(self, event: RunFinished) -> None:
        screen = self.screen
        self.flush()
        self.outcome.finished = event
        self.output.write_block(render_finished(event, check=self.outcome.check))
        self.results.params.finish()
        self.results.loss.redraw_now()
        self.results.plots.redraw_now()
        self.results.inside.finish()
        if event.device and screen.device == "auto":
            screen.query_one(StatusBar).device = f"auto ({event.device})"

    def on_status(self, event: KernelStatus) -> None:
        self._on_status(event)

    def flush(self) -> None:
        """Hand the Output and Loss panes what the buffer allows now."""
        drained = self.buffer.drain()
        if not drained:
            return
        output = self.output
        if drained.dropped_lines:
            output.note(
                f"… {drained.dropped_lines:,} lines skipped (printed faster than they can be read)",
                style="yellow",
            )
        elif drained.dropped_chars:
            output.note(f"… {drained.dropped_chars:,} characters of output skipped", style="yellow")
        self.outcome.lines += drained.dropped_stdout_lines  # printed, if not shown
        for name, text in drained.streams:
            output.write_stream(name, text)
            self.outcome.saw_output(name, text)
        if drained.loss:
            self.results.loss.add(drained.loss)
