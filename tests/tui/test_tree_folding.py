"""The Shapes and Params views fold the module tree from the keyboard (+ and -) at 80x24."""

from __future__ import annotations

from screen_reading import table_text
from textual.app import App, ComposeResult
from waiting import until_prepared

from nnlearn.kernel.events import ModuleCost, ParamRow, Params, PeakMemory, ShapeRow, Shapes
from nnlearn.tui.widgets.params_view import ParamsView
from nnlearn.tui.widgets.shapes_view import ShapesView

SIZE = (80, 24)


def shape_row(path: str, cls: str, flops: int | None, params: int, trainable: int) -> ShapeRow:
    cost = ModuleCost(flops, ("relu",) if flops is None else (), 64, params, trainable, params * 4)
    return ShapeRow(path, cls, [[4, 8]], [[4, 8]], "float32", "cpu", 1, cost=cost)


SHAPES = Shapes(
    (
        shape_row("model", "Net", 1088, 112, 72),
        shape_row("model.encoder", "Sequential", 1088, 72, 72),
        shape_row("model.encoder.0", "Linear", 512, 72, 72),
        shape_row("model.encoder.1", "ReLU", None, 0, 0),
        shape_row("model.head", "Linear", 576, 40, 0),
    )
)


def param(name: str, numel: int, trainable: bool = True) -> ParamRow:
    return ParamRow(name, [numel], numel, "float32", "cpu", trainable, False)


PARAMS = Params(
    "model",
    "Net",
    112,
    72,
    40,
    0,
    448,
    (
        param("encoder.0.weight", 64),
        param("encoder.0.bias", 8),
        param("head.weight", 32, trainable=False),
        param("head.bias", 8, trainable=False),
    ),
)


class TreeApp(App):
    def compose(self) -> ComposeResult:
        yield ShapesView(id="shapes")
        yield ParamsView(id="params")


async def test_shapes_view_folds_and_unfolds_from_the_keyboard():
    app = TreeApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ShapesView)
        view.show(SHAPES)
        view.show_memory(PeakMemory("cpu", "process_peak_rss", 300 * 2**20, 200 * 2**20))
        view.focus()
        await until_prepared(pilot, view)
        text = table_text(view)
        assert "Depth 2 of 2" in text
        assert "model.encoder.0" in text and "FLOPs" in text and "1.1 K" in text
        assert "72 partial" not in text and "112 partial" in text and "40 frozen" in text
        assert "Peak memory: 300.0 MiB" in text

        await pilot.press("minus")
        await until_prepared(pilot, view)
        text = table_text(view)
        assert "Depth 1 of 2" in text
        assert "model.encoder.0" not in text and "model.encoder ▸" in text
        await pilot.press("minus", "minus")
        await until_prepared(pilot, view)
        text = table_text(view)
        assert "Depth 0 of 2" in text and "model.head" not in text and "model ▸" in text

        await pilot.press("plus", "equals_sign", "plus")
        await until_prepared(pilot, view)
        text = table_text(view)
        assert "Depth 2 of 2" in text and "model.encoder.1" in text


async def test_params_view_shows_modules_with_trainable_frozen_partial_and_folds():
    app = TreeApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ParamsView)
        view.add(PARAMS)
        view.focus()
        await until_prepared(pilot, view)
        text = table_text(view)
        assert "Depth 2 of 2" in text
        lines = {line.split("│")[1].strip(): line for line in text.splitlines() if "│" in line}
        assert "72" in lines["encoder"] and "✓ trainable" in lines["encoder"]
        assert "frozen" in lines["head"]
        assert "weight" in lines and "bias" in lines

        await pilot.press("minus", "minus")
        await until_prepared(pilot, view)
        text = table_text(view)
        assert "Depth 0 of 2" in text and "weight" not in text
        assert "encoder ▸" in text and "head ▸" in text

        await pilot.press("plus")
        await until_prepared(pilot, view)
        text = table_text(view)
        assert "Depth 1 of 2" in text and "0 ▸" in text


async def test_the_chosen_depth_stays_for_the_next_run():
    app = TreeApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ShapesView)
        view.show(SHAPES)
        view.focus()
        await until_prepared(pilot, view)  # the depth of the report is known with its table
        await pilot.press("minus")
        view.reset()
        view.show(SHAPES)
        await until_prepared(pilot, view)
        assert "Depth 1 of 2" in table_text(view)
