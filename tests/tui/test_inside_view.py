"""The Inside tab: gradient flow and activations of a training Run, and turning it off."""

from __future__ import annotations

from screen_reading import plain
from textual.app import App, ComposeResult
from textual.widgets import TabbedContent
from waiting import until_started

from nnlearn.kernel.events import InsideSample, LayerActivity, ParamFlow
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.feedback_line import FeedbackLine
from nnlearn.tui.widgets.inside_view import EMPTY, OFF, InsideView
from nnlearn.tui.widgets.results_tabs import INSIDE_BROKEN, ResultsTabs


def text_of(view: InsideView, width: int = 80) -> str:
    return plain(view.shown, width)


async def run_code(pilot, code: str):
    """Start the app, put ``code`` in the editor and run it to the end; the main screen."""
    await until_started(pilot)
    screen = pilot.app.main_screen
    screen.query_one(CodeEditor).load_text(code)
    await run_and_wait(pilot, screen)
    return screen


async def run_and_wait(pilot, screen) -> None:
    await pilot.press("f5")
    for _ in range(400):
        await pilot.pause()
        if not screen.runner.running:
            break
    assert not screen.runner.running


async def show_inside_tab(pilot, screen) -> InsideView:
    """F4 walks the tabs to Inside (on a narrow screen the first F4 shows the results)."""
    for _ in range(8):
        if screen.query_one(TabbedContent).active == "tab-inside":
            break
        await pilot.press("f4")
    assert screen.query_one(TabbedContent).active == "tab-inside"
    await pilot.pause()
    return screen.query_one(InsideView)


class InsideApp(App):
    def compose(self) -> ComposeResult:
        yield InsideView(id="inside")


async def test_samples_become_tables_at_the_next_redraw():
    app = InsideApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(InsideView)
        assert " ".join(text_of(view).split()) == EMPTY
        view.add(
            InsideSample(
                step=5,
                params=(ParamFlow("net.fc.weight", True, 0.25, 1.0, 1e-3, True),),
                layers=(LayerActivity("net.fc", "Linear", 0.5, 1.0, 0.0),),
            )
        )
        view.finish()
        await pilot.pause()
        text = text_of(view)
        assert "✓ every parameter receives a gradient" in text
        assert "net.fc.weight" in text and "0.25" in text and "0.001" in text


async def test_a_frozen_layer_is_flagged_in_the_inside_tab_and_o_turns_it_off(make_app, kernel):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await run_code(pilot, "model[2].requires_grad_(False)  # frozen\n")
        assert kernel.session.calls[-1].inside is True
        view = await show_inside_tab(pilot, screen)
        text = text_of(view)
        assert "⚠ model.2 (weight): frozen" in text
        assert "⚠ dead: model.1" in text
        assert "3 samples up to step 20" in text

        view.focus()
        await pilot.press("o")
        assert view.enabled is False
        assert "Inside is off" in str(screen.query_one(FeedbackLine).render())
        await run_and_wait(pilot, screen)
        assert kernel.session.calls[-1].inside is False
        screen.query_one(TabbedContent).active = "tab-inside"
        await pilot.pause()
        assert OFF.split(":")[0] in text_of(view)
        view.focus()
        await pilot.press("o")
        assert view.enabled is True


async def test_a_nan_loss_is_not_called_healthy_in_the_inside_tab(make_app, kernel):
    # The gradients are finite (torch.log of a negative number): the Loss tab's NaN tells.
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await run_code(pilot, "torch.log(log_of_negative)\n")
        tabs = screen.query_one(ResultsTabs)
        # Seen from any tab: the Loss tab is the one showing when the Run ends.
        assert tabs.active == "tab-loss"
        assert tabs.get_tab("tab-inside").label.plain == INSIDE_BROKEN
        text = " ".join(text_of(await show_inside_tab(pilot, screen)).split())
        assert "✓" not in text
        assert "✗ the loss is NaN at step 20" in text
        # A new Run starts clean, and a healthy one leaves the title alone.
        screen.query_one(CodeEditor).load_text("model[2].requires_grad_(False)  # frozen\n")
        await run_and_wait(pilot, screen)
        assert tabs.get_tab("tab-inside").label.plain == "Inside"
