"""From launching ``nnlearn`` to the moment F5 runs code, against a cold ``import torch``.

The app child does what the ``nnlearn`` command does (the kernel launched first
of all, garbage collection off for start-up, the bundled lessons, a real kernel
session that adopts that kernel as ``run_app``'s does, the spare kernel as
configured), and presses Run (F5's
action) as soon as its first frame is painted, with ``print('RAN')`` as the code:
a Run asked for before the kernel is ready waits for it. The time is from launch
to that output reaching the app. The reference is a fresh
``python -c "import torch"``, the two interleaved in one run. Last line:
``launch_to_run_ratio X`` (median app time / median torch time; target <= 1.2).

    python bench/bench_launch_to_run.py [--runs 7]
"""

from __future__ import annotations

from bench_startup import against_import_torch

APP_CHILD = """
import nnlearn.cli  # what the nnlearn command imports first
from nnlearn.kernel import early_kernel

early = early_kernel.launch()  # as nnlearn.cli then does, before the app's imports

import gc

gc.disable()  # as nnlearn.cli does before it imports the app; the app turns it back on
from nnlearn.curriculum.bundled import bundled_lessons_dir
from nnlearn.curriculum.progress import ProgressStore
from nnlearn.kernel.events import Stream
from nnlearn.tui import kernel_runner
from nnlearn.tui.app import NnlearnApp

handle = kernel_runner.KernelRunner.handle


def handle_and_report(runner, event):
    handle(runner, event)
    if isinstance(event, Stream) and "RAN" in event.text:
        print("RAN", flush=True)
        runner.screen.app.exit()


kernel_runner.KernelRunner.handle = handle_and_report


class PressRunAtOnce(NnlearnApp):
    def on_main_screen_first_frame(self):
        super().on_main_screen_first_frame()
        self.main_screen.runner.run("print('RAN')", "cpu", None)


PressRunAtOnce(
    bundled_lessons_dir(), ProgressStore(), session_factory=kernel_runner.RealSessionFactory(early=early)
).run(headless=True, size=(120, 40))
"""


def main() -> int:
    return against_import_torch("launch_to_run_ratio", APP_CHILD, "RAN", "launch to Run", __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
