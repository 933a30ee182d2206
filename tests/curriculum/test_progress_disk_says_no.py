"""When the disk says no (full, read-only, a file in the way) the store loses nothing and never raises.

Tests run as root here, where chmod does not stop writes, so a refusing disk
is a fake (``os.replace`` or ``mkstemp`` raising) or a path under a regular file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from nnlearn.curriculum import files
from nnlearn.curriculum.progress import CANNOT_SAVE, SAVED_AGAIN, ProgressStore


@pytest.fixture(autouse=True)
def private_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What these tests write "to the temp folder" stays in their own tmp_path."""
    monkeypatch.setattr(files.tempfile, "tempdir", str(tmp_path))


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)


def test_home_that_is_a_file_starts_says_why_and_keeps_working(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    store = ProgressStore(home)
    assert len(store.problems) == 1
    assert (
        str(home) in store.problems[0] and "a file is where a folder should be" in store.problems[0]
    )
    heard: list[tuple[str, str]] = []
    store.on_problem = lambda title, message: heard.append((title, message))
    store.set_current("linear", 2)
    store.mark_done("linear", 0)
    assert store.save_draft("linear", 2, "code = 1\n") is False
    assert heard == []  # said once, at start; not again for every write
    assert store.current() == ("linear", 2) and store.done_steps("linear") == {0}
    assert store.load_draft("linear", 2) == "code = 1\n"
    assert home.read_text() == "not a folder"


def test_a_full_disk_mid_session_keeps_drafts_in_memory_and_retries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(tmp_path)
    heard: list[tuple[str, str]] = []
    store.on_problem = lambda title, message: heard.append((title, message))
    store.save_draft("linear", 0, "saved before\n")
    full_disk(monkeypatch)
    assert store.save_draft("linear", 0, "typed while full\n") is False
    store.set_current("linear", 1)
    assert store.save_draft("linear", 1, "second step\n") is False
    assert [title for title, _ in heard] == [CANNOT_SAVE]
    assert "the disk is full" in heard[0][1]
    assert store.has_unsaved
    assert store.load_draft("linear", 0) == "typed while full\n"  # memory wins over the disk
    assert store.retry_unsaved() is False
    monkeypatch.undo()
    assert store.retry_unsaved() is True
    assert [title for title, _ in heard] == [CANNOT_SAVE, SAVED_AGAIN]
    again = ProgressStore(tmp_path)
    assert again.load_draft("linear", 0) == "typed while full\n"
    assert again.load_draft("linear", 1) == "second step\n"
    assert again.current() == ("linear", 1)
    assert store.unsaved_report() is None


def test_unsaved_code_at_exit_goes_to_a_private_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.write_text("a file")
    store = ProgressStore(home)
    store.save_draft("linear", 0, "precious = 1\n")
    monkeypatch.setattr(files.tempfile, "tempdir", str(tmp_path))
    report = store.unsaved_report()
    assert report is not None
    (folder,) = tmp_path.glob("nnlearn-unsaved-*")
    assert str(folder) in report
    (kept,) = folder.iterdir()
    assert kept.read_text() == "precious = 1\n"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_when_even_the_temp_folder_says_no_the_code_is_in_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(tmp_path)
    full_disk(monkeypatch)
    store.save_draft("linear", 0, "precious = 2\n")

    def refuse(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("nnlearn.curriculum.progress.tempfile.mkdtemp", refuse)
    report = store.unsaved_report()
    assert report is not None and "precious = 2" in report and "No space left" in report


def test_reset_on_a_full_disk_keeps_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(tmp_path)
    full_disk(monkeypatch)
    store.save_draft("linear", 0, "only in memory\n")
    assert store.reset_draft("linear", 0) is None
    assert store.load_draft("linear", 0) is None  # the editor shows the starter...
    report = store.unsaved_report()  # ...and the code is named at exit (here: printed)
    assert report is not None and "only in memory" in report
    assert list(tmp_path.glob("nnlearn-unsaved-*")) == []  # no empty folder left behind


def test_a_folder_in_place_of_a_draft_is_moved_aside_and_reported(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    heard: list[tuple[str, str]] = []
    store.on_problem = lambda title, message: heard.append((title, message))
    store.draft_path("linear", 1).mkdir(parents=True)
    assert store.load_draft("linear", 1) is None
    assert len(heard) == 1 and "starter code is shown" in heard[0][1]
    assert list(store.draft_path("linear", 1).parent.glob("1.py.corrupt-*"))
    assert store.save_draft("linear", 1, "fine\n") is True


def test_everything_is_created_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        home = tmp_path / "new" / "home"
        store = ProgressStore(home)
        store.set_current("linear", 0)
        store.save_draft("linear", 0, "x = 1\n")
        store.save_draft("linear", 0, "x = 2\n")
        store.reset_draft("linear", 0)
    finally:
        os.umask(old)
    for path in [home.parent, home, *home.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path} is {oct(mode)}"
