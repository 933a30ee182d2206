"""Fixtures for the TUI tests: a tmp NNLEARN_HOME, the fixture lessons, a fake kernel."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_fakes import FIXTURE_LESSONS, FakeKernel

from nnlearn.curriculum.progress import ProgressStore
from nnlearn.tui.app import NnlearnApp


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("NNLEARN_HOME", str(path))
    return path


@pytest.fixture
def kernel() -> FakeKernel:
    return FakeKernel()


@pytest.fixture
def make_app(home: Path, kernel: FakeKernel):
    def make(lessons: Path = FIXTURE_LESSONS, **options) -> NnlearnApp:
        options.setdefault("autosave_delay", 0.05)
        return NnlearnApp(lessons, ProgressStore(home), session_factory=kernel, **options)

    return make
