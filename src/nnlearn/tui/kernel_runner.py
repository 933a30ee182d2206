"""Drive the kernel for the main screen: start it, run code, route events to the panes.

Everything here runs on Textual's event loop, in async workers of the screen,
so it may touch widgets directly. Fast events (output, loss points) go into a
``RunBuffer`` that a 10 Hz timer drains; the rest are routed as they come.
The session is made by an injected factory, so tests use a fake kernel.
While the kernel is up, the session's ``watch`` runs in a worker too, so a
kernel that dies between Runs is shown as dead when it dies, with the way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from nnlearn.kernel.consumer import EventHandler
from nnlearn.kernel.early_kernel import EarlyStart
from nnlearn.kernel.events import (
    CheckResult,
    Event,
    InsideSample,
    KernelDied,
    KernelInfo,
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
from nnlearn.kernel.runner import Session
from nnlearn.kernel.spare import spare_wanted
from nnlearn.render import kernel_event_message, render_check, render_error, render_finished
from nnlearn.render.sanitize import sanitize, sanitize_fields
from nnlearn.tui import keys
from nnlearn.tui.run_buffer import RunBuffer
from nnlearn.tui.run_outcome import RunOutcome
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.timer import Timer

    from nnlearn.tui.screens.main import MainScreen
    from nnlearn.tui.widgets.output_log import OutputLog
    from nnlearn.tui.widgets.results_tabs import ResultsTabs

FLUSH_INTERVAL = 0.1
WATCH_INTERVAL = 1.0


# Called as factory(on_status=callback); returns a session, or an awaitable of one.
# KernelSession itself (or a test's fake class) is such a factory.
SessionFactory = Callable[..., "Session | Awaitable[Session]"]


class RealSessionFactory:
    """Makes real KernelSessions, importing jupyter_client (zmq, tornado) off the event loop.

    The import takes a noticeable fraction of a second, so it happens in a thread
    after the first frame is on screen, never at app import. ``early`` is the kernel
    ``nnlearn`` launched before the app (``kernel/early_kernel.py``): the first
    session adopts it.
    """

    def __init__(
        self,
        connection_file: Path | None = None,
        spare: bool | None = None,
        early: EarlyStart | None = None,
    ) -> None:
        self.connection_file = connection_file
        self.spare = spare  # a spare kernel for restarts; None: NNLEARN_SPARE_KERNEL decides
        self.early = early

    async def __call__(self, on_status: Callable[[KernelStatus], None]) -> Session:
        module = await asyncio.to_thread(importlib.import_module, "nnlearn.kernel.session")
        early, self.early = self.early, None
        return module.KernelSession(
            connection_file=self.connection_file,
            on_status=on_status,
            spare=spare_wanted(self.spare),
            early=early,
        )

    def discard_early(self) -> None:
        """Stop the early kernel if no session took it (the app ended before its start)."""
        early, self.early = self.early, None
        if early is not None and early.kernel is not None:
            early.kernel.discard()


class KernelRunner(EventHandler):
    """Owns the session of one screen and the workers that use it; routes a Run's events."""

    def __init__(self, screen: MainScreen, factory: SessionFactory | None) -> None:
        self.screen = screen
        self.factory = factory if factory is not None else RealSessionFactory()
        self.session: Session | None = None
        self.running = False
        self.buffer = RunBuffer()
        self._ready = asyncio.Event()
        self._start_error: str | None = None
        self._flush_timer: Timer | None = None
        self._outcome = RunOutcome()
        self._target: tuple[str, int] | None = None  # the exercise the current Run checks
        self._joiner = PartJoiner()  # a huge model's tables come in parts: route them whole
        self._shut_down = False  # the app is quitting: no kernel is started or restarted

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
        bar = self.screen.query_one(StatusBar)
        was_idle = bar.state == "idle"
        bar.state = status.state
        bar.detail = status.detail
        if status.state == "dead" and was_idle and not self.running:
            # Found by the session's watch: no Run is there to report it.
            self._say_died_while_idle(status.detail)

    def _say_died_while_idle(self, reason: str) -> None:
        message = kernel_event_message(KernelDied(reason or "it stopped answering"))
        run_key = keys.find("run").key_text
        restart_key = keys.find("restart_kernel").key_text
        way_out = (
            f"Everything defined in it is gone: {run_key} runs your code in a new one, "
            f"{restart_key} starts a new one now."
        )
        with contextlib.suppress(RuntimeError):  # the results tabs are not mounted yet
            self.output.note(f"{message} {way_out}", style="bold red")
        self.screen.say(f"{message} {run_key} or {restart_key} starts a new one.", "error")

    async def _watch(self, session: Session) -> None:
        """Until the session stops: a kernel that dies between Runs is reported at once."""
        with contextlib.suppress(Exception):  # watching must never end the app
            await session.watch(WATCH_INTERVAL)

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
            note = getattr(self.session, "start_note", None)  # a real session's, if any
            if note:
                self.output.note(sanitize(note, keep_sgr=False), style="yellow")
            status.state = self.session.state
            self.screen.kernel_ready(self.session.info)
            self.screen.run_worker(self._watch(self.session), group="kernel-watch", exclusive=True)

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
        self._shut_down = True
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
        results.inside.reset()
        results.active = "tab-output"  # the tab follows the run: Loss once a loss appears
        self._outcome = RunOutcome(checking=check is not None)
        self._target = target
        self.output.note("Checking your code…" if check else f"Running on {device}…")
        screen.say("Checking your code…" if check else f"Running on {device}…")
        status.run_started()
        summary = ""
        if self._flush_timer is not None:
            self._flush_timer.resume()
        try:
            session = await self._session_for_run()
            if session is None:
                summary = "kernel did not start"
                screen.say("The kernel did not start: see Output.", "error")
                return
            self._joiner = PartJoiner()  # a new Run: no parts left from the last one
            events = session.run(code, device=device, check=check, inside=results.inside.enabled)
            async for event in events:
                self.handle(event)
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
            if self._flush_timer is not None:
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
        if not self._outcome.loss_seen:
            self._outcome.loss_seen = True
            if self._outcome.error is None:
                self.results.active = "tab-loss"

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
        self._outcome.error = event
        self.output.write_block(render_error(event))
        screen.show_results_tab("tab-output")
        if event.line is not None:
            screen.query_one(CodeEditor).mark_error(event.line)
            if not screen.narrow:
                screen.query_one(CodeEditor).focus()

    def on_check(self, event: CheckResult) -> None:
        self.flush()
        self._outcome.check = event
        self.output.write_block(render_check(event))
        if not event.ok:
            self.results.active = "tab-output"
        if self._target is not None:
            self.screen.record_check(self._target[0], self._target[1], event)

    def on_kernel_died(self, event: KernelDied) -> None:
        self.flush()
        self._outcome.died = kernel_event_message(event)
        self.output.note(
            kernel_event_message(event) + " The next Run starts a new one.", style="bold red"
        )

    def on_kernel_restarted(self, event: KernelRestarted) -> None:
        self.flush()
        self.output.note(kernel_event_message(event), style="yellow")

    def on_done(self, event: RunFinished) -> None:
        screen = self.screen
        self.flush()
        self._outcome.finished = event
        self.output.write_block(render_finished(event, check=self._outcome.check))
        self.results.params.finish()
        self.results.loss.redraw_now()
        self.results.plots.redraw_now()
        self.results.inside.finish()
        if event.device and screen.device == "auto":
            screen.query_one(StatusBar).device = f"auto ({event.device})"

    def on_status(self, event: KernelStatus) -> None:
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
        if self._shut_down:
            return
        session = self.session
        if session is None or self._start_error is not None:
            await self._start()
            return
        self.output.note("Restarting the kernel…", style="yellow")
        await session.restart()
        if self.session is not session:
            return  # shut down while it restarted (ctrl+q right after F8): nothing to show
        self.screen.query_one(StatusBar).state = session.state
        self.output.note("The kernel restarted: everything defined in it is gone.", style="yellow")
