"""The results tabs: Output, Shapes, Params, Loss, Plots and Inside, and where to find each.

They are empty until the first run, so the main screen mounts them just after
its first frame (with plotext, which this module imports, the heaviest part of
the screen); the runner reaches the views through its attributes.

The tabs hold the results of one step's Run: on any other step they are
hidden behind a line saying so (another step's output under this step's code
would mislead), and they show again when the learner goes back to that step.

The keys of a tab (scrolling, ``+``/``-``, ``o``) reach only the view that has
focus, so when the tab changes (F4, or a Run switching to Output or Loss) while
the results have the keyboard, the new tab's view takes it.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static, TabbedContent, TabPane

from nnlearn.tui.widgets.inside_view import InsideView
from nnlearn.tui.widgets.loss_view import LossView
from nnlearn.tui.widgets.output_log import OutputLog
from nnlearn.tui.widgets.params_view import ParamsView
from nnlearn.tui.widgets.plots_view import PlotsView
from nnlearn.tui.widgets.shapes_view import ShapesView

INSIDE_BROKEN = "Inside ✗"  # the title of the Inside tab while the Run's numbers are NaN or inf
TABS = ("tab-output", "tab-shapes", "tab-params", "tab-loss", "tab-plots", "tab-inside")

StepKey = tuple[str, int]  # (lesson id, step index)


class ResultsTabs(TabbedContent):
    """One tab per kind of result of a run."""

    DEFAULT_CSS = """
    ResultsTabs TabPane { padding: 0; }
    ResultsTabs > #not-run { display: none; height: 1fr; padding: 0 1; }
    ResultsTabs.-not-run > #not-run { display: block; }
    ResultsTabs.-not-run > ContentTabs, ResultsTabs.-not-run > ContentSwitcher { display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, initial="tab-output")
        self.output = OutputLog(id="output")
        self.shapes = ShapesView(id="shapes")
        self.params = ParamsView(id="params")
        self.loss = LossView(id="loss")
        self.plots = PlotsView(id="plots")
        self.inside = InsideView(id="inside", loss=self.loss.series)
        for title, tab, view in (
            ("Output", "tab-output", self.output),
            ("Shapes", "tab-shapes", self.shapes),
            ("Params", "tab-params", self.params),
            ("Loss", "tab-loss", self.loss),
            ("Plots", "tab-plots", self.plots),
            ("Inside", "tab-inside", self.inside),
        ):
            self.compose_add_child(TabPane(title, view, id=tab))
        self.run_step: StepKey | None = None  # the step whose code the tabs hold the Run of
        self.run_code = ""
        self.error_line: int | None = None  # the line the Run failed on, when it did
        self.not_run = Static(id="not-run")
        self.not_run.can_focus = True  # the keyboard must not stay in a pane that is hidden

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield self.not_run

    def start_run(self, step: StepKey | None, code: str = "") -> None:
        """The tabs now hold a Run of ``step``'s code (the step on screen), ``code``."""
        self.run_step = step
        self.run_code = code
        self.error_line = None
        self.show_step(step, "")

    def error_in(self, step: StepKey | None, code: str) -> int | None:
        """The line the tabs' Run failed on, if it ran ``step`` with exactly ``code``."""
        if step is None or step != self.run_step or code != self.run_code:
            return None
        return self.error_line

    def show_step(self, step: StepKey | None, run_step_name: str) -> None:
        """Show the tabs on the step whose Run they hold; on another, say that instead.

        ``run_step_name`` names the step they hold the Run of ("step 2"), for the line.
        """
        other = self.run_step is not None and self.run_step != step
        if other:
            self.not_run.update(
                Text.assemble(
                    ("No results of this step's code.", "bold"),
                    " F5 runs it; its output, shapes, parameters and loss show here."
                    f" The last Run was {run_step_name}'s: its results show on that step.",
                )
            )
        self.set_class(other, "-not-run")
        if self.has_focus_within:  # the view that had the keyboard may be hidden now
            self.focus_active_view()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content is not self:
            return
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            self.focus_active_view()

    def on_inside_view_broke(self, event: InsideView.Broke) -> None:
        self.get_tab("tab-inside").label = INSIDE_BROKEN if event.broken else "Inside"

    def next_tab(self) -> str:
        return TABS[(TABS.index(self.active) + 1) % len(TABS)]

    def focus_active_view(self) -> None:
        if self.has_class("-not-run"):
            self.not_run.focus()
            return
        active = self.get_pane(self.active)
        active.query(
            "OutputLog, ShapesView, ParamsView, LossView, PlotsView, InsideView"
        ).first().focus()
