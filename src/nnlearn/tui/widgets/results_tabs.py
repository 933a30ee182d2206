"""The results tabs: Output, Shapes, Params, Loss, Plots and Inside, and where to find each.

They are empty until the first run, so the main screen mounts them just after
its first frame (with plotext, which this module imports, the heaviest part of
the screen); the runner reaches the views through its attributes.

The keys of a tab (scrolling, ``+``/``-``, ``o``) reach only the view that has
focus, so when the tab changes (F4, or a Run switching to Output or Loss) while
the results have the keyboard, the new tab's view takes it.
"""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane

from nnlearn.tui.widgets.inside_view import InsideView
from nnlearn.tui.widgets.loss_view import LossView
from nnlearn.tui.widgets.output_log import OutputLog
from nnlearn.tui.widgets.params_view import ParamsView
from nnlearn.tui.widgets.plots_view import PlotsView
from nnlearn.tui.widgets.shapes_view import ShapesView

INSIDE_BROKEN = "Inside ✗"  # the title of the Inside tab while the Run's numbers are NaN or inf
TABS = ("tab-output", "tab-shapes", "tab-params", "tab-loss", "tab-plots", "tab-inside")


class ResultsTabs(TabbedContent):
    """One tab per kind of result of a run."""

    DEFAULT_CSS = """
    ResultsTabs TabPane { padding: 0; }
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
        active = self.get_pane(self.active)
        active.query(
            "OutputLog, ShapesView, ParamsView, LossView, PlotsView, InsideView"
        ).first().focus()
