"""``nnlearn run FILE``: the engine's reports without the TUI, for a quick look over SSH.

Output streams as it comes; shapes, parameters, the loss curve, the
``nnlearn.plot`` scatter and training seen from inside (gradient flow,
activations; off with ``--no-inside``) follow.
``--json`` prints one JSON object per line instead (the stable format in README).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from nnlearn.kernel.consumer import EventHandler
from nnlearn.kernel.events import (
    CheckResult,
    Event,
    InsideSample,
    KernelDied,
    KernelRestarted,
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
from nnlearn.kernel.runner import Session
from nnlearn.kernel.session import KernelError, KernelSession
from nnlearn.render import (
    LossSeries,
    PlotSeries,
    kernel_event_message,
    loss_plot,
    params_table,
    plot_summary,
    render_check,
    render_error,
    render_finished,
    scatter_plot,
    series_summary,
    shapes_table,
)
from nnlearn.render.cost import peak_memory_line
from nnlearn.render.inside import InsideHistory, inside_tables
from nnlearn.render.sanitize import SGR, sanitize, sanitize_fields

DEFAULT_DEPTH = 3
RESET_SGR = "\x1b[0m"
MORE_HINT = "Everything: nnlearn run FILE --all (or --depth N), or --json."


class TextReport(EventHandler):
    """Prints a run for people: streams now, tables and the plot at the end.

    The tables are bounded by the terminal (each at most a screen of rows) and by
    ``depth``, and repeated identical blocks are shown once; ``show_all`` prints
    every row, one per module or tensor.
    """

    def __init__(
        self,
        out: TextIO,
        console: Console,
        *,
        depth: int | None = DEFAULT_DEPTH,
        show_all: bool = False,
    ) -> None:
        self.out = out
        self.console = console
        self.depth = None if show_all else depth
        self.show_all = show_all
        self.shapes: Shapes | None = None
        self.params: list[Params] = []
        self.loss = LossSeries()
        self.plots = PlotSeries()
        self.inside = InsideHistory()
        self.messages: list[Any] = []
        self.finished: RunFinished | None = None
        self.memory: PeakMemory | None = None
        self.coloured: set[TextIO] = set()  # where the script's output had colours
        self.joiner = (
            PartJoiner()
        )  # a huge model's tables come in parts: the tables want them whole

    def handle(self, event: Event) -> None:
        if isinstance(event, (Shapes, Params)):
            gc.freeze()  # the report keeps these rows to the end: walking them is waste
            whole = self.joiner.add(event)
            if whole is None:
                return
            event = whole
        # Streams and errors are sanitised where they are written (a stream keeps its \r).
        super().handle(event if isinstance(event, (Stream, RunError)) else sanitize_fields(event))

    def on_stream(self, event: Stream) -> None:
        # The terminal would obey what the learner's code printed: only colours pass.
        stream = self.out if event.name == "stdout" else sys.stderr
        text = sanitize(event.text, keep_cr=True)
        if SGR.search(text):
            self.coloured.add(stream)
        stream.write(text)
        stream.flush()

    def _end_colours(self) -> None:
        """A colour (or concealed text) the script left on ends before our own report."""
        for stream in self.coloured:
            stream.write(RESET_SGR)
            stream.flush()
        self.coloured.clear()

    def on_shapes(self, event: Shapes) -> None:
        self.shapes = event

    def on_params(self, event: Params) -> None:
        self.params.append(event)

    def on_loss(self, event: LossPoints) -> None:
        self.loss.add(event)

    def on_plot(self, event: PlotPoints) -> None:
        self.plots.set(event)

    def on_error(self, event: RunError) -> None:
        self.messages.append(render_error(event))

    def on_check(self, event: CheckResult) -> None:
        self.messages.append(render_check(event))

    def on_kernel_died(self, event: KernelDied) -> None:
        self.messages.append(Text(kernel_event_message(event), style="bold red"))

    def on_kernel_restarted(self, event: KernelRestarted) -> None:
        self.messages.append(Text(kernel_event_message(event), style="bold red"))

    def on_done(self, event: RunFinished) -> None:
        self.finished = event

    def on_memory(self, event: PeakMemory) -> None:
        self.memory = event

    def on_inside(self, event: InsideSample) -> None:
        self.inside.add(event)

    def close(self) -> None:
        self._end_colours()
        console = self.console
        width, height = shutil.get_terminal_size((80, 24))
        max_rows = None if self.show_all else max(10, height - 6)
        group = not self.show_all
        if self.shapes is not None and self.shapes.rows:
            console.print(
                shapes_table(
                    self.shapes,
                    max_rows=max_rows,
                    max_depth=self.depth,
                    group=group,
                    more_hint=MORE_HINT,
                )
            )
        for params in self.params:
            console.print(
                params_table(
                    params,
                    max_rows=max_rows,
                    max_depth=self.depth,
                    group=group,
                    more_hint=MORE_HINT,
                )
            )
        plot_width, plot_height = max(20, min(width, 120)), max(8, min(height - 4, 20))
        color = console.color_system is not None
        if self.loss:
            plot = loss_plot(
                self.loss.as_dict(),
                plot_width,
                plot_height,
                color=color,
                dropped=self.loss.dropped,
            )
            console.print(series_summary(self.loss.as_dict()))
            self.out.write(plot + "\n")
        if self.plots:
            console.print(plot_summary(self.plots.events()))
            scatter = scatter_plot(self.plots.as_dict(), plot_width, plot_height, color=color)
            self.out.write(scatter + "\n")
        if self.memory is not None:
            console.print(Text(peak_memory_line(self.memory)))
        if self.inside:
            console.print(
                inside_tables(self.inside, max_rows=MAX_INSIDE_ROWS, loss=self.loss.points("loss"))
            )
        for message in self.messages:
            console.print(message)
        if self.finished is not None:
            console.print(render_finished(self.finished))


MAX_INSIDE_ROWS = 40


class JsonReport:
    """One JSON object per line, each with a ``kind``."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.finished: RunFinished | None = None

    def handle(self, event: Event) -> None:
        if isinstance(event, RunFinished):
            self.finished = event
        self.out.write(json.dumps(event.to_json(), allow_nan=False) + "\n")
        self.out.flush()

    def close(self) -> None:
        pass


