"""Child process for the SIGHUP test: open the app headless, type, wait to be killed.

Run as ``python sighup_child.py LESSONS_DIR``, with NNLEARN_HOME set. Prints
READY once the typed text is in the editor (and not yet autosaved), then waits
until a signal ends the app, and exits with the app's return code.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from tui_fakes import FakeKernel  # noqa: E402

from nnlearn.curriculum.progress import ProgressStore  # noqa: E402
from nnlearn.tui.app import NnlearnApp  # noqa: E402


async def main(lessons: Path) -> int:
    app = NnlearnApp(lessons, ProgressStore(), session_factory=FakeKernel(), autosave_delay=600)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f3")  # the editor pane
        await pilot.press(*"# typed before the hangup", "enter")
        await pilot.pause()
        print("READY", flush=True)
        while app.is_running:
            await asyncio.sleep(0.05)
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(Path(sys.argv[1]))))
