"""The Loss tab's chart: one line per series, readable with a single point."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual_plotext import PlotextPlot

from nnlearn.kernel.events import LossPoints
from nnlearn.render.plot import SINGLE_POINT_MARKER, strip_ansi
from nnlearn.tui.widgets.loss_view import LossView


class LossApp(App):
    def compose(self) -> ComposeResult:
        yield LossView(id="loss")


async def chart_after(points: list[LossPoints]) -> str:
    app = LossApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(LossView)
        view.add(points)
        view.redraw_now()
        await pilot.pause()
        return view.query_one(PlotextPlot).plt.build()


async def test_a_single_point_is_drawn_with_a_visible_marker():
    chart = await chart_after([LossPoints("loss", ((0, 0.5),))])
    assert SINGLE_POINT_MARKER in chart


async def test_a_line_of_points_is_drawn_in_braille():
    chart = await chart_after([LossPoints("loss", tuple((i, 1 / (i + 1)) for i in range(50)))])
    assert SINGLE_POINT_MARKER not in chart
    assert any("\u2800" <= char <= "\u28ff" for char in chart)


async def test_the_step_axis_shows_whole_steps_only():
    chart = await chart_after([LossPoints("loss", tuple((i, 1 / (i + 1)) for i in range(1000)))])
    axis = strip_ansi(chart).splitlines()[-2]  # the last line is the label "step"
    ticks = axis.split()
    assert ticks and all(tick.isdigit() for tick in ticks), axis
    assert "0" in ticks and "999" in ticks


async def test_every_series_has_its_summary_line_on_screen_at_80x24():
    app = LossApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(LossView)
        view.add(
            [
                LossPoints(name, tuple((i, 1 / (i + 1)) for i in range(300)))
                for name in ("loss", "default", "zeros")
            ]
        )
        view.redraw_now()
        await pilot.pause()
        summary = view.query_one(".loss-summary")
        shown = [summary.render_line(y).text for y in range(summary.region.height)]
        assert [line.split(":")[0].strip() for line in shown] == ["loss", "default", "zeros"]
        assert view.query_one(PlotextPlot).region.height >= 12  # the chart keeps the room
