"""How nnlearn launches its own kernels: the command line and the environment.

Standard library only: ``nnlearn`` launches its first kernel with these before it
imports jupyter_client or Textual (``early_kernel``), and ``KernelSession``
launches every other kernel with the same, so that both start alike.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# torch first, then ipykernel (kernel/launcher.py): for kernels that import torch at
# once anyway. A spare imports it in a lowered thread, so it starts ipykernel's way.
TORCH_FIRST = "nnlearn.kernel.launcher"
IPYKERNEL_FIRST = "ipykernel_launcher"

# Variables the kernel's start changes (nnlearn's PYTHONPATH and PYTHONSAFEPATH, ipykernel's
# MPLBACKEND and TERM) that a script run by python would see as the user set them. Their
# values here travel to the kernel in SCRIPT_ENV, and a Run gets them back (probe/script.py).
SCRIPT_ENV_NAMES = ("PYTHONPATH", "PYTHONSAFEPATH", "MPLBACKEND", "TERM")
# ipykernel forces colour, for a notebook. Where nnlearn's output is not a terminal
# (``nnlearn run FILE > log.txt``) a Run gets the user's values of these too, so that
# libraries write plain text there, as under python.
COLOUR_ENV_NAMES = ("FORCE_COLOR", "CLICOLOR_FORCE", "CLICOLOR")
SCRIPT_ENV = "NNLEARN_SCRIPT_ENV"


def kernel_argv(connection_file: str, *, torch_first: bool) -> list[str]:
    """The kernel's command line: this Python, whatever kernelspecs the user has."""
    return [
        sys.executable,
        "-m",
        TORCH_FIRST if torch_first else IPYKERNEL_FIRST,
        "-f",
        connection_file,
        "--HistoryManager.enabled=False",
        "--IPKernelApp.quiet=True",
    ]


def kernel_env(*, plain_output: bool = False) -> dict[str, str]:
    """The kernel's environment: this one, with nnlearn importable and the folder safe.

    ``plain_output``: what the Runs print goes somewhere other than a terminal.
    """
    env = dict(os.environ)
    names = SCRIPT_ENV_NAMES + (COLOUR_ENV_NAMES if plain_output else ())
    env[SCRIPT_ENV] = json.dumps({name: os.environ.get(name) for name in names})
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    env["NNLEARN_KERNEL"] = "1"
    # Python 3.11+: the folder nnlearn runs in is not put on the kernel's sys.path, so a
    # torch.py or json.py there is not imported while the kernel starts (see WARM_CODE).
    env["PYTHONSAFEPATH"] = "1"
    env.pop("NO_COLOR", None)  # tracebacks are ours; keep the learner's prints as they are
    return env
