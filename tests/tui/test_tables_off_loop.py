"""Pilot: a huge model's tables are made in a thread worker, and keys answer meanwhile.

Sanitising and grouping a 20,000-row report takes about a second; on the event
loop no key would answer. Here the workers are held at a gate until a key press
was handled, so the test checks the order of things, never the clock.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from screen_reading import table_text
from textual.app import App, ComposeResult
from waiting import until_prepared

from nnlearn.kernel.events import ParamRow, Params, ShapeRow, Shapes
from nnlearn.tui.widgets import params_view, shapes_view
from nnlearn.tui.widgets.params_view import ParamsView
from nnlearn.tui.widgets.shapes_view import ShapesView

BLOCKS = 20_000


def huge_shapes() -> Shapes:
    rows = [ShapeRow("model", "Big\x1b[2J", [[2, 4]], [[2, 4]], "float32", "cpu", 1)]
    rows += [
        ShapeRow(f"model.blocks.{index}", "Linear", [[2, 4]], [[2, 4]], "float32", "cpu", 1)
        for index in range(BLOCKS)
    ]
    return Shapes(tuple(rows))


def huge_params() -> Params:
    rows = tuple(
        ParamRow(f"blocks.{index}.weight", [4, 4], 16, "float32", "cpu", True, False)
        for index in range(BLOCKS)
    )
    total = 16 * BLOCKS
    return Params("model", "Big", total, total, 0, 0, 4 * total, rows)


SMALL = Shapes((ShapeRow("small", "Linear", [[4, 3]], [[4, 1]], "float32", "cpu", 1),))


class Gate:
    """Holds every table being made until opened; records the threads that made them."""

    def __init__(self, loop_thread: int) -> None:
        self.loop_thread = loop_thread
        self.opened = threading.Event()
        self.entered = threading.Event()
        self.threads: list[int] = []
        self._busy = 0
        self._idle = threading.Condition()

    def hold(self, make):
        def held(*args, **kwargs):
            with self._idle:
                self._busy += 1
            self.threads.append(threading.get_ident())
            self.entered.set()
            try:
                if threading.get_ident() != self.loop_thread:  # on the loop it would hang
                    self.opened.wait()
                return make(*args, **kwargs)
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

        return held

    def wait_until_idle(self) -> None:
        """Until every table that was started is made (superseded ones included)."""
        with self._idle:
            self._idle.wait_for(lambda: self._busy == 0)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch):
    gate = Gate(threading.get_ident())
    monkeypatch.setattr(shapes_view, "shapes_table", gate.hold(shapes_view.shapes_table))
    monkeypatch.setattr(params_view, "params_tree_table", gate.hold(params_view.params_tree_table))
    yield gate
    gate.opened.set()  # a failed test must not leave a worker waiting


class TablesApp(App):
    BINDINGS = [("k", "mark", "Mark")]

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[tuple[bool, bool]] = []

    def compose(self) -> ComposeResult:
        yield ShapesView(id="shapes")
        yield ParamsView(id="params")

    def action_mark(self) -> None:
        """What a key press finds: whether each view's table is still being made."""
        self.marks.append(
            (self.query_one(ShapesView).preparing, self.query_one(ParamsView).preparing)
        )


async def test_a_key_is_handled_while_a_huge_models_tables_are_made_in_workers(gate):
    app = TablesApp()
    async with app.run_test(size=(160, 48)) as pilot:
        shapes, params = app.query_one(ShapesView), app.query_one(ParamsView)
        shapes.show(huge_shapes())
        params.add(huge_params())
        await pilot.press("k")
        assert app.marks == [(True, True)]  # the key came first: both tables were still being made

        gate.opened.set()
        await until_prepared(pilot, shapes, params)
        assert gate.threads and gate.loop_thread not in gate.threads
        assert not shapes.preparing and not params.preparing
        assert f"model.blocks.{{0..{BLOCKS - 1}}} ×{BLOCKS:,}" in table_text(shapes, 160)
        assert shapes.shapes is not None and shapes.shapes.rows[0].cls == "Big␛[2J"  # sanitised
        drawn_params = table_text(params, 160)
        assert f"{{0..{BLOCKS - 1}}}" in drawn_params and f"weight ×{BLOCKS:,}" in drawn_params


async def test_a_newer_report_wins_over_one_still_being_made(gate):
    app = TablesApp()
    async with app.run_test(size=(160, 48)) as pilot:
        shapes = app.query_one(ShapesView)
        shapes.show(huge_shapes())
        await asyncio.to_thread(gate.entered.wait)  # its table is being made, held at the gate
        shapes.show(SMALL)  # a newer report while the huge one's table is held at the gate
        gate.opened.set()
        await until_prepared(pilot, shapes)
        await asyncio.to_thread(gate.wait_until_idle)
        await pilot.pause()  # anything the superseded worker posted has been handled
        text = table_text(shapes, 160)
        assert "small" in text and "blocks" not in text
        assert shapes.shapes == SMALL


async def test_a_table_asked_for_before_a_reset_is_never_shown(gate):
    app = TablesApp()
    async with app.run_test(size=(160, 48)) as pilot:
        shapes = app.query_one(ShapesView)
        shapes.show(SMALL)
        shapes.reset()
        gate.opened.set()
        await asyncio.to_thread(gate.entered.wait)
        await asyncio.to_thread(gate.wait_until_idle)
        await pilot.pause()
        assert shapes.shapes is None and "small" not in table_text(shapes, 160)
        stale = ShapesView.Prepared(1, SMALL, 0, None)
        shapes.post_message(stale)
        await pilot.pause()
        assert "Run your code" in table_text(shapes, 160)
