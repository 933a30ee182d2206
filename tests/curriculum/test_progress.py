"""The progress store: state round-trips, writes are atomic, bad files are kept aside, drafts survive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nnlearn.curriculum import files, progress
from nnlearn.curriculum.progress import ProgressStore, default_home


def test_a_new_home_starts_empty(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "home")
    assert store.current() is None
    assert store.lesson_step("linear") == 0
    assert store.done_steps("linear") == set()
    assert not store.is_done("linear", 0)
    assert store.quiz_answer("linear", 0, 0) is None
    assert store.exercise_result("linear", 1) is None
    assert store.load_draft("linear", 1) is None
    assert store.draft_backups("linear", 1) == []
    assert store.problems == []
    assert not (tmp_path / "home").exists()  # nothing is written until there is something to keep


def test_everything_round_trips_through_a_new_store(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    store.set_current("linear", 2)
    store.set_current("intro", 1)
    store.mark_done("linear", 0)
    store.mark_done("linear", 1)
    store.mark_done("linear", 1)
    store.set_quiz_answer("linear", 0, 1, choice=2, correct=False)
    store.set_exercise_result("linear", 1, ok=True, message="all checks passed")
    store.save_draft("linear", 1, "import torch\nlayer = None\n")

    again = ProgressStore(tmp_path)
    assert again.problems == []
    assert again.current() == ("intro", 1)
    assert again.lesson_step("linear") == 2
    assert again.lesson_step("intro") == 1
    assert again.done_steps("linear") == {0, 1}
    assert again.is_done("linear", 1) and not again.is_done("linear", 2)
    assert again.quiz_answer("linear", 0, 1) == 2
    assert again.exercise_result("linear", 1) == (True, "all checks passed")
    assert again.load_draft("linear", 1) == "import torch\nlayer = None\n"
    assert again.draft_path("linear", 1) == tmp_path / "drafts" / "linear" / "1.py"


def test_home_comes_from_nnlearn_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNLEARN_HOME", str(tmp_path / "custom"))
    assert default_home() == tmp_path / "custom"
    assert ProgressStore().home == tmp_path / "custom"
    monkeypatch.delenv("NNLEARN_HOME")
    assert default_home().name == "nnlearn"


def test_a_failed_rename_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(tmp_path)
    store.mark_done("linear", 0)
    store.save_draft("linear", 0, "old draft\n")
    before = (tmp_path / "progress.json").read_bytes()

    def crash(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", crash)
    store.mark_done("linear", 1)  # kept in memory and reported, never raised
    assert store.save_draft("linear", 0, "new draft\n") is False
    assert store.save_problem is not None and "the disk is full" in store.save_problem
    monkeypatch.undo()

    assert (tmp_path / "progress.json").read_bytes() == before
    assert list(tmp_path.glob(".*.tmp")) == []  # the temporary file is cleaned up
    again = ProgressStore(tmp_path)
    assert again.problems == []
    assert again.done_steps("linear") == {0}
    assert again.load_draft("linear", 0) == "old draft\n"


def test_killing_the_writer_between_temp_file_and_rename_loses_nothing(tmp_path: Path) -> None:
    ProgressStore(tmp_path).mark_done("linear", 0)
    before = (tmp_path / "progress.json").read_bytes()
    writer = (
        "import os, sys\n"
        "from nnlearn.curriculum import files\n"
        "from nnlearn.curriculum.progress import ProgressStore\n"
        "store = ProgressStore(sys.argv[1])\n"
        "files.os.replace = lambda *args: os._exit(9)\n"
        "store.mark_done('linear', 1)\n"
    )
    killed = subprocess.run([sys.executable, "-c", writer, str(tmp_path)], check=False)
    assert killed.returncode == 9
    assert (tmp_path / "progress.json").read_bytes() == before
    leftovers = list(tmp_path.glob(".progress.json.*.tmp"))
    assert len(leftovers) == 1  # the half-done write, which nothing reads
    again = ProgressStore(tmp_path)
    assert again.problems == []
    assert again.done_steps("linear") == {0}


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'{"version": 1, "current": null, "lessons": {"x": {"done": "all"}}}',
        b'{"version": 99}',
    ],
)
def test_a_corrupt_progress_file_is_moved_aside_and_reported(
    tmp_path: Path, content: bytes
) -> None:
    (tmp_path / "progress.json").write_bytes(content)
    store = ProgressStore(tmp_path)
    kept = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == content
    assert len(store.problems) == 1
    assert "progress.json" in store.problems[0] and kept[0].name in store.problems[0]
    assert store.current() is None and store.done_steps("x") == set()
    store.mark_done("x", 0)
    assert ProgressStore(tmp_path).done_steps("x") == {0}


def test_a_directory_in_place_of_the_progress_file_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / "progress.json").mkdir()
    (tmp_path / "progress.json" / "inside.txt").write_text("kept")
    store = ProgressStore(tmp_path)
    assert len(store.problems) == 1 and "could not be read" in store.problems[0]
    (kept,) = tmp_path.glob("progress.json.corrupt-*")
    assert (kept / "inside.txt").read_text() == "kept"
    store.set_current("intro", 0)
    assert ProgressStore(tmp_path).current() == ("intro", 0)


def test_an_unreadable_progress_file_is_moved_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ProgressStore(tmp_path).mark_done("intro", 3)
    original = progress.read_regular_file

    def deny(path: Path, limit: int) -> bytes:
        if path.name == "progress.json":
            raise PermissionError(13, "Permission denied")
        return original(path, limit)

    monkeypatch.setattr(progress, "read_regular_file", deny)
    store = ProgressStore(tmp_path)
    monkeypatch.undo()
    assert "Permission denied" in store.problems[0]
    (kept,) = tmp_path.glob("progress.json.corrupt-*")
    assert json.loads(kept.read_text())["lessons"]["intro"]["done"] == [3]
    assert not (tmp_path / "progress.json").exists()


def test_drafts_survive_a_corrupt_progress_file(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    store.save_draft("linear", 0, "a = 1\n")
    store.save_draft("mlp", 2, "b = 2\n")
    store.mark_done("linear", 0)
    (tmp_path / "progress.json").write_text("{ truncated")
    again = ProgressStore(tmp_path)
    assert len(again.problems) == 1
    assert again.load_draft("linear", 0) == "a = 1\n"
    assert again.load_draft("mlp", 2) == "b = 2\n"


def test_a_bad_draft_is_moved_aside_and_costs_no_other_draft(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    store.save_draft("linear", 0, "good = True\n")
    store.draft_path("linear", 1).write_bytes(b"bad \xff bytes")
    assert store.load_draft("linear", 1) is None
    assert len(store.problems) == 1 and "not valid UTF-8" in store.problems[0]
    (kept,) = store.draft_path("linear", 1).parent.glob("1.py.corrupt-*")
    assert kept.read_bytes() == b"bad \xff bytes"
    assert store.load_draft("linear", 0) == "good = True\n"


def test_reset_keeps_every_previous_draft(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    assert store.reset_draft("linear", 3) is None
    store.save_draft("linear", 3, "first try\n")
    first = store.reset_draft("linear", 3)
    assert first is not None and first.read_text() == "first try\n"
    assert store.load_draft("linear", 3) is None
    store.save_draft("linear", 3, "second try\n")
    second = store.reset_draft("linear", 3)
    assert store.draft_backups("linear", 3) == [first, second]
    assert second is not None and second.read_text() == "second try\n"
    assert store.draft_backups("linear", 30) == []


def test_saving_a_draft_writes_exactly_the_text(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    code = "x = 'é'\r\nprint(x)\n\n"
    store.save_draft("intro", 0, code)
    assert store.draft_path("intro", 0).read_bytes() == code.encode("utf-8")
    assert store.load_draft("intro", 0) == code


@pytest.mark.parametrize("bad_id", ["", "..", "../escape", "a/b", ".hidden", "sp ace"])
def test_lesson_ids_that_are_not_safe_file_names_are_refused(tmp_path: Path, bad_id: str) -> None:
    store = ProgressStore(tmp_path)
    with pytest.raises(ValueError, match="not a lesson id"):
        store.save_draft(bad_id, 0, "x")
    with pytest.raises(ValueError):
        store.mark_done(bad_id, 0)


def test_negative_step_indexes_are_refused(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    with pytest.raises(ValueError, match="not a step"):
        store.mark_done("intro", -1)


def test_progress_file_is_readable_json(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    store.set_quiz_answer("intro", 1, 0, choice=1, correct=True)
    data = json.loads((tmp_path / "progress.json").read_text())
    assert data["version"] == 1
    assert data["lessons"]["intro"]["quizzes"] == {"1:0": {"choice": 1, "correct": True}}
    assert os.listdir(tmp_path) == ["progress.json"]
