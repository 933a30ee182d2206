"""Pilot tests: a home that cannot be written, or a disk that fills mid-session, costs no code.

Tests run as root, where chmod does not stop writes: a refusing disk is a
path under a regular file or a fake ``mkstemp`` raising ENOSPC.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from tui_fakes import FIXTURE_LESSONS, FakeKernel
from waiting import until_started

from nnlearn.curriculum import files
from nnlearn.curriculum.progress import CANNOT_SAVE, ProgressStore
from nnlearn.tui.app import NnlearnApp
from nnlearn.tui.widgets.editor import CodeEditor


def titles(app: NnlearnApp) -> list[str]:
    return [notification.title for notification in app._notifications]


async def test_a_home_that_is_a_file_still_starts_and_says_so_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("oops")
    store = ProgressStore(home)
    app = NnlearnApp(FIXTURE_LESSONS, store, session_factory=FakeKernel(), autosave_delay=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        editor = app.main_screen.query_one(CodeEditor)
        editor.focus()
        await pilot.press("a", "b")
        await pilot.pause(0.2)
        await pilot.press("ctrl+n", "ctrl+b")
        await pilot.pause()
        assert editor.text.startswith("ab")  # kept in memory across steps
        messages = [n.message for n in app._notifications]
        assert sum("cannot be saved" in m for m in messages) == 1, messages
        assert titles(app).count(CANNOT_SAVE) == 1
    assert home.read_text() == "oops"


async def test_a_disk_that_fills_mid_session_loses_no_typing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(tmp_path / "home")
    app = NnlearnApp(FIXTURE_LESSONS, store, session_factory=FakeKernel(), autosave_delay=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        screen = app.main_screen
        editor = screen.query_one(CodeEditor)

        def refuse(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
        editor.focus()
        await pilot.press("x", "y")
        await pilot.pause(0.2)  # autosave tries and fails
        await pilot.press("ctrl+n")  # leaving the step used to crash here
        await pilot.pause()
        assert screen.step_index == 1
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert editor.text.startswith("xy")
        assert titles(app).count(CANNOT_SAVE) == 1
        monkeypatch.undo()  # space again: the next retry writes it
        assert store.retry_unsaved()
    assert ProgressStore(tmp_path / "home").load_draft("basics", 0).startswith("xy")


async def test_typing_is_saved_within_a_second_of_idle_by_default(tmp_path: Path) -> None:
    from nnlearn.tui.widgets.editor import AUTOSAVE_DELAY

    assert AUTOSAVE_DELAY < 1.0  # a kill -9 one second after the last key loses nothing
    store = ProgressStore(tmp_path / "home")
    app = NnlearnApp(FIXTURE_LESSONS, store, session_factory=FakeKernel())
    async with app.run_test(size=(120, 40)) as pilot:
        await until_started(pilot)
        editor = app.main_screen.query_one(CodeEditor)
        editor.focus()
        await pilot.press("q")
        path = store.draft_path("basics", 0)
        for _ in range(100):
            if path.exists():
                break
            await pilot.pause(AUTOSAVE_DELAY / 5)
        assert path.read_text().startswith("q")


def test_quitting_with_unsaved_code_says_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from nnlearn.tui import app as app_module

    home = tmp_path / "home"
    home.write_text("a file")
    monkeypatch.setenv("NNLEARN_HOME", str(home))
    monkeypatch.setattr(files.tempfile, "tempdir", str(tmp_path))

    def a_session_that_typed(self: NnlearnApp) -> None:  # instead of the terminal UI
        self.store.save_draft("basics", 0, "my precious code\n")

    monkeypatch.setattr(app_module.NnlearnApp, "run", a_session_that_typed)
    assert app_module.run_app(FIXTURE_LESSONS, "auto") == 0
    said = capsys.readouterr().err
    (folder,) = tmp_path.glob("nnlearn-unsaved-*")
    assert str(folder) in said
    assert [p.read_text() for p in folder.iterdir()] == ["my precious code\n"]


async def test_a_full_disk_at_start_still_starts_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    store = ProgressStore(tmp_path / "home")
    app = NnlearnApp(FIXTURE_LESSONS, store, session_factory=FakeKernel(), autosave_delay=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_started(pilot)
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+b")
        await pilot.pause()
        assert app.main_screen.step_index == 1
        assert titles(app).count(CANNOT_SAVE) == 1
        assert "the disk is full" in store.save_problem
