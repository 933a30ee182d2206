"""The lessons cache: the same result as parsing, reused only while the files are unchanged."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import nnlearn.curriculum.loader as loader
from nnlearn.curriculum.cache import load_lessons_cached
from nnlearn.curriculum.loader import load_lessons

GOOD = Path(__file__).parent / "fixtures" / "good"


@pytest.fixture
def lessons(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    shutil.copytree(GOOD, folder)
    return folder


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Counts real parses (the cache imports load_lessons from the loader module on a miss)."""
    calls: list[Path] = []

    def counting(folder: Path):
        calls.append(folder)
        return load_lessons(folder)

    monkeypatch.setattr(loader, "load_lessons", counting)
    return calls


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("lessons-*.pickle"))


def test_second_load_comes_from_the_cache_and_equals_a_parse(lessons, tmp_path, parses):
    cache = tmp_path / "cache"
    first = load_lessons_cached(lessons, cache)
    second = load_lessons_cached(lessons, cache)
    assert len(parses) == 1
    assert second == first == load_lessons(lessons)
    assert [lesson.id for lesson in second.lessons]
    assert len(cache_files(cache)) == 1


def test_an_edited_lesson_is_parsed_again(lessons, tmp_path, parses):
    cache = tmp_path / "cache"
    load_lessons_cached(lessons, cache)
    target = sorted(lessons.glob("*.md"))[0]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("## ", "## Edited ", 1), encoding="utf-8")
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    result = load_lessons_cached(lessons, cache)
    assert len(parses) == 2
    assert any(
        step.title.startswith("Edited ") for lesson in result.lessons for step in lesson.steps
    )


def test_added_and_removed_files_are_noticed(lessons, tmp_path, parses):
    cache = tmp_path / "cache"
    before = load_lessons_cached(lessons, cache)
    sorted(lessons.glob("*.md"))[-1].unlink()
    after = load_lessons_cached(lessons, cache)
    assert len(parses) == 2
    assert len(after.lessons) == len(before.lessons) - 1


def test_each_folder_has_its_own_cache(lessons, tmp_path, parses):
    cache = tmp_path / "cache"
    other = tmp_path / "other"
    shutil.copytree(lessons, other)
    load_lessons_cached(lessons, cache)
    load_lessons_cached(other, cache)
    assert len(parses) == 2
    assert len(cache_files(cache)) == 2


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05garbage"])
def test_a_corrupt_cache_is_ignored_and_rewritten(lessons, tmp_path, parses, content):
    cache = tmp_path / "cache"
    load_lessons_cached(lessons, cache)
    (path,) = cache_files(cache)
    path.write_bytes(content)
    result = load_lessons_cached(lessons, cache)
    assert result == load_lessons(lessons)
    assert len(parses) == 2
    load_lessons_cached(lessons, cache)
    assert len(parses) == 2  # rewritten, so the third load is a hit


def test_an_unwritable_cache_folder_only_costs_a_parse(lessons, tmp_path, parses):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would go")
    assert load_lessons_cached(lessons, blocker) == load_lessons(lessons)
    assert load_lessons_cached(lessons, blocker) == load_lessons(lessons)
    assert len(parses) == 2


def test_a_missing_folder_is_reported_like_the_loader_does(tmp_path, parses):
    result = load_lessons_cached(tmp_path / "nowhere", tmp_path / "cache")
    assert not result.lessons
    assert result.problems and "cannot read the lessons folder" in result.problems[0].message
    assert not (tmp_path / "cache").exists()
