"""``nnlearn lessons list`` prints lesson titles and problems: shown, never obeyed by the terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nnlearn.validate import cmd_lessons_check, cmd_lessons_list

ACTIVE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LESSON = """---
id: evil
title: "Evil \\e#8\\ec title"
summary: "s"
---

## Step

Text.
"""


def test_lesson_titles_and_problems_are_printed_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "01-evil.md").write_text(LESSON, encoding="utf-8")
    (tmp_path / "02-broken.md").write_text("---\nid: [\x1b#8\n---\n", encoding="utf-8")
    assert cmd_lessons_list(tmp_path, as_json=False) == 1
    printed = capsys.readouterr()
    assert "Evil ␛#8␛c title" in printed.out
    assert printed.err.strip()  # the broken file is reported...
    assert ACTIVE.search(printed.out + printed.err) is None  # ...and nothing in it is obeyed


def test_a_folder_name_is_printed_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "lessons\x1b]0;title\x07\x1b[2J"
    assert cmd_lessons_check(missing, "cpu") == 1  # the summary line named it as it was
    printed = capsys.readouterr()
    assert "lessons␛]0;title␇␛[2J" in printed.out
    assert ACTIVE.search(printed.out + printed.err) is None
