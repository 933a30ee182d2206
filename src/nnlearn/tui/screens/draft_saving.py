"""Keeping the learner's code on disk, and saying so when the disk refuses.

The editor's draft is saved when it settles and when the learner leaves the
step; the progress store's problems (a bad progress file, a full disk) are
shown as notifications, and code the disk refused is written again every
``SAVE_RETRY_SECONDS``. A mixin of ``MainScreen``, which provides ``lesson``,
``step``, ``store`` and ``say``.
"""

from __future__ import annotations

from typing import Any

from textual.notifications import SeverityLevel

from nnlearn.curriculum.progress import CANNOT_SAVE, SAVED_AGAIN
from nnlearn.tui.widgets.editor import CodeEditor

SAVE_RETRY_SECONDS = 10.0  # code the disk refused is written again this often


class DraftSaving:
    """Saves the editor's draft and reports the progress store's problems."""

    # Provided by MainScreen and its Screen base.
    lesson: Any
    step: Any
    store: Any
    say: Any
    notify: Any
    query_one: Any
    set_interval: Any

    def report_store_problems(self) -> None:
        """Show the problems found at start, and report (and retry) later ones."""
        for problem in getattr(self.store, "problems", []):
            if problem == getattr(self.store, "save_problem", None):
                self.notify(str(problem), title=CANNOT_SAVE, severity="error", timeout=15)
                continue
            self.notify(str(problem), title="Progress file problem", severity="warning", timeout=15)
        if hasattr(self.store, "on_problem"):  # later problems (a full disk, a bad draft) too
            self.store.on_problem = self._on_store_problem
            self.set_interval(SAVE_RETRY_SECONDS, self._retry_saving)

    def _on_store_problem(self, title: str, message: str) -> None:
        severity: SeverityLevel = "information" if title == SAVED_AGAIN else "error"
        self.notify(message, title=title, severity=severity, timeout=15)

    def _retry_saving(self) -> None:
        if self.store.has_unsaved:
            self.store.retry_unsaved()

    def save_draft(self) -> bool:
        """Save the editor's text as the current step's draft if it changed. Synchronous."""
        lesson, step = self.lesson, self.step
        if lesson is None or step is None:
            return False
        editor = self.query_one(CodeEditor)
        if not editor.is_dirty:
            return False
        code = editor.text
        try:
            self.store.save_draft(lesson.id, step.index, code)
        except OSError as error:
            self.say(f"Could not save your code: {error}", "error")
            return False
        editor.mark_saved(code)
        return True

    def on_code_editor_draft_settled(self, event: CodeEditor.DraftSettled) -> None:
        if event.code == event.editor.text:
            self.save_draft()
