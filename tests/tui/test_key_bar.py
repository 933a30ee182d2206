"""Pilot tests for KeyBar on a tiny app, independent of the nnlearn screens."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget

from nnlearn.tui.widgets.key_bar import KeyBar


class Pane(Widget, can_focus=True):
    BINDINGS = [Binding("f7", "zap", "Zap")]

    def action_zap(self) -> None:
        self.app.calls.append("zap")


class KeyBarApp(App):
    AUTO_FOCUS = None
    BINDINGS = [
        Binding("f1", "record('help')", "Help"),
        Binding("f5", "record('run')", "Run"),
        Binding("ctrl+r", "record('run')", "Run"),
        Binding("f6", "stop", "Stop"),
        Binding("f9", "record('check')", "Check"),
        Binding("f10", "record('secret')", "Secret", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.bells = 0
        self.running = False

    def compose(self) -> ComposeResult:
        yield Pane()
        yield KeyBar()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop" and not self.running:
            return None
        return True

    def action_record(self, name: str) -> None:
        self.calls.append(name)

    def action_stop(self) -> None:
        self.calls.append("stop")

    def bell(self) -> None:
        self.bells += 1


def style_at(text: Text, index: int) -> Style:
    return Style.combine(span.style for span in text.spans if span.start <= index < span.end)


async def test_shows_each_shown_binding_once_with_palette_on_the_right():
    app = KeyBarApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        text = bar.plain_text
        assert len(text) == 100
        for label in ("f1 Help", "f5 Run", "f6 Stop", "f9 Check"):
            assert label in text
        assert "Secret" not in text
        assert "f10" not in text
        assert "^r" not in text
        assert text.rstrip().endswith("^p palette")
        assert [entry.description for entry in bar.entries] == ["Help", "Run", "Stop", "Check"]


async def test_narrow_width_drops_whole_entries_and_keeps_palette():
    app = KeyBarApp()
    async with app.run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        text = bar.plain_text
        assert len(text) == 30
        assert "f1 Help" in text
        assert "f5 Run" in text
        assert "f6" not in text and "Stop" not in text
        assert "f9" not in text and "Check" not in text
        assert text.rstrip().endswith("^p palette")
        shown = [entry.description for entry in bar.shown_entries]
        assert shown == ["Help", "Run", "palette"]


async def test_resize_relayouts():
    app = KeyBarApp()
    async with app.run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        assert "Check" not in bar.plain_text
        await pilot.resize_terminal(80, 10)
        await pilot.pause()
        assert "f9 Check" in bar.plain_text


async def test_focus_change_adds_the_focused_widgets_binding():
    app = KeyBarApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        assert "Zap" not in bar.plain_text
        app.query_one(Pane).focus()
        await pilot.pause()
        assert "f7 Zap" in bar.plain_text


async def test_enabling_a_binding_updates_the_bar():
    app = KeyBarApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        stop = next(entry for entry in bar.entries if entry.description == "Stop")
        assert not stop.enabled
        app.running = True
        app.refresh_bindings()
        await pilot.pause()
        stop = next(entry for entry in bar.entries if entry.description == "Stop")
        assert stop.enabled


async def test_many_binding_updates_cause_one_rebuild():
    app = KeyBarApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        collect = bar._collect_entries
        calls = 0

        def counting_collect():
            nonlocal calls
            calls += 1
            return collect()

        bar._collect_entries = counting_collect
        for _ in range(10):
            app.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert calls == 1


async def test_click_runs_the_entrys_action():
    app = KeyBarApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        await pilot.click(KeyBar, offset=(bar.plain_text.index("Run") + 1, 0))
        await pilot.pause()
        await pilot.click(KeyBar, offset=(bar.plain_text.index("f9"), 0))
        await pilot.pause()
        assert app.calls == ["run", "check"]


async def test_click_between_entries_does_nothing():
    app = KeyBarApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        await pilot.click(KeyBar, offset=(bar.plain_text.index("f5") - 1, 0))
        await pilot.pause()
        assert app.calls == []
        assert app.bells == 0


async def test_disabled_entry_is_dim_and_clicking_it_rings_the_bell():
    app = KeyBarApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        text = bar.render()
        stop_key = text.plain.index("f6")
        run_key = text.plain.index("f5")
        assert style_at(text, stop_key).dim
        assert style_at(text, text.plain.index("Stop")).dim
        assert not style_at(text, run_key).dim
        assert style_at(text, run_key).bold
        await pilot.click(KeyBar, offset=(stop_key, 0))
        await pilot.pause()
        assert app.calls == []
        assert app.bells == 1
