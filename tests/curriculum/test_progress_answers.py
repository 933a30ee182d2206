"""Progress that tells the truth: the first quiz answer counts; the chosen device is kept."""

from __future__ import annotations

import json
from pathlib import Path

from nnlearn.curriculum.progress import ProgressStore


def test_the_first_quiz_answer_is_kept_and_later_ones_are_not(tmp_path: Path):
    store = ProgressStore(tmp_path)
    assert store.set_quiz_answer("intro", 1, 0, choice=2, correct=False)
    assert not store.set_quiz_answer("intro", 1, 0, choice=1, correct=True)
    again = ProgressStore(tmp_path)
    assert again.quiz_answer("intro", 1, 0) == 2
    assert again.quiz_result("intro", 1, 0) == (2, False)
    assert again.quiz_result("intro", 1, 1) is None


def test_the_chosen_device_is_kept(tmp_path: Path):
    store = ProgressStore(tmp_path)
    assert store.device() is None
    store.set_device("cuda:0")
    assert ProgressStore(tmp_path).device() == "cuda:0"


def test_a_device_that_is_not_a_string_is_a_corrupt_file(tmp_path: Path):
    (tmp_path / "progress.json").write_text(
        json.dumps({"version": 1, "current": None, "lessons": {}, "device": 3})
    )
    store = ProgressStore(tmp_path)
    assert store.device() is None
    assert any("'device' is not a string" in problem for problem in store.problems)
