"""Start-up order: the step first, then the results tabs, code colours and the kernel.

The first frame has the lesson, the editor, the status line and the key bar;
what it does not need comes just after. These tests pin that order down and
that nothing the learner does in between is lost or refused.
"""

from __future__ import annotations

import gc

from textual.widgets import TabbedContent
from waiting import pause_until

from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.key_bar import KeyBar
from nnlearn.tui.widgets.output_log import OutputLog
from nnlearn.tui.widgets.prose import Prose
from nnlearn.tui.widgets.results_tabs import ResultsTabs

NARROW = (80, 24)
WIDE = (160, 48)


async def test_results_and_kernel_come_after_the_first_frame(make_app, kernel):
    app = make_app()
    seen_at_mount: dict[str, object] = {}

    async with app.run_test(size=WIDE) as pilot:
        screen = app.main_screen
        seen_at_mount["results"] = screen.results
        seen_at_mount["sessions"] = len(kernel.sessions)
        await pause_until(pilot, lambda: bool(kernel.sessions))
        assert seen_at_mount == {"results": None, "sessions": 0}
        assert isinstance(screen.results, ResultsTabs)
        assert screen.query_one(TabbedContent) is screen.results
        assert len(kernel.sessions) == 1
        assert screen.query_one(CodeEditor).language == "python"


async def test_run_pressed_before_the_results_exist_still_runs(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        assert app.main_screen.results is None
        await pilot.press("f5")
        await pause_until(pilot, lambda: not app.main_screen.runner.running)
        assert len(kernel.session.calls) == 1
        log = app.main_screen.query_one(OutputLog)
        assert any("hello from the fake kernel" in line.text for line in log.lines)


async def test_tab_and_pane_keys_before_the_results_exist_do_no_harm(make_app, kernel):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("f4", "f3", "f3")
        screen = app.main_screen
        await pause_until(pilot, lambda: screen.results is not None and app.focused is not None)
        assert screen.results is not None
        assert screen.pane == "results"
        assert app.focused is not None and screen.results in app.focused.ancestors


async def test_editor_keeps_cursor_when_colours_arrive_and_undo_stays_in_the_step(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        editor = app.main_screen.query_one(CodeEditor)
        first_code = editor.text
        editor.move_cursor((1, 2))
        editor._start_highlighting()
        assert editor.cursor_location == (1, 2)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert editor.text != first_code
        editor.focus()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert editor.text != first_code  # undo does not bring the previous step's code back
        assert not editor.is_dirty


async def test_prose_code_is_coloured_once_the_first_frame_is_out(make_app, kernel):
    app = make_app()
    from nnlearn.tui.widgets import prose as prose_module

    async with app.run_test(size=WIDE) as pilot:
        await pause_until(pilot, lambda: prose_module._CodeBlock.colour)
        prose = app.main_screen.query_one(Prose)
        assert "torch.zeros" in prose.markdown
        assert prose_module._CodeBlock.colour


async def test_key_bar_at_80_columns_shows_help_then_the_panes_keys(make_app, kernel):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        bar = app.main_screen.query_one(KeyBar)
        await pause_until(pilot, lambda: "F1 Help" in bar.plain_text)
        lesson_keys = bar.plain_text
        # the first step has no hint and no "think about it": their keys stay off the bar
        assert lesson_keys.startswith(" F1 Help  ^n Next  ^b Back  ^q Quit")
        assert "^q Quit" in lesson_keys
        assert lesson_keys.rstrip().endswith("^p palette")
        assert len(lesson_keys) == NARROW[0]
        await pilot.press("f3")  # the editor, on a step without an exercise: no F9 Check
        await pause_until(pilot, lambda: "F5 Run" in bar.plain_text)
        assert bar.plain_text.startswith(" F1 Help  F5 Run  F6 Stop  ^e Examples  ^q Quit")
        await app.main_screen.enter_step(0, 2)  # an exercise
        await pause_until(pilot, lambda: "F9 Check" in bar.plain_text)
        assert bar.plain_text.startswith(" F1 Help  F5 Run  F9 Check  F6 Stop")
        assert "^q Quit" in bar.plain_text
        await pilot.press("f3")  # the results
        await pause_until(pilot, lambda: "F4 Tab" in bar.plain_text)
        assert bar.plain_text.startswith(" F1 Help  F4 Tab  F6 Stop  F5 Run  ^q Quit")


async def test_garbage_collection_is_back_on_after_the_first_frame(make_app, kernel):
    gc.disable()  # what `nnlearn` does before it imports the app
    try:
        app = make_app()
        async with app.run_test(size=WIDE) as pilot:
            await pause_until(pilot, gc.isenabled)
            assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def _open_app_with(monkeypatch, argv: list[str]) -> list[tuple[bool, object, bool]]:
    """Run ``nnlearn ARGV`` with the app and the early kernel faked: what run_app got."""
    import nnlearn.tui.app
    from nnlearn import cli
    from nnlearn.kernel import early_kernel

    launched: list[bool] = []
    seen: list[tuple[bool, object, bool]] = []

    def fake_launch():
        launched.append(gc.isenabled())
        return early_kernel.EarlyStart(failure="not in tests")

    def fake_run_app(lessons, device, connection_file, spare_kernel=None, early=None):
        seen.append((gc.isenabled(), early, bool(launched)))
        return 0

    monkeypatch.setattr(early_kernel, "launch", fake_launch)
    monkeypatch.setattr(nnlearn.tui.app, "run_app", fake_run_app)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    try:
        assert cli.main(argv) == 0
    finally:
        gc.enable()
    return seen


def test_nnlearn_turns_garbage_collection_off_before_importing_the_app(monkeypatch):
    [(collecting, _, _)] = _open_app_with(monkeypatch, [])
    assert not collecting


def test_nnlearn_launches_the_kernel_before_the_app_and_hands_it_over(monkeypatch):
    [(_, early, launched_first)] = _open_app_with(monkeypatch, [])
    assert launched_first and early.failure == "not in tests"


def test_an_attached_kernel_launches_nothing_early(monkeypatch, tmp_path):
    [(_, early, launched)] = _open_app_with(monkeypatch, ["--connect", str(tmp_path / "k.json")])
    assert early is None and not launched


async def test_quitting_before_the_results_exist_is_clean(make_app, kernel):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        assert app.main_screen.results is None
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
    assert not kernel.sessions or kernel.session.shut_down


def test_the_early_kernel_is_stopped_when_the_app_does_not_open(tmp_path, capsys):
    from nnlearn.kernel.early_kernel import EarlyStart
    from nnlearn.tui.app import run_app

    class EarlyKernelNobodyAdopts:
        discarded = False

        def discard(self) -> None:
            self.discarded = True

    kernel = EarlyKernelNobodyAdopts()
    assert run_app(tmp_path / "missing", "auto", early=EarlyStart(kernel)) == 2  # type: ignore[arg-type]
    assert kernel.discarded
