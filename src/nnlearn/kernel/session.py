"""KernelSession: run the learner's code in a warm Jupyter kernel and stream typed events.

The kernel protocol gives us streaming output, interrupts, restarts,
heartbeats and remote kernels; this class adds what a learner needs on top:
a kernel warmed in the background, one Run at a time turned into typed
events, an interrupt that escalates to a restart when SIGINT is ignored, and
a dead kernel noticed and reported instead of a hang. This module is the
kernel's life cycle (start, warm-up, restart into the spare, shutdown, watch);
what a Run does with the kernel is ``run_loop.py``'s ``RunLoop``, a base class.

    session = KernelSession(on_status=callback)   # callback(KernelStatus), on the event loop
    await session.start()                         # launch + warm (torch imported, probe installed)
    async for event in session.run(code, device="auto", check=None):
        ...                                       # RunFinished always comes last
    await session.interrupt(); await session.restart(); await session.shutdown()
    KernelSession(connection_file="kernel-123.json")   # attach to a running kernel
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient

from nnlearn.kernel.early_kernel import EarlyKernel, EarlyStart
from nnlearn.kernel.events import KernelInfo, KernelStatus
from nnlearn.kernel.kernel_command import kernel_env
from nnlearn.kernel.manager import NnlearnKernelManager, death_reason
from nnlearn.kernel.protocol import WARM_CODE, events_in, warm_code
from nnlearn.kernel.run_loop import RunLoop
from nnlearn.kernel.runner import KernelError, StoppedByShutdown
from nnlearn.kernel.spare import SpareKernel
from nnlearn.kernel.stoppable import StoppableSteps
from nnlearn.kernel.workdirs import log_tail, make_workdir

__all__ = ["KernelError", "KernelSession", "StoppedByShutdown"]

# The spare kernel is launched this long after the first kernel is warm (and never
# during a Run): a Run asked for at once, and the kernel's own background warm-up,
# get the CPU first.
SPARE_DELAY = 3.0


class KernelSession(RunLoop):
    """One kernel, used for one Run at a time (the Run itself: ``run_loop.py``)."""

    def __init__(
        self,
        *,
        connection_file: str | Path | None = None,
        on_status: Callable[[KernelStatus], None] | None = None,
        interrupt_grace: float = 2.0,
        startup_timeout: float = 120.0,
        cwd: str | Path | None = None,
        warm: str = "full",
        spare: bool = False,
        early: EarlyStart | None = None,
        plain_output: bool = False,
    ) -> None:
        """``warm``: see ``protocol.warm_code``. ``plain_output``: the Runs' output goes
        to a file or a pipe, not a terminal (``kernel_command.kernel_env``). ``spare``:
        keep a warm kernel in reserve for restarts (``kernel/spare.py``); never for an
        attached kernel. ``early``: the kernel ``nnlearn`` launched before the app
        (``early_kernel``), adopted by the first start; if that launch failed,
        ``start_note`` says so."""
        self._init_run_loop(interrupt_grace)
        self.connection_file = Path(connection_file) if connection_file else None
        self.on_status = on_status
        self.startup_timeout = startup_timeout
        self.cwd = str(cwd) if cwd else os.getcwd()
        self.info: KernelInfo | None = None
        self.state = "stopped"
        self.detail = ""
        self._km: NnlearnKernelManager | None = None
        self._kc: AsyncKernelClient | None = None
        self._start_lock = asyncio.Lock()
        self._steps = StoppableSteps()  # starts and restarts, stopped first by a shutdown
        self._log: Any = None
        self._workdir: Path | None = None
        self.warm_mode = warm
        self.plain_output = plain_output
        self.spare: SpareKernel | None = None
        if spare and connection_file is None:
            self.spare = SpareKernel(
                lambda: KernelSession(cwd=self.cwd, warm="spare", startup_timeout=startup_timeout),
                busy=lambda: self._running,
                delay=SPARE_DELAY,
            )
        self._previous_info: KernelInfo | None = None
        self._early: EarlyKernel | None = None
        self.start_note: str | None = None
        if early is not None and early.kernel is not None:
            self._early = early.kernel
        elif early is not None and early.failure is not None:
            self.start_note = (
                f"The kernel could not be launched early ({early.failure}); "
                "it was started the usual way."
            )

    # life cycle ---------------------------------------------------------------------------

    @property
    def attached(self) -> bool:
        return self.connection_file is not None

    @property
    def ready(self) -> bool:
        return self.state in ("idle", "busy")

    def _set_state(self, state: str, detail: str = "") -> None:
        self.state, self.detail = state, detail
        if self.on_status is not None:
            self.on_status(KernelStatus(state, detail))

    async def start(self) -> KernelInfo:
        """Start (or attach to) the kernel and warm it; safe to call again."""
        async with self._start_lock:
            if self.ready and self.info is not None:
                return self.info
            try:
                info = await self._steps.run(self._launch_and_warm())
                if self.spare is not None:
                    self.spare.fill()
                return info
            except StoppedByShutdown:
                raise  # the session is stopped, not dead
            except KernelError:
                self._set_state("dead", "could not start")
                raise
            except Exception as exc:
                self._set_state("dead", "could not start")
                raise KernelError(f"Could not start the Python kernel: {exc}") from exc

    async def _launch_and_warm(self) -> KernelInfo:
        launched = time.perf_counter()
        await self._launch()
        # A kernel launched torch first imported it while it launched: count that.
        return await self._warm(launched if self._km and self._km.torch_first else None)

    async def _launch(self) -> None:
        self._set_state("starting", "starting Python")
        if self._kc is not None:
            return
        if self.connection_file is not None:
            if not self.connection_file.exists():
                raise KernelError(
                    f"No kernel connection file at {self.connection_file}. Start a kernel on "
                    "the GPU box (python -m ipykernel_launcher -f kernel.json) and copy "
                    "kernel.json here, with its ports forwarded over SSH."
                )
            kc = AsyncKernelClient()
            kc.load_connection_file(str(self.connection_file))
        else:
            self._require_working_folder()
            km, env = self._manager()
            try:
                await km.start_kernel(
                    env=env, cwd=self.cwd, stdout=subprocess.DEVNULL, stderr=self._log
                )
            except asyncio.CancelledError:  # Ctrl+C while it starts: leave no process behind
                with contextlib.suppress(Exception):
                    await km.shutdown_kernel(now=True)
                raise
            self._km = km
            kc = km.client()
            await km.until_listening(self.startup_timeout)
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=self.startup_timeout)
        except RuntimeError as exc:
            kc.stop_channels()
            raise KernelError(f"The kernel did not answer: {exc}{log_tail(self._workdir)}") from exc
        except asyncio.CancelledError:
            kc.stop_channels()
            raise
        self._kc = kc

    def _manager(self) -> tuple[NnlearnKernelManager, dict[str, str]]:
        """A manager for a new kernel (or for the early one), and the kernel's environment."""
        km = NnlearnKernelManager(transport="ipc" if os.name == "posix" else "tcp")
        # Kernels that import torch at normal priority anyway import it before ipykernel.
        km.torch_first = self.warm_mode == "full"
        early, self._early = self._early, None
        if early is not None and early.cwd == self.cwd and early.process.poll() is None:
            self._workdir, self._log = early.workdir, early.log
            km.adopt(early)
            return km, early.env
        if early is not None:  # it died already, or runs elsewhere: start the usual way
            early.discard()
        # A private folder for the IPC sockets and the kernel's own stderr, which must
        # never scribble over the TUI; its tail explains a kernel that fails to start.
        self._workdir = make_workdir()
        # The connection file holds the kernel's key: in the private folder, not loose in /tmp.
        km.connection_file = str(self._workdir / "kernel.json")
        if km.transport == "ipc":
            km.ip = str(self._workdir / "kernel")
        self._log = open(self._workdir / "kernel.log", "ab")  # noqa: SIM115
        return km, kernel_env(plain_output=self.plain_output)

    async def _warm(self, started: float | None = None) -> KernelInfo:
        """Run the warm-up; ``warm_seconds`` counts from ``started`` (default: now)."""
        self._set_state("warming", "importing torch")
        started = time.perf_counter() if started is None else started
        infos: list[KernelInfo] = []
        failure = ""
        code = WARM_CODE if self.warm_mode == "full" else warm_code(self.warm_mode)
        async for msg in self._execute(code):
            infos.extend(event for event in events_in(msg) if isinstance(event, KernelInfo))
            if msg["msg_type"] == "error":
                failure = f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}"
        if not infos:
            self._set_state("dead", "warm-up failed")
            raise KernelError(
                "The kernel started but could not load nnlearn's probe"
                + (f" ({failure})" if failure else "")
                + ". Is nnlearn (and torch) installed in the kernel's Python? "
                "pip install nnlearn there." + log_tail(self._workdir)
            )
        # A spare's report has no devices (describing GPUs would wake CUDA): the swap
        # keeps the old kernel's list.
        self.info = dataclasses.replace(infos[-1], warm_seconds=time.perf_counter() - started)
        self._set_state("idle")
        return self.info

    async def shutdown(self) -> None:
        """Stop the kernel (or just detach from an attached one), and its spare.

        A start or restart under way is stopped first, and none begins until the kernel
        is stopped (``stoppable.py``): it raises ``StoppedByShutdown`` (``restart()``
        returns), and nothing it launched lives on.
        """
        async with self._steps.stopping():
            if self.spare is not None:
                await self.spare.close()
            if self._early is not None:  # launched for this session, never adopted
                self._early.discard()
                self._early = None
            if self._kc is not None:
                self._kc.stop_channels()
                self._kc = None
            if self._km is not None:
                with contextlib.suppress(Exception):
                    await self._km.shutdown_kernel(now=True)
                self._km = None
            if self._log is not None:
                self._log.close()
                self._log = None
            if self._workdir is not None:
                shutil.rmtree(self._workdir, ignore_errors=True)
                self._workdir = None
            self.info = None
            self._set_state("stopped")

    async def restart(self) -> None:
        """A fresh kernel: everything defined in the old one is gone.

        If ``shutdown()`` comes meanwhile, it returns with the session stopped.
        """
        if self._running:
            self._escalate = True
            await self._run_done.wait()
            return
        async with self._run_lock:
            with contextlib.suppress(StoppedByShutdown):
                await self._restart()

    async def _restart(self) -> None:
        """Restart (the run lock held); ``StoppedByShutdown`` if shut down meanwhile."""
        await self._steps.run(self._replace_kernel())

    async def _replace_kernel(self) -> None:
        if self.attached:
            raise KernelError(
                "This kernel runs elsewhere (attached through a connection file): restart it "
                "on that machine, then attach again."
            )
        self._set_state("restarting", "restarting the kernel")
        self._escalate = False
        self._previous_info, self.info = self.info or self._previous_info, None
        if await self._swap_in_spare():
            return
        self._require_working_folder()
        if self._km is None:
            await self._launch()
        else:
            await self._km.restart_kernel(now=True)
            assert self._kc is not None
            try:
                await self._kc.wait_for_ready(timeout=self.startup_timeout)
            except RuntimeError as exc:
                raise KernelError(f"The restarted kernel did not answer: {exc}") from exc
        await self._warm()

    def _require_working_folder(self) -> None:
        """A kernel starts in the working folder: one deleted or moved away is said as such.

        (Launching there raised a bare FileNotFoundError from deep in subprocess.)
        """
        if not os.path.isdir(self.cwd):
            raise KernelError(
                f"The working folder {self.cwd} no longer exists (deleted or moved while "
                "nnlearn ran), so no new kernel can start in it. Quit and start nnlearn again "
                "in a folder that exists."
            )
        if not os.access(self.cwd, os.X_OK):
            raise KernelError(
                f"The working folder {self.cwd} cannot be entered (no permission), so no new "
                f"kernel can start in it: chmod u+rx {self.cwd}, or start nnlearn elsewhere."
            )

    async def _swap_in_spare(self) -> bool:
        """Replace this kernel by the warm spare, if there is one; the old one is shut down."""
        pool = self.spare
        spare = await pool.take() if pool is not None else None
        if pool is None or spare is None or spare.info is None:
            return False
        old = KernelSession(cwd=self.cwd)
        old._km, old._kc, old._log, old._workdir = self._km, self._kc, self._log, self._workdir
        self._km, self._kc, self._log, self._workdir = (
            spare._km,
            spare._kc,
            spare._log,
            spare._workdir,
        )
        spare._km = spare._kc = spare._log = spare._workdir = None
        info = spare.info
        if self._previous_info is not None:  # the spare did not describe the GPUs
            info = dataclasses.replace(info, devices=self._previous_info.devices)
        self.info = info
        pool.shut_down_later(old)
        self._set_state("idle")
        return True

    async def watch(self, interval: float = 1.0) -> None:
        """Notice a kernel that dies between Runs (runs until shutdown; use as a task)."""
        while self.state != "stopped":
            await asyncio.sleep(interval)
            if self.state == "idle" and not self._running and not await self.is_alive():
                self._set_state("dead", death_reason(await self._exit_code()))

    async def is_alive(self) -> bool:
        if self._kc is None:
            return False
        if self._km is not None:
            return bool(await self._km.is_alive())
        return bool(self._kc.hb_channel.is_beating())

    async def _exit_code(self) -> int | None:
        if self._km is None or self._km.provisioner is None:
            return None
        with contextlib.suppress(Exception):
            return await self._km.provisioner.poll()
        return None
