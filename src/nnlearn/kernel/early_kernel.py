"""The learner's kernel, launched as the first thing ``nnlearn`` does and adopted later.

Why: the kernel's start (Python, ``import torch``, ipykernel) is what a learner
who presses F5 at once waits for, and it needs none of the app. Launched after
the app's first frame, as it was, it began half a second late: Textual's import,
the first frame and jupyter_client's import came first. Here it is launched
before any of them, with the standard library only: a private folder, a
connection file we write ourselves (IPC sockets in that folder, so no ports to
pick) and the same command line and environment as every other nnlearn kernel
(``kernel_command``). ``KernelSession`` adopts the running process later, as if
jupyter_client had launched it (``manager.NnlearnKernelManager.adopt``).

POSIX only (the IPC transport): elsewhere nothing is launched early and the
session starts the kernel as usual. A launch that fails is reported by
``EarlyStart.failure`` and the session starts the kernel the usual way, saying
so. A kernel nobody adopts (the app stopped first) is shut down with ``discard``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from nnlearn.kernel.kernel_command import kernel_argv, kernel_env
from nnlearn.kernel.workdirs import make_workdir

CONNECTION_FILE = "kernel.json"
LOG_FILE = "kernel.log"
SOCKET_PREFIX = "kernel"
PORTS = {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}


@dataclass
class EarlyKernel:
    """A kernel process already running, and what a manager needs to adopt it."""

    process: subprocess.Popen[bytes]
    workdir: Path
    log: BinaryIO
    cwd: str
    env: dict[str, str]
    adopted: bool = field(default=False)

    @property
    def connection_file(self) -> Path:
        return self.workdir / CONNECTION_FILE

    def discard(self) -> None:
        """Stop the process and remove its folder, unless a session adopted it."""
        if self.adopted:
            return
        self.adopted = True  # once
        with contextlib.suppress(OSError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


@dataclass(frozen=True)
class EarlyStart:
    """What ``launch`` did: a running kernel, or why there is none (None: not tried)."""

    kernel: EarlyKernel | None = None
    failure: str | None = None


def launch(cwd: str | None = None) -> EarlyStart:
    """Launch the kernel process now (POSIX), never raising: a failure is reported."""
    if os.name != "posix":
        return EarlyStart()
    workdir: Path | None = None
    try:
        workdir = make_workdir()
        return EarlyStart(_launch_in(workdir, cwd or os.getcwd()))
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
        return EarlyStart(failure=f"{type(exc).__name__}: {exc}")


def _launch_in(workdir: Path, cwd: str) -> EarlyKernel:
    connection_file = workdir / CONNECTION_FILE
    _write_connection_file(connection_file, workdir / SOCKET_PREFIX)
    env = kernel_env()
    env["JPY_PARENT_PID"] = str(os.getpid())  # ipykernel exits when the app is gone
    log = open(workdir / LOG_FILE, "ab")  # noqa: SIM115 (the session closes it)
    try:
        process = subprocess.Popen(
            kernel_argv(str(connection_file), torch_first=True),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            cwd=cwd,
            env=env,
            start_new_session=True,  # as jupyter_client launches: signals go to its group
        )
    except BaseException:
        log.close()
        raise
    return EarlyKernel(process, workdir, log, cwd, env)


def _write_connection_file(path: Path, socket_base: Path) -> None:
    """What jupyter_client writes for an IPC kernel; the key keeps other users out."""
    info = {
        **PORTS,
        "ip": str(socket_base),
        "key": str(uuid.uuid4()),
        "transport": "ipc",
        "signature_scheme": "hmac-sha256",
        "kernel_name": "",
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(info, file)
