"""A fake kernel session with KernelSession's async API, for fast deterministic UI tests.

What a run yields is decided by markers in the code, so a test reads like
what the learner typed: ``raise`` fails on that line, ``nn.Linear(3, 1)`` gives
shape and parameter rows, ``huge`` the tables of a model of 1,200 identical blocks
in parts, as the probe sends them, ``loss`` gives loss points, ``nnlearn.plot`` two
scatter series, ``block`` runs until interrupted, ``flood`` prints numbered
lines in big chunks until interrupted, ``die`` kills the kernel, ``log_of_negative``
a NaN loss under finite gradients.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from nnlearn.kernel.events import (
    CheckResult,
    DeviceInfo,
    Event,
    InsideSample,
    KernelDied,
    KernelInfo,
    KernelRestarted,
    KernelStatus,
    LayerActivity,
    LossPoints,
    ParamFlow,
    ParamRow,
    Params,
    PlotPoints,
    RunError,
    RunFinished,
    ShapeRow,
    Shapes,
    Stream,
)

SECONDS = 0.25
# Imported from here, not from conftest: several test folders have a conftest module.
FIXTURE_LESSONS = Path(__file__).parent / "fixtures" / "lessons"


@dataclass
class RunCall:
    code: str
    device: str
    check: str | None
    inside: bool = True


@dataclass
class FakeSession:
    on_status: Callable[[KernelStatus], None]
    devices: tuple[str, ...] = ("cpu",)
    loss_points: int = 30
    loss_batch: int = 10
    event_delay: float = 0.0  # seconds between events, to make a run last
    greeting: str = "hello from the fake kernel\n"  # the first output of every run
    check_message: str = "layer should be an nn.Linear"
    hold_start: asyncio.Event | None = None
    hold_restart: asyncio.Event | None = None  # a restart waits for it (one in flight)
    hold_run: asyncio.Event | None = None  # a run waits for it after its first output
    info: KernelInfo | None = None
    state: str = "stopped"
    calls: list[RunCall] = field(default_factory=list)
    restarts: int = 0
    interrupts: int = 0
    shut_down: bool = False

    def __post_init__(self) -> None:
        self._interrupted = asyncio.Event()
        self._death: str | None = None
        self.watching = False

    def _set(self, state: str, detail: str = "") -> None:
        self.state = state
        self.on_status(KernelStatus(state, detail))

    async def start(self) -> None:
        self._set("starting")
        self._set("warming", "importing torch")
        if self.hold_start is not None:
            await self.hold_start.wait()
        self.info = KernelInfo(
            python="3.11",
            torch="2.fake",
            cuda=None,
            devices=tuple(DeviceInfo(name, f"fake {name}") for name in self.devices),
            warm_seconds=0.0,
        )
        self._set("idle")

    async def run(
        self, code: str, device: str = "auto", check: str | None = None, *, inside: bool = True
    ) -> AsyncIterator[Event]:
        self.calls.append(RunCall(code, device, check, inside))
        if self.state == "dead":  # as KernelSession.run does
            yield KernelRestarted("the kernel had died")
            await self.restart()
        self._interrupted.clear()
        self._set("busy")
        ran_on = self.devices[0] if device == "auto" else device
        try:
            async for event in self._events(code, ran_on, check, inside):
                yield event
                await asyncio.sleep(self.event_delay)
        finally:
            if self.state == "busy":
                self._set("idle")

    async def _events(
        self, code: str, device: str, check: str | None, inside: bool = True
    ) -> AsyncIterator[Event]:
        if "die" in code:
            self._set("dead", "os._exit")
            yield KernelDied("the kernel process exited")
            yield RunFinished(ok=False, device=device, seconds=SECONDS)
            return
        yield Stream("stdout", self.greeting)
        if self.hold_run is not None:
            await self.hold_run.wait()
        if "flood" in code:
            number = 0
            while not self._interrupted.is_set():
                yield Stream("stdout", "".join(f"{n}\n" for n in range(number, number + 5000)))
                number += 5000
            yield Stream("stderr", "KeyboardInterrupt\n")
            yield RunFinished(ok=False, device=device, seconds=SECONDS, interrupted=True)
            return
        if "block" in code:
            await self._interrupted.wait()
            yield Stream("stderr", "KeyboardInterrupt\n")
            yield RunFinished(ok=False, device=device, seconds=SECONDS, interrupted=True)
            return
        for number, line in enumerate(code.splitlines(), start=1):
            if "raise" in line:
                yield RunError(
                    type="ValueError",
                    message="boom",
                    line=number,
                    traceback=f'  File "<editor>", line {number}\n    {line.strip()}\nValueError: boom',
                )
                yield RunFinished(ok=False, device=device, seconds=SECONDS)
                return
        if "nn.Linear(3, 1)" in code:
            yield Shapes((ShapeRow("layer", "Linear", [[4, 3]], [[4, 1]], "float32", device, 1),))
            yield Params(
                model="layer",
                cls="Linear",
                total=4,
                trainable=4,
                frozen=0,
                buffers=0,
                bytes=16,
                rows=(
                    ParamRow("weight", [1, 3], 3, "float32", device, True, False),
                    ParamRow("bias", [1], 1, "float32", device, True, False),
                ),
            )
        if "huge" in code:
            for part in huge_model_parts(device):
                yield part
        if "loss" in code:
            for start in range(0, self.loss_points, self.loss_batch):
                stop = min(start + self.loss_batch, self.loss_points)
                yield LossPoints("loss", tuple((s, 1.0 / (s + 1)) for s in range(start, stop)))
        if "frozen" in code and inside:
            for step in (0, 10, 20):
                yield InsideSample(
                    step=step,
                    params=(
                        ParamFlow("model.0.weight", True, 0.5 / (step + 1), 2.0, 1e-3, True),
                        ParamFlow("model.2.weight", False, None, 1.5, None, True),
                    ),
                    layers=(
                        LayerActivity("model.0", "Linear", 0.1, 0.9, 0.0),
                        LayerActivity("model.1", "ReLU", 0.0, 0.0, 1.0),
                    ),
                )
        if "log_of_negative" in code and inside:  # a NaN loss whose gradients stay finite
            yield LossPoints("loss", tuple((step, math.nan) for step in range(21)))
            for step in (0, 20):
                yield InsideSample(
                    step=step, params=(ParamFlow("model.0.weight", True, 0.01, 2.0, 1e-3, True),)
                )
        if "nnlearn.plot" in code:
            yield PlotPoints("data", tuple((x / 10, 0.7 * x / 10 + 0.3) for x in range(10)), 10)
            yield PlotPoints("pred", tuple((x / 10, 0.1) for x in range(10)), 10)
        if check is not None:
            ok = "nn.Linear(3, 1)" in code
            yield CheckResult(ok, "" if ok else self.check_message)
        yield RunFinished(ok=True, device=device, seconds=SECONDS)

    async def interrupt(self) -> None:
        self.interrupts += 1
        self._interrupted.set()

    async def restart(self) -> None:
        self.restarts += 1
        self._set("restarting")
        if self.hold_restart is not None:
            await self.hold_restart.wait()
        if self.state == "stopped":  # shut down meanwhile: the restart ends with nothing started
            return
        self._set("idle")

    async def shutdown(self) -> None:
        self.shut_down = True
        self._set("stopped")
        if self.hold_restart is not None:
            self.hold_restart.set()  # a restart in flight ends, as a real kernel's does
            await asyncio.sleep(0)

    def kill(self, reason: str = "it was killed by SIGKILL") -> None:
        """The kernel process goes away between Runs: ``watch`` finds it, as KernelSession's does."""
        self._death = reason

    async def watch(self, interval: float = 1.0) -> None:
        self.watching = True
        while self.state != "stopped":
            await asyncio.sleep(0.01)
            if self.state == "idle" and self._death is not None:
                reason, self._death = self._death, None
                self._set("dead", reason)


