"""``nnlearn run FILE``: the engine's reports without the TUI, for a quick look over SSH.

Output streams as it comes; shapes, parameters and the loss curve follow.
``--json`` prints one JSON object per line instead (the stable format in README).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import sys
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from nnlearn.kernel.events import (
    CheckResult,
    Event,
    KernelDied,
    KernelRestarted,
    LossPoints,
    Params,
    RunError,
    RunFinished,
    Shapes,
    Stream,
)
from nnlearn.kernel.session import KernelError, KernelSession
from nnlearn.render import (
    LossSeries,
    kernel_event_message,
    loss_plot,
    params_table,
    render_check,
    render_error,
    render_finished,
    series_summary,
    shapes_table,
)


class TextReport:
    """Prints a run for people: streams now, tables and the plot at the end."""

    def __init__(self, out: TextIO, console: Console) -> None:
        self.out = out
        self.console = console
        self.shapes: Shapes | None = None
        self.params: list[Params] = []
        self.loss = LossSeries()
        self.messages: list[Any] = []
        self.finished: RunFinished | None = None

    def handle(self, event: Event) -> None:
        if isinstance(event, Stream):
            stream = self.out if event.name == "stdout" else sys.stderr
            stream.write(event.text)
            stream.flush()
        elif isinstance(event, Shapes):
            self.shapes = event
        elif isinstance(event, Params):
            self.params.append(event)
        elif isinstance(event, LossPoints):
            self.loss.add(event)
        elif isinstance(event, RunError):
            self.messages.append(render_error(event))
        elif isinstance(event, CheckResult):
            self.messages.append(render_check(event))
        elif isinstance(event, (KernelDied, KernelRestarted)):
            self.messages.append(Text(kernel_event_message(event), style="bold red"))
        elif isinstance(event, RunFinished):
            self.finished = event

    def close(self) -> None:
        console = self.console
        if self.shapes is not None and self.shapes.rows:
            console.print(shapes_table(self.shapes))
        for params in self.params:
            console.print(params_table(params))
        if self.loss:
            width, height = shutil.get_terminal_size((80, 24))
            plot = loss_plot(
                self.loss.as_dict(),
                max(20, min(width, 120)),
                max(8, min(height - 4, 20)),
                color=console.color_system is not None,
                dropped=self.loss.dropped,
            )
            console.print(series_summary(self.loss.as_dict()))
            self.out.write(plot + "\n")
        for message in self.messages:
            console.print(message)
        if self.finished is not None:
            console.print(render_finished(self.finished))


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


async def run_file(
    path: Path,
    device: str,
    *,
    as_json: bool,
    connection_file: str | None = None,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    try:
        code = path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"nnlearn: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"nnlearn: {path} is not a UTF-8 text file", file=sys.stderr)
        return 2
    reporter: TextReport | JsonReport = (
        JsonReport(out) if as_json else TextReport(out, Console(file=out, highlight=False))
    )
    # One script, then the kernel is gone: no warm-up that would only pay off later.
    session = KernelSession(connection_file=connection_file, warm="lean")
    loop = asyncio.get_running_loop()
    interrupted = False

    def on_sigint() -> None:
        nonlocal interrupted
        interrupted = True
        print("\nnlearn: interrupting the run (Ctrl+C again to force)…", file=sys.stderr)
        loop.add_signal_handler(signal.SIGINT, lambda: loop.stop())
        asyncio.ensure_future(session.interrupt())

    try:
        if not as_json:
            print("nnlearn: starting the kernel…", file=sys.stderr, flush=True)
        await session.start()
        loop.add_signal_handler(signal.SIGINT, on_sigint)
        async for event in session.run(code, device=device):
            reporter.handle(event)
    except KernelError as exc:
        print(f"nnlearn: {exc}", file=sys.stderr)
        return 3
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        reporter.close()
        await session.shutdown()
    if interrupted:
        return 130
    return 0 if reporter.finished is not None and reporter.finished.ok else 1
