"""How fast does ``nnlearn`` show its first frame, compared with just importing torch?

The UI process never imports torch, so opening the lessons should cost a
fraction of a cold ``python -c "import torch"``. Both are measured here as
fresh processes, interleaved, in the same run; the last line is
``startup_ratio X`` (median app launch to first painted frame, headless,
over the median cold torch import). Target: 0.35 or less.

The app child does what the ``nnlearn`` command does (``nnlearn.cli``: the
kernel process launched first of all, garbage collection off for the start-up,
then the app is imported), then opens the bundled lessons with a real kernel
session adopting that kernel in the background, exactly as ``run_app`` does, and prints a line when the first frame that shows the
current step (its prose and the learner's code in the editor) has been
painted. Work the app defers until after that frame (the results tabs, syntax
colours, the kernel) is not counted, but the frame must be a usable one: the
step's text and code are on it.

Both children run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` is
removed), so the untimed warm-up launch leaves the ``.pyc`` files an installed
package has (without them an editable checkout recompiles nnlearn on every
launch), and the parsed-lessons cache that any earlier launch leaves.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _common import ROOT, interleave, report

APP_CHILD = """
import nnlearn.cli  # what the nnlearn command imports first
from nnlearn.kernel import early_kernel

early = early_kernel.launch()  # as nnlearn.cli then does, before the app's imports

import gc

gc.disable()  # as nnlearn.cli does before it imports the app; the app turns it back on
from nnlearn.curriculum.bundled import bundled_lessons_dir
from nnlearn.curriculum.progress import ProgressStore
from nnlearn.tui.app import NnlearnApp
from nnlearn.tui.kernel_runner import RealSessionFactory


def find(node, selector):
    found = node.query(selector)
    return found.first() if found else None


def laid_out(widget):
    return widget is not None and widget.region.area > 0


class FirstFrame(NnlearnApp):
    # Reports the first frame sent to the display that has the step's prose and code on it.

    def _display(self, screen, renderable):  # Textual's hook for every frame it paints
        super()._display(screen, renderable)
        if renderable is None or getattr(self, "_reported", False):
            return
        pane = find(screen, "LessonPane")
        editor = find(screen, "CodeEditor")
        prose = find(pane, "Prose") if pane is not None else None
        if laid_out(prose) and laid_out(editor) and editor.text.strip():
            self._reported = True
            print("PAINTED", flush=True)
            self.exit()


FirstFrame(bundled_lessons_dir(), ProgressStore(), session_factory=RealSessionFactory(early=early)).run(
    headless=True, size=(120, 40)
)
"""

TORCH_CHILD = "import torch\nprint('IMPORTED', flush=True)"


def time_until_line(code: str, marker: str, env: dict[str, str]) -> float:
    """Seconds from launching ``python -c code`` to the line ``marker`` on its stdout."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        for line in child.stdout:
            if line.strip() == marker:
                elapsed = time.perf_counter() - start
                break
        else:
            raise RuntimeError(f"the child exited (code {child.wait()}) without printing {marker}")
    finally:
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return elapsed


def against_import_torch(ratio: str, app_child: str, marker: str, label: str, doc: str) -> int:
    """Time ``app_child`` until it prints ``marker``, interleaved with a cold ``import torch``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each (at least 5)")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    home = tempfile.mkdtemp(prefix="nnlearn-bench-home-")
    env = {**os.environ, "NNLEARN_HOME": home, "PYTHONPATH": str(ROOT / "src")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    torch_times, app_times = interleave(
        runs,
        ("import torch", lambda: time_until_line(TORCH_CHILD, "IMPORTED", env)),
        (label, lambda: time_until_line(app_child, marker, env)),
    )
    report(ratio, torch_times, app_times)
    return 0


def main() -> int:
    return against_import_torch("startup_ratio", APP_CHILD, "PAINTED", "first frame", __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
