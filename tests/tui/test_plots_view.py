"""The Plots tab: ``nnlearn.plot`` series drawn as a scatter, apart from the loss curves."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import TabbedContent
from textual_plotext import PlotextPlot
from waiting import until_started

from nnlearn.kernel.events import PlotPoints
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.loss_view import LossView
from nnlearn.tui.widgets.plots_view import EMPTY, PlotsView

WIDE = (160, 48)


class PlotsApp(App):
    def compose(self) -> ComposeResult:
        yield PlotsView(id="plots")


def summary_of(view: PlotsView) -> str:
    return str(view.query_one(".plots-summary").render())


async def test_a_series_plotted_again_replaces_the_old_points_on_the_chart():
    app = PlotsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(PlotsView)
        assert summary_of(view) == EMPTY
        view.set(PlotPoints("data", tuple((x / 4, x / 4) for x in range(4)), 4))
        view.set(PlotPoints("pred", ((0.0, 5.0), (1.0, 5.0)), 2))
        view.set(PlotPoints("pred", ((0.0, 0.5), (1.0, 0.5)), 2))
        view.redraw_now()
        await pilot.pause()
        chart = view.query_one(PlotextPlot).plt.build()
        assert "data" in chart and "pred" in chart
        assert "5.0" not in chart, "the replaced pred points are gone from the y axis"
        assert summary_of(view).splitlines() == [
            "data: 4 points, x 0 … 0.75, y 0 … 0.75",
            "pred: 2 points, x 0 … 1, y 0.5 … 0.5",
        ]
        view.reset()
        await pilot.pause()
        assert summary_of(view) == EMPTY


async def test_a_run_that_plots_fills_the_plots_tab_and_not_the_loss_tab(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        screen.query_one(CodeEditor).load_text("import nnlearn\nnnlearn.plot('data', x, y)\n")
        await pilot.press("f5")
        for _ in range(200):
            await pilot.pause()
            if not screen.runner.running:
                break
        plots = screen.query_one(PlotsView)
        assert plots.series.as_dict()["pred"][0] == (0.0, 0.1)
        assert not screen.query_one(LossView).series, "plotted points are not loss points"
        screen.query_one(TabbedContent).active = "tab-plots"
        await pilot.pause()
        assert plots.is_on_screen
        assert summary_of(plots).startswith("data: 10 points")
        assert "pred" in plots.query_one(PlotextPlot).plt.build()
        # The next run starts with an empty chart.
        screen.query_one(CodeEditor).load_text("print('no plot')\n")
        await pilot.press("f5")
        for _ in range(200):
            await pilot.pause()
            if not screen.runner.running:
                break
        assert not plots.series and summary_of(plots) == EMPTY
