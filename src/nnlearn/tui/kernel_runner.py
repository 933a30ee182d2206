"""Drive the kernel for the main screen: start it, run code, route events to the panes.

Everything here runs on Textual's event loop, in async workers of the screen,
so it may touch widgets directly. Fast events (output, loss points) go into a
``RunBuffer`` that a 10 Hz timer drains; the rest are routed as they come.
The session is made by an injected factory, so tests use a fake kernel.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from nnlearn.kernel.events import (
    CheckResult,
    Event,
    KernelDied,
    KernelInfo,
    KernelRestarted,
    KernelStatus,
    LossPoints,
    Params,
    PlotPoints,
    RunError,
    RunFinished,
    Shapes,
    Stream,
)
from nnlearn.kernel.parts import PartJoiner
from nnlearn.render import kernel_event_message, render_check, render_error, render_finished
from nnlearn.render.sanitize import sanitize, sanitize_fields
from nnlearn.tui import keys
from nnlearn.tui.run_buffer import RunBuffer
from nnlearn.tui.run_outcome import RunOutcome
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from nnlearn.tui.screens.main import MainScreen
    from nnlearn.tui.widgets.output_log import OutputLog
    from nnlearn.tui.widgets.results_tabs import ResultsTabs

FLUSH_INTERVAL = 0.1


class Session(Protocol):
    """What the TUI needs of ``nnlearn.kernel.session.KernelSession``."""

    info: KernelInfo | None
    state: str

    async def start(self) -> None: ...
    def run(
        self, code: str, device: str = "auto", check: str | None = None
    ) -> AsyncIterator[Event]: ...
    async def interrupt(self) -> None: ...
    async def restart(self) -> None: ...
    async def shutdown(self) -> None: ...


# Called as factory(on_status=callback); returns a session, or an awaitable of one.
# KernelSession itself (or a test's fake class) is such a factory.
SessionFactory = Callable[..., "Session | Awaitable[Session]"]


class RealSessionFactory:
    """Makes real KernelSessions, importing jupyter_client (zmq, tornado) off the event loop.

    The import takes a noticeable fraction of a second, so it happens in a thread
    after the first frame is on screen, never at app import.
    """

    def __init__(self, connection_file: Path | None = None) -> None:
        self.connection_file = connection_file

    async def __call__(self, on_status: Callable[[KernelStatus], None]) -> Session:
        module = await asyncio.to_thread(importlib.import_module, "nnlearn.kernel.session")
        return module.KernelSession(connection_file=self.connection_file, on_status=on_status)


class KernelRunner:
    """Owns the session of one screen and the workers that use it."""

    def __init__(self, screen: MainScreen, factory: SessionFactory | None) -> None:
        self.screen = screen
        self.factory = factory if factory is not None else RealSessionFactory()
        self.session: Session | None = None
        self.running = False
        self.buffer = RunBuffer()
        self._ready = asyncio.Event()
        self._start_error: str | None = None
        self._flush_timer = None
        self._outcome = RunOutcome()

    @property
    def started(self) -> bool:
        """The kernel's start has finished, well or not (a failed start is retried by Run)."""
        return self._ready.is_set()

    @property
    def info(self) -> KernelInfo | None:
        return self.session.info if self.session is not None else None

    # ------------------------------------------------------------ lifecycle

    def start_kernel(self) -> None:
        self._flush_timer = self.screen.set_interval(FLUSH_INTERVAL, self.flush, pause=True)
        self.screen.run_worker(self._start(), group="kernel-start", exclusive=True)

    def _on_status(self, status: KernelStatus) -> None:
        status = sanitize_fields(status)
        self.screen.query_one(StatusBar).state = status.state
        self.screen.query_one(StatusBar).detail = status.detail

    async def _start(self) -> None:
        self._ready.clear()
        self._start_error = None
        status = self.screen.query_one(StatusBar)
        status.state = "starting"
        try:
            made = self.factory(on_status=self._on_status)
            self.session = await made if inspect.isawaitable(made) else made
            await self.session.start()
        except Exception as error:  # the kernel failing to start must not end the app
            self._start_error = sanitize(f"{type(error).__name__}: {error}", keep_sgr=False)
            status.state = "dead"
            status.detail = self._start_error
            self.output.note(f"The kernel did not start: {self._start_error}", style="bold red")
        finally:
            self._ready.set()
        if self.session is not None and self._start_error is None:
            status.state = self.session.state
            self.screen.kernel_ready(self.session.info)

    async def _session_for_run(self) -> Session | None:
        if not self._ready.is_set():
            self.output.note("Waiting for the kernel to finish starting (importing torch)…")
        await self._ready.wait()
        if self.session is None or self._start_error is not None:
            self.output.note("Starting the kernel again…", style="yellow")
            await self._start()
            if self._start_error is not None:
                return None
        # A dead kernel is restarted by the session's own run(), which says so with an event.
        return self.session

    async def shutdown(self) -> None:
        """Stop the kernel (once); a stuck kernel gets five seconds, then is left behind."""
        session, self.session = self.session, None
        if session is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(session.shutdown(), timeout=5)

    # ----------------------------------------------------------------- runs

    @property
    def results(self) -> ResultsTabs:
        """The screen's results tabs; the kernel starts (and runs begin) only once they exist."""
        results = self.screen.results
        if results is None:
            raise RuntimeError("the results tabs are not mounted yet")
        return results

    @property
    def output(self) -> OutputLog:
        return self.results.output

    def run(
        self, code: str, device: str, check: str | None, target: tuple[str, int] | None = None
    ) -> None:
        if self.running:
            self.screen.say("Code is already running: F6 stops it.", "warning")
            return
        self.screen.save_draft()
        self.running = True
        here = self.screen.lesson, self.screen.step
        place = (here[0].id, here[1].index) if here[0] and here[1] else None
        self.screen.run_worker(
            self._run(code, device, check, target, place), group="run", exclusive=True
        )

    async def _run(
        self,
        code: str,
        device: str,
        check: str | None,
        target: tuple[str, int] | None,
        place: tuple[str, int] | None = None,
    ) -> None:
        screen = self.screen
        results = await screen.wait_for_results()
        status = screen.query_one(StatusBar)
        editor = screen.query_one(CodeEditor)
        editor.clear_error()
        results.output.clear_output()
        results.shapes.reset()
        results.params.reset()
        results.loss.reset()
        results.plots.reset()
        results.active = "tab-output"  # the tab follows the run: Loss once a loss appears
        self._outcome = RunOutcome(checking=check is not None)
        self.output.note("Checking your code…" if check else f"Running on {device}…")
        screen.say("Checking your code…" if check else f"Running on {device}…")
        status.run_started()
        summary = ""
        self._flush_timer.resume()
        try:
            session = await self._session_for_run()
            if session is None:
                summary = "kernel did not start"
                screen.say("The kernel did not start: see Output.", "error")
                return
            joiner = PartJoiner()  # a huge model's tables come in parts: route them whole
            async for part in session.run(code, device=device, check=check):
                event = joiner.add(part)
                if event is not None:
                    self._route(event, target)
                if isinstance(event, RunFinished):
                    summary = self._finished_summary(event)
                await asyncio.sleep(0)  # a flood of ready messages must not starve the keys
        except Exception as error:
            self.flush()
            self.output.note(
                f"The run could not finish: {type(error).__name__}: {error}", style="bold red"
            )
            summary = "run failed"
            screen.say(f"The run could not finish: {type(error).__name__}: {error}", "error")
        finally:
            self._flush_timer.pause()
            self.flush()
            self.output.flush_partial()
            self.running = False
            status.run_finished(summary)
            if self._outcome.finished is not None:
                screen.say(*self._outcome.feedback(keys.find("next_tab").key_text))
                if place is not None and self._outcome.finished.ok:
                    screen.record_run(*place)
            if self.session is not None:
                status.state = self.session.state

    def _finished_summary(self, done: RunFinished) -> str:
        if done.interrupted:
            return f"interrupted after {done.seconds:.2f}s"
        check = self._outcome.check
        if check is not None:
            return f"check {'passed' if check.ok else 'failed'} in {done.seconds:.2f}s"
        return f"last run {'ok' if done.ok else 'failed'} in {done.seconds:.2f}s"

    def _route(self, event: Event, target: tuple[str, int] | None) -> None:
        screen = self.screen
        if isinstance(
            event, (LossPoints, PlotPoints)
        ):  # thousands of numbers: only the name is text
            name = sanitize(event.series, keep_sgr=False)
            if name != event.series:
                event = dataclasses.replace(event, series=name)
        elif not isinstance(event, (Stream, RunError)):  # those two are sanitised where drawn
            event = sanitize_fields(event)
        if isinstance(event, Stream):
            self.buffer.add_stream(event.name, event.text)
        elif isinstance(event, LossPoints):
            self.buffer.add_loss(event)
            if not self._outcome.loss_seen:
                self._outcome.loss_seen = True
                if self._outcome.error is None:
                    self.results.active = "tab-loss"
        elif isinstance(event, PlotPoints):
            self.results.plots.set(event)
        elif isinstance(event, Shapes):
            self.results.shapes.show(event)
        elif isinstance(event, Params):
            self.results.params.add(event)
        elif isinstance(event, RunError):
            self.flush()
            self._outcome.error = event
            self.output.write_block(render_error(event))
            screen.show_results_tab("tab-output")
            if event.line is not None:
                screen.query_one(CodeEditor).mark_error(event.line)
                if not screen.narrow:
                    screen.query_one(CodeEditor).focus()
        elif isinstance(event, CheckResult):
            self.flush()
            self._outcome.check = event
            self.output.write_block(render_check(event))
            if not event.ok:
                self.results.active = "tab-output"
            if target is not None:
                screen.record_check(target[0], target[1], event)
        elif isinstance(event, KernelDied):
            self.flush()
            self._outcome.died = kernel_event_message(event)
            self.output.note(
                kernel_event_message(event) + " The next Run starts a new one.", style="bold red"
            )
        elif isinstance(event, KernelRestarted):
            self.flush()
            self.output.note(kernel_event_message(event), style="yellow")
        elif isinstance(event, RunFinished):
            self.flush()
            self._outcome.finished = event
            self.output.write_block(render_finished(event, check=self._outcome.check))
            self.results.params.finish()
            self.results.loss.redraw_now()
            self.results.plots.redraw_now()
            if event.device and screen.device == "auto":
                screen.query_one(StatusBar).device = f"auto ({event.device})"
        elif isinstance(event, KernelStatus):
            self._on_status(event)

    def flush(self) -> None:
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
        for name, text in drained.streams:
            output.write_stream(name, text)
            self._outcome.saw_output(name, text)
        if drained.loss:
            self.results.loss.add(drained.loss)

    # ------------------------------------------------------------- controls

    def interrupt(self) -> None:
        if not self.running or self.session is None:
            self.screen.say("Nothing is running.")
            return
        self.output.note("Interrupting…", style="yellow")
        self.screen.run_worker(self.session.interrupt(), group="kernel-control")

    def restart(self) -> None:
        self.screen.run_worker(self._restart(), group="kernel-control", exclusive=True)

    async def _restart(self) -> None:
        await self._ready.wait()
        if self.session is None or self._start_error is not None:
            await self._start()
            return
        self.output.note("Restarting the kernel…", style="yellow")
        await self.session.restart()
        self.screen.query_one(StatusBar).state = self.session.state
        self.output.note("The kernel restarted: everything defined in it is gone.", style="yellow")
