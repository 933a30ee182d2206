"""A wheel built from the repository carries the lessons, and the installed package finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_the_lessons_and_finds_them_installed(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=600,
    )
    [wheel] = tmp_path.glob("nnlearn-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(n for n in names if n.startswith("nnlearn/lessons/") and n.endswith(".md"))
    repo_lessons = sorted(p.name for p in (ROOT / "lessons").glob("[0-9]*.md"))
    assert [Path(n).name for n in shipped] == repo_lessons
    assert "nnlearn/probe/__init__.py" in names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), wheel],
        check=True,
        timeout=600,
    )
    code = (
        "from nnlearn.curriculum.bundled import bundled_lessons_dir\n"
        "from nnlearn.curriculum.loader import load_lessons\n"
        "folder = bundled_lessons_dir()\n"
        "result = load_lessons(folder)\n"
        "print(folder)\n"
        "print(len(result.lessons), len(result.problems))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
    ).stdout.splitlines()
    assert Path(out[0]).is_relative_to(target), "lessons must come from the installed package"
    assert out[1] == f"{len(repo_lessons)} 0"
