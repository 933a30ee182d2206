"""Pilot tests: the key bar offers Hint and Think only on a step that has them.

At 80 columns the bar holds about seven keys; one the step has no use for
pushes off one it needs (F9 Check on an exercise), and says "there is a hint
here" when there is none.
"""

from __future__ import annotations

from waiting import pause_until, until_started

from nnlearn.tui.widgets.key_bar import KeyBar

NARROW = (80, 24)


def bar_actions(app) -> list[str]:
    return [entry.action for entry in app.main_screen.query_one(KeyBar).entries]


async def test_hint_and_think_keys_only_on_a_step_that_has_them(make_app):
    async with make_app().run_test(size=NARROW) as pilot:
        app = pilot.app
        await until_started(pilot)
        bar = app.main_screen.query_one(KeyBar)
        await pause_until(pilot, lambda: "F1 Help" in bar.plain_text)
        screen = app.main_screen
        # step 1: an example only
        assert "hint" not in bar_actions(app) and "think" not in bar_actions(app)
        assert "^g Hint" not in bar.plain_text and "^f Think" not in bar.plain_text
        await screen.enter_step(0, 1)  # a quiz and a "think about it"
        await pause_until(pilot, lambda: "think" in bar_actions(app))
        assert "hint" not in bar_actions(app)
        await screen.enter_step(0, 2)  # an exercise with hints
        await pause_until(pilot, lambda: "hint" in bar_actions(app))
        assert "think" not in bar_actions(app)
        assert "^g Hint" in bar.plain_text
