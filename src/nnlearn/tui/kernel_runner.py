"""Drive the kernel for the main screen: a Run from key press to feedback line.

``KernelRunner`` is what the screen talks to. It owns the Run (one at a time,
in an async worker of the screen, so it may touch widgets directly) and the
10 Hz timer that drains the Run's buffered output; the session's life cycle is
``SessionKeeper``'s (``session_keeper.py``) and the routing of each event to
its pane ``RunEvents``' (``run_events.py``). The session is made by an
injected factory (``session_factory.py``), so tests use a fake kernel.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from nnlearn.kernel.events import Event, KernelInfo, RunFinished
from nnlearn.kernel.runner import Session
from nnlearn.tui import course, keys
from nnlearn.tui.run_buffer import RunBuffer
from nnlearn.tui.run_events import RunEvents
from nnlearn.tui.session_factory import RealSessionFactory, SessionFactory
from nnlearn.tui.session_keeper import SessionKeeper
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.timer import Timer

    from nnlearn.tui.screens.main import MainScreen

__all__ = ["KernelRunner", "RealSessionFactory", "SessionFactory"]

FLUSH_INTERVAL = 0.1


class KernelRunner:
    """Owns the session of one screen (through its keeper) and runs code on it."""

    def __init__(self, screen: MainScreen, factory: SessionFactory | None) -> None:
        self.screen = screen
        self.running = False
        self.keeper = SessionKeeper(screen, factory, busy=lambda: self.running)
        self.events = RunEvents(screen, on_status=self.keeper.on_status)
        self._flush_timer: Timer | None = None

    @property
    def session(self) -> Session | None:
        return self.keeper.session

    @property
    def started(self) -> bool:
        """The kernel's start has finished, well or not (a failed start is retried by Run)."""
        return self.keeper.started

    @property
    def info(self) -> KernelInfo | None:
        return self.keeper.info

    @property
    def buffer(self) -> RunBuffer:
        return self.events.buffer

    def start_kernel(self) -> None:
        self._flush_timer = self.screen.set_interval(FLUSH_INTERVAL, self.flush, pause=True)
        self.keeper.start()

    async def shutdown(self) -> None:
        """Stop the kernel (once); a stuck kernel gets five seconds, then is left behind."""
        await self.keeper.shutdown()

    def interrupt(self) -> None:
        self.keeper.interrupt()

    def restart(self) -> None:
        self.keeper.restart()

    def handle(self, event: Event) -> None:
        """Route one event of the Run to its pane (``RunEvents.handle``)."""
        self.events.handle(event)

    def flush(self) -> None:
        self.events.flush()

    def run(
        self, code: str, device: str, check: str | None, target: tuple[str, int] | None = None
    ) -> None:
        if self.running:
            self.screen.say("Code is already running: F6 stops it.", "warning")
            return
        self.screen.save_draft()
        self.running = True
        self.screen.run_worker(
            self._run(code, device, check, target, self.screen.place), group="run", exclusive=True
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
        results.start_run(place, code)
        self.events.begin(checking=check is not None, target=target)
        # "auto (cpu)" once a Run has shown what auto picks: the status line's words.
        starting = "Checking your code…" if check else f"Running on {status.device}…"
        results.output.note(starting)
        screen.say(starting)
        status.run_started()
        summary = ""
        if self._flush_timer is not None:
            self._flush_timer.resume()
        try:
            session = await self.keeper.session_for_run()
            if session is None:
                summary = "kernel did not start"
                screen.say("The kernel did not start: see Output.", "error")
                return
            events = session.run(code, device=device, check=check, inside=results.inside.enabled)
            async for event in events:
                self.handle(event)
                if isinstance(event, RunFinished):
                    summary = self.events.summary(event)
                await asyncio.sleep(0)  # a flood of ready messages must not starve the keys
        except Exception as error:
            self.flush()
            results.output.note(
                f"The run could not finish: {type(error).__name__}: {error}", style="bold red"
            )
            summary = "run failed"
            screen.say(f"The run could not finish: {type(error).__name__}: {error}", "error")
        finally:
            if self._flush_timer is not None:
                self._flush_timer.pause()
            self.flush()
            results.output.flush_partial()
            self.running = False
            status.run_finished(summary)
            outcome = self.events.outcome
            if outcome.finished is not None:
                step_name = ""
                if place is not None and place != screen.place:  # the learner moved on
                    step_name = course.step_name(screen.lessons, place, screen.place)
                screen.say(*outcome.feedback(keys.find("next_tab").key_text, step_name))
                if place is not None and outcome.finished.ok:
                    screen.record_run(*place)
            if self.session is not None:
                status.state = self.session.state
