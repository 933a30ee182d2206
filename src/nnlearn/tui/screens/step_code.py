"""Replacing the editor's code: reset to the starter, the solution, an example, earlier code.

Each asks or lets the learner choose first, and each keeps the code it
replaces as a backup that ``ctrl+e`` offers back, so nothing the learner
wrote is lost. A mixin of ``MainScreen``, which provides ``lesson``,
``step``, ``store``, ``narrow``, ``say`` and ``_show_pane``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nnlearn.tui.screens.code_picker import CodeChoice, CodePickerScreen, step_code_choices
from nnlearn.tui.screens.confirm import ConfirmScreen
from nnlearn.tui.widgets.editor import CodeEditor


class StepCodeActions:
    """ctrl+o (reset), ctrl+s (solution) and ctrl+e (examples and earlier code)."""

    # Provided by MainScreen and its Screen base.
    lesson: Any
    step: Any
    store: Any
    narrow: bool
    app: Any
    say: Any
    query_one: Any
    refresh_bindings: Any
    _show_pane: Any
    # Whether the step has earlier code to offer; kept here because the key bar asks often.
    has_backups: bool = False

    def _ask_to_replace(self, what: str, then: Callable[[bool | None], None]) -> None:
        question = (
            f"Replace the editor's code with {what}?\nYour own code is kept: ctrl+e brings it back."
        )
        self.app.push_screen(ConfirmScreen(question), then)

    def action_reset_code(self) -> None:
        step = self.step
        if step is None:
            return
        self._ask_to_replace("the step's starter code", self._apply_reset)

    def _apply_reset(self, confirmed: bool | None) -> None:
        step = self.step
        if confirmed and step is not None:
            self._replace_code(step.editor_code, "The starter code is in the editor")

    def action_solution(self) -> None:
        step = self.step
        if step is None or step.solution is None:
            self.say("This step has no solution to show.")
            return
        self._ask_to_replace("the solution", self._apply_solution)

    def _apply_solution(self, confirmed: bool | None) -> None:
        step = self.step
        if confirmed and step is not None and step.solution is not None:
            self._replace_code(step.solution.code, "The solution is in the editor")

    def _backups(self) -> list[Path]:
        lesson, step = self.lesson, self.step
        if lesson is None or step is None:
            return []
        try:
            return self.store.draft_backups(lesson.id, step.index)
        except OSError:
            return []

    def action_load_code(self) -> None:
        step = self.step
        if step is None:
            return
        choices = step_code_choices(step, self._backups())
        if not choices:
            self.say("This step has no examples and you have no earlier code here.")
            return
        self.app.push_screen(CodePickerScreen(choices), self._load_choice)

    def _load_choice(self, choice: CodeChoice | None) -> None:
        if choice is not None:
            self._replace_code(choice.code, f"Loaded {choice.label.split(':')[0]}")

    def _replace_code(self, code: str, what: str) -> None:
        """Put ``code`` in the editor; the code there now is kept as a backup first."""
        lesson, step = self.lesson, self.step
        if lesson is None or step is None:
            return
        editor = self.query_one(CodeEditor)
        if editor.text == code:
            self.say(f"{what}: it was already there.")
            return
        kept = ""
        # The store never raises on a write: code the disk refuses stays in memory and
        # is named at exit, so the editor may change either way.
        if editor.is_dirty:
            self.store.save_draft(lesson.id, step.index, editor.text)
            editor.mark_saved()
        backup = self.store.reset_draft(lesson.id, step.index)
        if backup is not None:
            kept = "; your code was kept (ctrl+e brings it back)"
        self.has_backups = bool(self._backups())
        self.refresh_bindings()
        editor.load_code(code)
        editor.focus()
        if self.narrow:
            self._show_pane("editor")
        if not self.store.save_draft(lesson.id, step.index, code):
            editor.mark_saved("")  # still unsaved: autosave and quitting try again
            self.say(f"{what}, but it could not be saved: {self.store.save_problem}", "warning")
            return
        self.say(f"{what}{kept}.", "success")
