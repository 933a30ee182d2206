"""Does a training run that streams 20,000 loss points slow down typing?

The app runs headless (Textual's Pilot). Key presses go to the editor, each
timed from the moment the key event is sent (as the terminal driver sends
it) until the editor has inserted the character and the screen has been
refreshed after it: first with the kernel idle, then while a 20,000-step training loop runs and
streams its loss points (output and loss are coalesced and redrawn about ten
times a second). The last line is ``keypress_latency_ratio X``: the median
during the run over the median at idle. Target: 2 or less.

Then the output flood, ``for i in range(10**6): print(i)``: key presses are
timed the same way while it runs, and the time until the screen is done with
it is compared with the kernel's own time for the run
(``flood_catch_up_ratio``, target about 1). Last, Stop: F6 pressed two seconds
into an endless print loop, timed until the run has ended, over the same for a
loop that prints nothing (``stop_during_flood_ratio``; both should be well
under a second).

By default the real kernel runs a real training loop; ``--fake`` uses the test
suite's fake kernel sending the same number of points (no torch needed; its
flood is chunks of lines until Stop, so there is no catch-up ratio).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import ROOT, report
from textual import events

sys.path.insert(0, str(ROOT / "tests" / "tui"))

from nnlearn.curriculum.progress import ProgressStore  # noqa: E402
from nnlearn.kernel.events import RunFinished  # noqa: E402
from nnlearn.tui.app import NnlearnApp  # noqa: E402
from nnlearn.tui.widgets.editor import CodeEditor  # noqa: E402
from nnlearn.tui.widgets.loss_view import LossView  # noqa: E402
from nnlearn.tui.widgets.status_bar import StatusBar  # noqa: E402

STEPS = 20_000
TRAINING = f"""\
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(64, 4)
y = x.sum(dim=1, keepdim=True)
for step in range({STEPS}):
    loss = ((model(x) - y) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 1000 == 0:
        print("step", step, round(loss.item(), 4))
print("final loss", round(loss.item(), 4))
"""
LESSONS = ROOT / "tests" / "tui" / "fixtures" / "lessons"
KEYS = "abcdefghij"
FLOOD = "for i in range(10**6):\n    print(i)\n"
ENDLESS_FLOOD = "i = 0\nwhile True:  # flood\n    print(i)\n    i += 1\n"
QUIET_LOOP = "while True:  # block\n    pass\n"
STOP_AFTER = 2.0


@dataclass
class FloodResult:
    busy: list[float] = field(default_factory=list)
    ui_seconds: float = 0.0
    kernel_seconds: float = 0.0
    stop_quiet: float = 0.0
    stop_flood: float = 0.0


async def timed_press(pilot, key: str) -> float:
    """Seconds from sending ``key`` to the editor holding it and a refresh after that."""
    app = pilot.app
    editor = app.main_screen.query_one(CodeEditor)
    before = editor.text
    event = events.Key(key, key)
    event.set_sender(app)
    start = time.perf_counter()
    app._driver.send_message(event)
    while editor.text == before:
        await asyncio.sleep(0.0005)
    refreshed = asyncio.get_running_loop().create_future()
    editor.call_after_refresh(refreshed.set_result, None)
    await refreshed
    elapsed = time.perf_counter() - start
    await asyncio.sleep(0.02)  # a typist's pace, not a flood
    return elapsed


async def wait_until_done(pilot, screen) -> None:
    while screen.runner.running:
        await asyncio.sleep(0.005)


async def timed_stop(pilot, screen, code: str) -> float:
    """Seconds from F6, pressed ``STOP_AFTER`` seconds into running ``code``, to the run's end."""
    app = pilot.app
    screen.query_one(CodeEditor).load_text(code)
    screen.action_run()
    await asyncio.sleep(STOP_AFTER)
    if not screen.runner.running:
        raise RuntimeError("the endless loop ended by itself")
    event = events.Key("f6", None)
    event.set_sender(app)
    start = time.perf_counter()
    app._driver.send_message(event)
    await wait_until_done(pilot, screen)
    return time.perf_counter() - start


async def measure_flood(pilot, fake: bool, min_busy_presses: int) -> FloodResult:
    """Keys during the flood, the screen's time against the kernel's, and Stop."""
    screen = pilot.app.main_screen
    editor = screen.query_one(CodeEditor)
    finished: list[RunFinished] = []
    handle = screen.runner.handle

    def spy(event):
        if isinstance(event, RunFinished):
            finished.append(event)
        handle(event)

    screen.runner.handle = spy
    screen.show_results_tab("tab-output")
    result = FloodResult()
    editor.load_text((ENDLESS_FLOOD if fake else FLOOD) + "# keys\n")
    editor.move_cursor((editor.document.line_count - 1, 0))
    start = time.perf_counter()
    screen.action_run()
    await pilot.pause()
    editor.focus()
    while screen.runner.running:
        result.busy.append(await timed_press(pilot, KEYS[len(result.busy) % len(KEYS)]))
        if fake and len(result.busy) >= min_busy_presses:
            screen.action_interrupt()
            await wait_until_done(pilot, screen)
    result.ui_seconds = time.perf_counter() - start
    result.kernel_seconds = finished[-1].seconds if finished else float("nan")
    result.stop_quiet = await timed_stop(pilot, screen, QUIET_LOOP)
    result.stop_flood = await timed_stop(pilot, screen, ENDLESS_FLOOD)
    return result


async def measure(
    fake: bool, idle_presses: int, min_busy_presses: int
) -> tuple[list[float], list[float], int, FloodResult]:
    factory = None
    if fake:
        from tui_fakes import FakeKernel

        factory = FakeKernel(loss_points=STEPS, loss_batch=100, event_delay=0.02)
    with tempfile.TemporaryDirectory(prefix="nnlearn-bench-home-") as home:
        return await measure_in(Path(home), factory, fake, idle_presses, min_busy_presses)


async def measure_in(
    home: Path, factory, fake: bool, idle_presses: int, min_busy_presses: int
) -> tuple[list[float], list[float], int, FloodResult]:
    app = NnlearnApp(LESSONS, ProgressStore(home), session_factory=factory, autosave_delay=1.0)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.main_screen
        status = screen.query_one(StatusBar)
        for _ in range(3000):
            if status.state == "idle":
                break
            await pilot.pause(0.05)
        else:
            raise RuntimeError(f"the kernel did not become idle (state {status.state})")
        editor = screen.query_one(CodeEditor)
        screen.show_results_tab("tab-loss")  # the costliest pane to redraw stays on screen

        editor.load_text(TRAINING + "# loss\n")
        editor.focus()
        editor.move_cursor((editor.document.line_count - 1, 0))
        await pilot.pause()
        idle = [await timed_press(pilot, KEYS[i % len(KEYS)]) for i in range(idle_presses)]

        screen.action_run()
        await pilot.pause()
        editor.focus()
        busy: list[float] = []
        while screen.runner.running or len(busy) < min_busy_presses:
            if not screen.runner.running:
                screen.action_run()  # a fast machine finished early: run again
                await pilot.pause()
                editor.focus()
            busy.append(await timed_press(pilot, KEYS[len(busy) % len(KEYS)]))
        points = screen.query_one(LossView).series.received("loss")
        flood = await measure_flood(pilot, fake, min_busy_presses)
        await pilot.press("ctrl+q")
    return idle, busy, points, flood


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fake", action="store_true", help="use the fake kernel (no torch)")
    parser.add_argument("--presses", type=int, default=60, help="key presses at idle")
    args = parser.parse_args()
    idle, busy, points, flood = asyncio.run(measure(args.fake, args.presses, args.presses))
    print(f"loss points received by the Loss pane in the last run: {points:,}")
    print(f"output flood: {len(flood.busy)} key presses while it ran")
    report("flood_keypress_latency_ratio", idle, flood.busy)
    if not args.fake:
        print(
            f"output flood: the kernel ran it in {flood.kernel_seconds:.2f} s, "
            f"the screen was done after {flood.ui_seconds:.2f} s"
        )
        print(f"flood_catch_up_ratio {flood.ui_seconds / flood.kernel_seconds:.3f}")
    print(
        f"stop (F6 to the end of the run): {flood.stop_flood:.3f} s during a flood, "
        f"{flood.stop_quiet:.3f} s in a loop that prints nothing"
    )
    print(f"stop_during_flood_ratio {flood.stop_flood / flood.stop_quiet:.3f}")
    print(f"key presses: {len(idle)} idle, {len(busy)} while running")
    report("keypress_latency_ratio", idle, busy)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
