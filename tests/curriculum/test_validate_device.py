"""``nnlearn lessons check --device D`` on a machine without D: one clear problem, nothing run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from nnlearn.kernel.events import RunError, RunFinished
from nnlearn.lesson_checker import check_lessons

GOOD = Path(__file__).parent / "fixtures" / "good"


class RefusingSession:
    """A kernel without the device asked for: every run ends with a DeviceError."""

    def __init__(self) -> None:
        self.runs: list[str] = []

    async def start(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def run(
        self, code: str, device: str = "auto", check: str | None = None
    ) -> AsyncIterator[Any]:
        self.runs.append(device)
        yield RunError(
            "DeviceError", "CUDA is not available here. Devices you can use: cpu.", None, ""
        )
        yield RunFinished(ok=False, device=None, seconds=0.0)


async def test_a_refused_device_is_one_problem_and_stops_the_check() -> None:
    session = RefusingSession()
    problems = await check_lessons(GOOD, session_factory=lambda: session, device="cuda")
    assert [(p.path, p.line, p.message) for p in problems] == [
        (
            GOOD,
            None,
            "cannot check on device 'cuda': CUDA is not available here. Devices you can use: cpu.",
        )
    ]
    assert session.runs == ["cuda"], "nothing more is run once the device is refused"


class OwnDeviceErrorSession(RefusingSession):
    """A lesson whose code raises its own ``DeviceError``: an ordinary failure."""

    async def run(
        self, code: str, device: str = "auto", check: str | None = None
    ) -> AsyncIterator[Any]:
        self.runs.append(device)
        traceback = 'Traceback (most recent call last):\n  File "<editor>", line 1\nDeviceError'
        yield RunError("DeviceError", "raised by the lesson", 1, traceback)
        yield RunFinished(ok=False, device=device, seconds=0.0)


async def test_a_lessons_own_device_error_is_not_a_refused_device() -> None:
    session = OwnDeviceErrorSession()
    problems = await check_lessons(GOOD, session_factory=lambda: session, device="cpu")
    assert len(session.runs) > 1, "the check goes on to the next blocks"
    assert not any("cannot check on device" in p.message for p in problems)
    assert any("raised DeviceError: raised by the lesson" in p.message for p in problems)
