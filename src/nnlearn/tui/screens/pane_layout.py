"""Which of the main screen's panes show, for the terminal's width, and the results tabs.

Wide terminals (120 columns or more) show the lesson beside the editor with
the results under it; narrower ones show one pane at a time, switched with F3
and named in the bar at the top; the key bar puts the shown pane's keys first.
When the results come up without F3 (F4, or a Run that failed), F3 goes back
to the pane the learner was in, and the bar says so where that is not the
next pane anyway: leaving a traceback for the editor is one key, not a walk
round every pane. Moving to a step with no results of its own while the
results show brings up that step's text: an empty pane is nothing to read.
The results tabs are mounted just after the first frame. ``MainScreen`` is
built on this class and keeps the course and run logic to itself.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual.screen import Screen
from textual.widget import MountError
from textual.widgets import Static

from nnlearn.tui import keys
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.feedback_line import FeedbackLine
from nnlearn.tui.widgets.key_bar import KeyBar
from nnlearn.tui.widgets.lesson_pane import LessonPane

if TYPE_CHECKING:
    from nnlearn.tui.widgets.results_tabs import ResultsTabs

PANES = ("lesson", "editor", "results")
PANE_TITLES = {"lesson": "Lesson", "editor": "Editor", "results": "Results"}
WIDE_MIN_WIDTH = 120


class PaneLayout(Screen[None]):
    """Pane switching (narrow), the pane bar, and the lazily mounted results tabs."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_MIN_WIDTH, "-wide")]

    def __init__(self) -> None:
        super().__init__()
        self.pane = "editor"
        self.back_to: str | None = None  # the pane F3 returns to from results it did not open
        self.results: ResultsTabs | None = None  # mounted just after the first frame
        self._results_mounted = asyncio.Event()

    @property
    def narrow(self) -> bool:
        return self.app.size.width < WIDE_MIN_WIDTH

    def set_layout_classes(self) -> None:
        """Called from compose: classes set later would restyle every widget on the screen."""
        narrow = self.narrow
        self.pane = "lesson" if narrow else "editor"
        self.set_class(narrow, "-narrow", update=False)
        self.set_class(not narrow, "-wide", update=False)
        self.set_class(True, f"-pane-{self.pane}", update=False)

    def on_resize(self) -> None:
        self._show_pane(self.pane)

    def _show_pane(self, pane: str) -> None:
        self.pane = pane
        if pane != "results":
            self.back_to = None
        for name in PANES:
            self.set_class(name == pane, f"-pane-{name}")
        bar = Text(" F3 ", style="reverse")
        for name in PANES:
            bar.append(" ")
            if name == pane:
                bar.append(f"[{PANE_TITLES[name]}]", style="bold")
            else:
                bar.append(f" {PANE_TITLES[name]} ", style="dim")
        if self.back_to is not None and self.back_to != _following(pane):
            bar.append(f"   F3 goes back to {PANE_TITLES[self.back_to]}")
        self.query_one("#pane-bar", Static).update(bar)
        self.query_one(KeyBar).first_actions = keys.key_bar_order(pane)
        for line in self.query(FeedbackLine):  # "F4 shows Output" only while it is hidden
            line.show_key_hint(self.narrow and pane != "results")

    def _focus_pane(self, pane: str) -> None:
        self._show_pane(pane)
        if pane == "editor":
            self.query_one(CodeEditor).focus()
        elif pane == "lesson":
            self.query_one(LessonPane).focus()
        elif self.results is not None:
            self.results.focus_active_view()

    def _peek_at_results(self) -> None:
        """Show the results pane (narrow), with F3 leading back to the pane shown now."""
        if self.pane != "results":
            self.back_to = self.pane
        self._focus_pane("results")

    def leave_empty_results(self, step_has_results: bool) -> None:
        """Narrow: a new step with no results of its own opens on its text, not on an empty pane.

        Going back to the step whose Run the tabs hold keeps them on screen.
        """
        if self.narrow and self.pane == "results" and not step_has_results:
            self._focus_pane("lesson")

    def action_next_pane(self) -> None:
        if self.pane == "results" and self.back_to is not None:
            self._focus_pane(self.back_to)
        else:
            self._focus_pane(_following(self.pane))

    # ------------------------------------------------------------ results

    async def mount_results(self) -> bool:
        """Mount the results tabs under the editor; False if the screen is already closing."""
        # Imported here, not at the top: it brings plotext, a tenth of a second of start-up.
        from nnlearn.tui.widgets.results_tabs import ResultsTabs

        results = ResultsTabs(id="results")
        try:
            await self.query_one("#work-column").mount(results)
        except MountError:  # the app is closing already (quit at once)
            return False
        self.results = results
        self._results_mounted.set()
        if self.pane == "results":
            results.focus_active_view()
        return True

    async def wait_for_results(self) -> ResultsTabs:
        await self._results_mounted.wait()
        assert self.results is not None
        return self.results

    def show_results_tab(self, tab: str) -> None:
        if self.results is None:
            return
        self.results.active = tab
        if self.narrow and self.pane != "results":
            self._peek_at_results()  # the hidden pane's focus would leave the keys nowhere

    def action_next_tab(self) -> None:
        """Next results tab; on a narrow screen showing another pane, first the results as they are."""
        if self.results is None:
            return
        if self.narrow and self.pane != "results":
            self._peek_at_results()
        else:
            self.show_results_tab(self.results.next_tab())


def _following(pane: str) -> str:
    """The pane after ``pane`` in F3's round: lesson, editor, results, lesson…"""
    return PANES[(PANES.index(pane) + 1) % len(PANES)]
