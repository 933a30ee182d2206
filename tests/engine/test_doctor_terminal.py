"""``nnlearn doctor``'s terminal rows: a size is only reported when there is one."""

from __future__ import annotations

import os

import pytest
from rich.console import Console

from nnlearn.doctor import _terminal_rows


@pytest.mark.parametrize(
    ("size", "terminal", "note"),
    [
        ((0, 0), "not a terminal", False),
        ((80, 0), "not a terminal", False),  # COLUMNS=80 set, output piped: no height known
        ((80, 24), "80x24", False),
        ((70, 24), "70x24", True),
    ],
)
def test_terminal_row_and_note(monkeypatch, size, terminal, note) -> None:
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback: os.terminal_size(size))
    rows = dict(_terminal_rows(Console(color_system=None)))
    assert rows["terminal"] == terminal
    assert ("note" in rows) is note
