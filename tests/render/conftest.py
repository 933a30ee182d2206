"""Shared helper for render tests: turn any Rich renderable into plain text."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from rich.console import Console, RenderableType


def render_to_text(renderable: RenderableType, width: int = 80) -> str:
    console = Console(record=True, width=width, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


@pytest.fixture
def to_text() -> Callable[..., str]:
    return render_to_text
