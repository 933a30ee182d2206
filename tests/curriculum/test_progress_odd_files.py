"""Files in the data folder that are not what they should be: a pipe, a device, a giant.

Reading a FIFO waits forever and ``/dev/zero`` never ends: the app hung at
its start with nothing on screen. A progress file of 170 MB took 13 s and
2 GB to read. Each is now set aside (kept, never deleted) with a reason, and
the app goes on.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nnlearn.curriculum import files, progress
from nnlearn.curriculum.cache import load_lessons_cached
from nnlearn.curriculum.files import read_regular_file
from nnlearn.curriculum.progress import ProgressStore

FIXTURES = Path(__file__).parent / "fixtures" / "good"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


@needs_fifo
def test_a_fifo_in_place_of_the_progress_file_is_set_aside_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "progress.json")
    store = ProgressStore(tmp_path)  # hung here, waiting for a writer
    assert store.current() is None
    (problem,) = store.problems
    assert "not a regular file" in problem and "kept as progress.json.corrupt-" in problem
    store.set_current("linear", 1)
    assert ProgressStore(tmp_path).current() == ("linear", 1)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_link_to_an_endless_device_is_set_aside(tmp_path: Path) -> None:
    (tmp_path / "progress.json").symlink_to("/dev/zero")
    store = ProgressStore(tmp_path)  # read until memory ran out
    assert store.current() is None and "not a regular file" in store.problems[0]


def test_a_progress_file_too_large_to_be_one_is_set_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "MAX_PROGRESS_BYTES", 10_000)
    big = b'{"version": 1, "current": null, "lessons": {}, "pad": "' + b"x" * 20_000 + b'"}'
    (tmp_path / "progress.json").write_bytes(big)
    store = ProgressStore(tmp_path)
    assert store.current() is None
    (problem,) = store.problems
    assert "could not be read (it is 20 kB, more than the 10 kB nnlearn reads" in problem
    (kept,) = tmp_path.glob("progress.json.corrupt-*")
    assert kept.read_bytes() == big


@needs_fifo
def test_a_fifo_or_a_giant_in_place_of_a_draft_is_set_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "MAX_DRAFT_BYTES", 500)
    store = ProgressStore(tmp_path)
    store.save_draft("linear", 0, "x = 1\n" * 100)
    os.mkfifo(store.draft_path("linear", 1))
    assert store.load_draft("linear", 1) is None  # hung here
    assert store.load_draft("linear", 0) is None
    assert len(store.problems) == 2
    assert "it is 600 bytes, more than the 500 bytes" in store.problems[1]
    assert "starter code is shown" in store.problems[1]
    (kept,) = store.draft_path("linear", 0).parent.glob("0.py.corrupt-*")
    assert kept.read_text() == "x = 1\n" * 100


@needs_fifo
def test_a_fifo_in_place_of_the_lessons_cache_means_a_fresh_parse(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first = load_lessons_cached(FIXTURES, cache_dir)
    (cached,) = cache_dir.glob("lessons-*.pickle")
    cached.unlink()
    os.mkfifo(cached)
    again = load_lessons_cached(FIXTURES, cache_dir)  # hung here
    assert [x.id for x in again.lessons] == [x.id for x in first.lessons]


def test_reading_a_regular_file_within_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    assert read_regular_file(path, 5) == b"12345"
    with pytest.raises(OSError, match="more than"):
        read_regular_file(path, 4)
    with pytest.raises(IsADirectoryError):
        read_regular_file(tmp_path, 5)


def test_what_is_in_the_way_of_saving_is_named(tmp_path: Path) -> None:
    """ "a file is where a folder should be" did not say which file: here, drafts."""
    (tmp_path / "drafts").write_text("not a folder")
    store = ProgressStore(tmp_path)
    assert not store.save_draft("linear", 0, "x = 1\n")
    (problem,) = store.problems
    assert f"a file is where a folder should be ({tmp_path / 'drafts'}: move it away" in problem
    assert store.load_draft("linear", 0) == "x = 1\n"
    (tmp_path / "drafts").unlink()
    assert store.retry_unsaved() and store.load_draft("linear", 0) == "x = 1\n"


def test_a_progress_file_linked_from_elsewhere_stays_linked(tmp_path: Path) -> None:
    """The link was replaced by a file: the synced copy it pointed to silently stopped."""
    synced = tmp_path / "synced" / "progress.json"
    synced.parent.mkdir()
    home = tmp_path / "home"
    ProgressStore(synced.parent).set_current("linear", 1)
    home.mkdir()
    (home / "progress.json").symlink_to(synced)
    store = ProgressStore(home)
    assert store.current() == ("linear", 1)
    store.set_current("linear", 2)
    assert (home / "progress.json").is_symlink()
    assert ProgressStore(synced.parent).current() == ("linear", 2)


def test_a_link_whose_target_cannot_be_written_is_replaced_so_the_save_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    link = tmp_path / "home" / "progress.json"
    link.parent.mkdir()
    link.symlink_to(target)
    original = files._write_replacing

    def refuse_the_target(path: Path, text: str) -> None:
        if path == target:
            raise PermissionError(13, "Permission denied", str(path))
        original(path, text)

    monkeypatch.setattr(files, "_write_replacing", refuse_the_target)
    files.atomic_write_text(link, "saved\n")
    assert not link.is_symlink() and link.read_text() == "saved\n"
    assert target.read_text() == "{}"