HUGE_BLOCKS = 1200


def huge_model_parts(device: str) -> list[Event]:
    """The shapes and params of ``HUGE_BLOCKS`` identical Linear blocks, in parts of 1,000 rows."""
    shapes = [ShapeRow("model", "Big", [[2, 4]], [[2, 4]], "float32", device, 1)]
    params = []
    for index in range(HUGE_BLOCKS):
        shapes.append(
            ShapeRow(f"model.blocks.{index}", "Linear", [[2, 4]], [[2, 4]], "float32", device, 1)
        )
        params.append(
            ParamRow(f"blocks.{index}.weight", [4, 4], 16, "float32", device, True, False)
        )
    parts: list[Event] = [
        Shapes(tuple(shapes[first : first + 1000]), first, len(shapes))
        for first in range(0, len(shapes), 1000)
    ]
    total = 16 * HUGE_BLOCKS
    parts += [
        Params(
            "model",
            "Big",
            total,
            total,
            0,
            0,
            4 * total,
            tuple(params[first : first + 1000]),
            first,
            len(params),
        )
        for first in range(0, len(params), 1000)
    ]
    return parts


class FakeKernel:
    """A session factory that remembers the sessions it made."""

    def __init__(self, **options) -> None:
        self.options = options
        self.sessions: list[FakeSession] = []

    def __call__(self, on_status: Callable[[KernelStatus], None]) -> FakeSession:
        session = FakeSession(on_status, **self.options)
        self.sessions.append(session)
        return session

    @property
    def session(self) -> FakeSession:
        return self.sessions[-1]
