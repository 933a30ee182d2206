"""NnlearnApp: the Textual application ``nnlearn`` opens, and ``run_app`` for the CLI.

The app is thin: it loads the lessons, makes the main screen with the
collaborators it was given (progress store, kernel session factory), holds the
app-wide keys (help, quit, command palette) and saves the learner's code when
the terminal goes away (SIGHUP) or the process is told to stop (SIGTERM).
Importing this module never imports torch.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from nnlearn.curriculum.cache import load_lessons_cached
from nnlearn.curriculum.model import LoadResult
from nnlearn.kernel.early_kernel import EarlyStart
from nnlearn.render.sanitize import sanitize, sanitize_fields
from nnlearn.tui import keys
from nnlearn.tui.screens.confirm import ConfirmScreen
from nnlearn.tui.screens.help import HelpScreen
from nnlearn.tui.screens.main import MainScreen
from nnlearn.tui.session_factory import RealSessionFactory, SessionFactory
from nnlearn.tui.widgets.editor import AUTOSAVE_DELAY

HARD_EXIT_AFTER = 5.0


QUIT_WHILE_RUNNING = "Your code is still running. Quit anyway? The Run stops; your code is saved."


class NnlearnApp(App[int]):
    """Lessons, an editor and live results, driven from the keyboard."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "nnlearn"
    BINDINGS = [
        Binding("f1", "help", "Help", priority=True),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        lessons_dir: Path,
        store,
        session_factory: SessionFactory | None = None,
        device: str | None = None,
        *,
        autosave_delay: float = AUTOSAVE_DELAY,
        lessons: LoadResult | None = None,
    ) -> None:
        super().__init__()
        self.lessons_dir = Path(lessons_dir)
        self.store = store
        self.session_factory = session_factory
        # --device wins; else the device last chosen with F7, kept in the progress file.
        saved = getattr(store, "device", lambda: None)()
        self.initial_device = device or saved or "auto"
        self.autosave_delay = autosave_delay
        if lessons is None:
            lessons = load_lessons_cached(self.lessons_dir, Path(store.home) / "cache")
        # Lesson folders are shared between people: nothing in them may drive the terminal.
        self.load_result = sanitize_fields(lessons)
        self._quitting = False
        self._quit_question: ConfirmScreen | None = None  # while a Run runs (action_quit)

    def get_default_screen(self) -> Screen:
        return MainScreen(
            self.load_result,
            self.store,
            self.session_factory,
            self.initial_device,
            autosave_delay=self.autosave_delay,
            lessons_dir_label=str(self.lessons_dir),
        )

    @property
    def main_screen(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("the main screen is not running")

    def on_mount(self) -> None:
        self._install_signal_handlers()

    def on_main_screen_first_frame(self) -> None:
        """``nnlearn`` turns the garbage collector off for start-up (see ``cli``): back on now."""
        if not gc.isenabled():
            # Nearly all that start-up made lives as long as the app, so later passes skip it.
            # Frozen cycles are never collected: at most the first step's widgets, once.
            gc.freeze()
            gc.enable()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast is plain, sanitised text: messages often quote learner code or output."""
        super().notify(
            sanitize(str(message), keep_sgr=False),
            title=sanitize(str(title), keep_sgr=False),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def get_key_display(self, binding: Binding) -> str:
        """F5 rather than Textual's f5, as the help screen and the docs write it."""
        shown = keys.pretty_key(binding.key)
        return shown if shown != binding.key else super().get_key_display(binding)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        if self._quitting:
            return
        running = self.main_screen.runner.running
        if running and self.screen is not self._quit_question:
            # A training run of many minutes is one key away from lost: ask (ctrl+q
            # again on this question, or y, quits; from any other question it asks).
            self._quit_question = ConfirmScreen(QUIT_WHILE_RUNNING)
            self.push_screen(self._quit_question, self._quit_if_yes)
            return
        await self._quit()

    async def _quit_if_yes(self, yes: bool | None) -> None:
        if yes:
            await self._quit()

    async def _quit(self) -> None:
        if self._quitting:
            return
        self._quitting = True
        main = self.main_screen
        main.save_draft()
        await main.runner.shutdown()
        self.exit(return_code=0)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main_screen
        for item in keys.MAIN_ACTIONS:
            namespace = self if item.action.startswith("app.") else main
            action = item.action.removeprefix("app.")
            yield SystemCommand(
                f"{item.label}: {item.help}",
                f"key: {item.key_text}",
                lambda action=action, namespace=namespace: self.run_action(action, namespace),
            )
        if main.results is not None:  # reachable whatever tab or step is on screen
            inside = main.results.inside
            yield SystemCommand(
                f"Inside sampling: turn {'off' if inside.enabled else 'on'}",
                "gradients, updates and activations in the next Runs (o in the Inside tab)",
                inside.action_toggle_inside,
            )

    # ------------------------------------------------------------- signals

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGTERM"):
            signum = getattr(signal, name, None)
            if signum is None:
                continue
            # Not available off the main thread or on some platforms: then no handler.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self._on_stop_signal, signum)

    def _on_stop_signal(self, signum: int) -> None:
        """Save the draft first and synchronously; then leave, by force if need be."""
        try:
            self.main_screen.save_draft()
        finally:
            code = 128 + signum
            timer = threading.Timer(HARD_EXIT_AFTER, os._exit, (code,))
            timer.daemon = True
            timer.start()
            self.run_worker(self._exit_after_signal(code), group="exit")

    async def _exit_after_signal(self, code: int) -> None:
        self._quitting = True
        await self.main_screen.runner.shutdown()
        self.exit(return_code=code)


def run_app(
    lessons_dir: Path | None,
    device: str | None,
    connection_file: Path | None = None,
    spare_kernel: bool | None = None,
    early: EarlyStart | None = None,
) -> int:
    """Open the app on ``lessons_dir`` (None: the bundled lessons). Returns the exit code.

    ``device`` None means the device last chosen in the app (else auto).
    ``connection_file`` attaches to a running Jupyter kernel instead of starting one.
    ``spare_kernel`` keeps a warm kernel for restarts (None: ``NNLEARN_SPARE_KERNEL``).
    ``early`` is the kernel the command launched before the app: the app adopts it,
    or stops it if the app ends first.
    """
    factory = RealSessionFactory(connection_file, spare=spare_kernel, early=early)
    try:
        return _run_app(lessons_dir, device, factory)
    finally:
        factory.discard_early()


def _run_app(lessons_dir: Path | None, device: str | None, factory: RealSessionFactory) -> int:
    from nnlearn.curriculum.bundled import bundled_lessons_dir
    from nnlearn.curriculum.progress import ProgressStore

    folder = lessons_dir if lessons_dir is not None else bundled_lessons_dir()
    if not folder.is_dir():
        print(sanitize(f"nnlearn: lessons folder not found: {folder}", keep_sgr=False))
        return 2
    store = ProgressStore()
    app = NnlearnApp(folder, store, session_factory=factory, device=device)
    try:
        app.run()
    finally:
        unsaved = store.unsaved_report()  # the disk said no: say where the code is
        if unsaved:
            print(sanitize(unsaved, keep_sgr=False), file=sys.stderr)
    return app.return_code or 0