INTERRUPTED_STATUS = 130  # 128 + SIGINT, as shells report a Ctrl+C
BROKEN_PIPE_STATUS = 141  # 128 + SIGPIPE, as shells report `| head` closing the pipe


def _say(text: str) -> None:
    """A line for the person at the terminal (stderr, which a closed stdout does not affect).

    Sanitised: it may hold a file name or the tail of the kernel's log.
    """
    with contextlib.suppress(OSError, ValueError):
        print(sanitize(text, keep_sgr=False), file=sys.stderr, flush=True)


async def run_file(
    path: Path,
    device: str,
    *,
    as_json: bool,
    connection_file: str | None = None,
    out: TextIO | None = None,
    script_args: list[str] | None = None,
    inside: bool = True,
    depth: int | None = DEFAULT_DEPTH,
    show_all: bool = False,
) -> int:
    """Run ``path`` like ``python path *script_args``; the exit status ``nnlearn run`` ends with.

    ``inside=False`` (``--no-inside``) turns off the sampling of gradients, updates
    and activations. Ctrl+C during the kernel's start stops at once; during the Run it interrupts the
    script, and a second Ctrl+C stops without waiting. A closed stdout (``| head``)
    stops the Run quietly. None of these print a traceback.
    """
    out = out or sys.stdout
    try:
        code = path.read_text(encoding="utf-8")
    except OSError as exc:
        _say(f"nnlearn: cannot read {path}: {exc.strerror}")
        return 2
    except UnicodeDecodeError:
        _say(f"nnlearn: {path} is not a UTF-8 text file")
        return 2
    reporter: TextReport | JsonReport = (
        JsonReport(out)
        if as_json
        else TextReport(out, Console(file=out, highlight=False), depth=depth, show_all=show_all)
    )
    # What is imported by now lives until exit: the cycle collector need not walk it
    # each time the reports of a huge model (tens of thousands of rows) are parsed.
    gc.freeze()
    # One script, then the kernel is gone: no warm-up that would only pay off later.
    session: Session = KernelSession(
        connection_file=connection_file, warm="lean", plain_output=not _is_terminal(out)
    )
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    interrupts = 0
    running = False

    def on_sigint() -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts == 1 and running:
            _say("\nnnlearn: interrupting… (Ctrl+C again to stop at once)")
            asyncio.ensure_future(session.interrupt())
        elif interrupts <= 2 and task is not None:
            _say("\nnnlearn: stopping…")
            task.cancel()

    status: int | None = None
    loop.add_signal_handler(signal.SIGINT, on_sigint)
    try:
        if not as_json:
            _say("nnlearn: starting the kernel…")
        await session.start()
        running = True
        events = session.run(
            code, device=device, path=str(path), argv=list(script_args or []), inside=inside
        )
        async with contextlib.aclosing(events):
            async for event in events:  # --json prints a huge report's parts as they come
                reporter.handle(event)
        running = False
        reporter.close()
    except asyncio.CancelledError:
        status = INTERRUPTED_STATUS
    except BrokenPipeError:
        status = BROKEN_PIPE_STATUS
    except KernelError as exc:
        _say(f"nnlearn: {exc}")
        status = 3
    finally:
        running = False
        with contextlib.suppress(BaseException):
            await session.shutdown()
        loop.remove_signal_handler(signal.SIGINT)
    if status is not None:
        if status == BROKEN_PIPE_STATUS:
            _quiet_stdout()
        return status
    if interrupts:
        return INTERRUPTED_STATUS
    return _exit_status(reporter.finished)


def _is_terminal(out: TextIO) -> bool:
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _exit_status(finished: RunFinished | None) -> int:
    if finished is None:
        return 1
    if finished.exit_code is not None:
        return finished.exit_code & 0xFF
    if finished.interrupted:
        return INTERRUPTED_STATUS
    return 0 if finished.ok else 1


def _quiet_stdout() -> None:
    """After a closed pipe, Python's own flush at exit must not complain again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
