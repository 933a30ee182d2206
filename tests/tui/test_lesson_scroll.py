"""Pilot test: the lesson pane's Home, End and page keys jump at once, as in a pager.

``pilot.press`` waits for animations to end, so the test runs the actions
that Textual binds to those keys and looks at the pane before any glide
could have arrived.
"""

from __future__ import annotations

from waiting import until_started

from nnlearn.tui.widgets.lesson_pane import LessonPane


async def test_end_home_and_the_page_keys_land_at_once(make_app):
    app = make_app()
    async with app.run_test(size=(80, 12)) as pilot:  # short, so the step scrolls
        await until_started(pilot)
        pane = app.main_screen.query_one(LessonPane)
        assert app.focused is pane and pane.max_scroll_y > 0
        page = min(pane.max_scroll_y, pane.scrollable_content_region.height)
        for key, action, lands_at in (
            ("end", pane.action_scroll_end, pane.max_scroll_y),
            ("home", pane.action_scroll_home, 0),
            ("pagedown", pane.action_page_down, page),
            ("pageup", pane.action_page_up, 0),
        ):
            action()
            await pilot.pause()
            assert not app.animator.is_being_animated(pane, "scroll_y"), key
            assert pane.scroll_y == lands_at, key
