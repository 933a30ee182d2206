"""Pilot: a huge model's tables arrive in parts and are shown whole, its blocks grouped."""

from __future__ import annotations

from screen_reading import table_text
from tui_fakes import HUGE_BLOCKS
from waiting import until_prepared, until_started

from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.params_view import ParamsView
from nnlearn.tui.widgets.shapes_view import ShapesView


async def test_parts_are_joined_and_identical_blocks_shown_once(make_app, kernel):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await until_started(pilot)
        app.main_screen.query_one(CodeEditor).load_text("model = huge()\n")
        await pilot.press("f5")
        for _ in range(200):
            await pilot.pause()
            if not app.main_screen.runner.running:
                break
        shapes_view = app.main_screen.query_one(ShapesView)
        params_view = app.main_screen.query_one(ParamsView)
        await until_prepared(pilot, shapes_view, params_view)
        assert shapes_view.shapes is not None
        paths = [row.path for row in shapes_view.shapes.rows]
        assert paths == ["model", *(f"model.blocks.{i}" for i in range(HUGE_BLOCKS))]
        [params] = params_view.models
        assert len(params.rows) == HUGE_BLOCKS and params.rows_total is None
        assert f"model.blocks.{{0..{HUGE_BLOCKS - 1}}} ×{HUGE_BLOCKS:,}" in table_text(
            shapes_view, 120
        )
        params_drawn = table_text(params_view, 120)  # a tree: the range, then its weight under it
        assert f"{{0..{HUGE_BLOCKS - 1}}}" in params_drawn
        assert f"weight ×{HUGE_BLOCKS:,}" in params_drawn
