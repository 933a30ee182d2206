"""The screen's kernel session over its life: started, watched, restarted, shut down.

Everything here runs on Textual's event loop, in async workers of the screen,
so it may touch widgets directly. The kernel starts in a worker once the
results tabs exist; a failed start is said in Output and tried again by the
next Run. While the kernel is up, the session's ``watch`` runs in a worker
too, so a kernel that dies between Runs is shown as dead when it dies, with
the way out. Once the app quits, no kernel is started or restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING

from nnlearn.kernel.events import KernelDied, KernelInfo, KernelStatus
from nnlearn.kernel.runner import Session
from nnlearn.render import kernel_event_message
from nnlearn.render.sanitize import sanitize, sanitize_fields
from nnlearn.tui import keys
from nnlearn.tui.run_events import mounted_results
from nnlearn.tui.session_factory import RealSessionFactory, SessionFactory
from nnlearn.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from nnlearn.tui.screens.main import MainScreen
    from nnlearn.tui.widgets.output_log import OutputLog

WATCH_INTERVAL = 1.0


class SessionKeeper:
    """Owns the screen's session; ``busy`` says a Run is going on."""

    def __init__(
        self, screen: MainScreen, factory: SessionFactory | None, busy: Callable[[], bool]
    ) -> None:
        self.screen = screen
        self.factory = factory if factory is not None else RealSessionFactory()
        self.session: Session | None = None
        self._busy = busy
        self._ready = asyncio.Event()
        self._start_error: str | None = None
        self._shut_down = False  # the app is quitting: no kernel is started or restarted

    @property
    def started(self) -> bool:
        """The kernel's start has finished, well or not (a failed start is retried by Run)."""
        return self._ready.is_set()

    @property
    def info(self) -> KernelInfo | None:
        return self.session.info if self.session is not None else None

    @property
    def output(self) -> OutputLog:
        return mounted_results(self.screen).output

    def start(self) -> None:
        self.screen.run_worker(self._start(), group="kernel-start", exclusive=True)

    def on_status(self, status: KernelStatus) -> None:
        """The session's status report, on the status line (and a death between Runs said)."""
        status = sanitize_fields(status)
        bar = self.screen.query_one(StatusBar)
        was_idle = bar.state == "idle"
        bar.state = status.state
        bar.detail = status.detail
        if status.state == "dead" and was_idle and not self._busy():
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
            made = self.factory(on_status=self.on_status)
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

    async def session_for_run(self) -> Session | None:
        """The session, started (again) if need be; None if it could not start."""
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

    def interrupt(self) -> None:
        if not self._busy() or self.session is None:
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
        self.screen.say("Restarting the kernel…")  # Output may be hidden (a narrow screen)
        status = self.screen.query_one(StatusBar)
        try:
            await session.restart()
        except Exception as error:  # the working folder gone, an attached kernel: not the app's end
            message = sanitize(f"The kernel did not restart: {error}", keep_sgr=False)
            status.state, status.detail = "dead", message
            self.output.note(message, style="bold red")
            self.screen.say(message, "error")
            return
        if self.session is not session:
            return  # shut down while it restarted (ctrl+q right after F8): nothing to show
        status.state = session.state
        done = "The kernel restarted: everything defined in it is gone."
        self.output.note(done, style="yellow")
        self.screen.say(done)
