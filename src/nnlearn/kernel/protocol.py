"""The wire between client and probe: the code we send, the messages we read.

What the reports hold, and their MIME type, is nnlearn.kernel.events.

Kept apart from the session so that it can be tested without a kernel.
"""

from __future__ import annotations

from typing import Any

from nnlearn.kernel.events import MIME, Event, Stream, event_from_report, reports_in_data

__all__ = ["MIME", "PROBE_MODULE", "PROBE_NAME", "WARM_CODE", "events_in", "reports_in", "run_code"]

PROBE_NAME = "__nnlearn_probe__"
PROBE_MODULE = "nnlearn.probe"

# The kernel's warm-up must not import from the folder nnlearn was started in (a torch.py
# there would run before the learner pressed anything): ipykernel puts '' or that folder
# first on sys.path, so it is taken off before the first import. PYTHONSAFEPATH, which
# kept it off while the kernel itself started, is not passed on to the learner's processes.
WARM_CODE = f"""\
import os as __nnlearn_os, sys as __nnlearn_sys
__nnlearn_os.environ.pop("PYTHONSAFEPATH", None)
try:
    __nnlearn_here = __nnlearn_os.getcwd()
except OSError:  # the working folder was deleted: a relative entry leads nowhere
    __nnlearn_here = None
__nnlearn_sys.path[:] = [
    p for p in __nnlearn_sys.path
    if p and (__nnlearn_here is None and __nnlearn_os.path.isabs(p)
              or __nnlearn_here is not None and __nnlearn_os.path.abspath(p) != __nnlearn_here
              or p in __nnlearn_os.environ.get("PYTHONPATH", "").split(__nnlearn_os.pathsep))
]
del __nnlearn_os, __nnlearn_sys, __nnlearn_here
import nnlearn.probe as {PROBE_NAME}
{PROBE_NAME}.install()
"""

WARM_MODES = ("full", "lean", "spare")
_IMPORT_PROBE = f"import nnlearn.probe as {PROBE_NAME}\n"
_INSTALL = f"{PROBE_NAME}.install()"


def warm_code(mode: str = "full") -> str:
    """The warm-up code for a kernel's use: ``WARM_CODE`` with ``install`` told its mode.

    ``full`` for the TUI's kernel, ``lean`` for a one-shot ``nnlearn run`` (no warm-up
    that only pays off later), ``spare`` for a kernel kept in reserve: its imports run
    first in a low-priority thread (``quiet_import``) and it never touches CUDA.
    """
    if mode not in WARM_MODES:
        raise ValueError(f"unknown warm-up mode {mode!r}")
    if mode == "full":
        return WARM_CODE
    code = WARM_CODE.replace(_INSTALL, f"{PROBE_NAME}.install({mode!r})")
    if mode == "spare":
        quietly = "__import__('nnlearn.kernel.quiet_import', fromlist=['_']).import_quietly()\n"
        code = code.replace(_IMPORT_PROBE, quietly + _IMPORT_PROBE)
    return code


def run_code(
    code: str,
    device: str,
    check: str | None,
    path: str | None = None,
    argv: list[str] | None = None,
    inside: bool = True,
) -> str:
    """The one line the kernel executes for a Run: the probe gets the code as a string.

    ``path`` is the script's file for ``nnlearn run`` (None for the editor) and ``argv``
    its arguments; ``inside=False`` turns off the sampling of gradients, updates and
    activations (left out when on, so an older probe still understands the line). The probe is found through ``sys.modules`` rather than a name in the
    kernel's namespace, which a Run could have deleted.
    """
    args = list(argv or [])
    options = "" if inside else ", inside=False"
    return (
        f"__import__({PROBE_MODULE!r}, fromlist=['run'])"
        f".run({code!r}, device={device!r}, check={check!r}, "
        f"path={path!r}, argv={args!r}{options})"
    )


def reports_in(msg: dict[str, Any]) -> list[dict[str, Any]]:
    """The probe reports carried by one iopub message (none for other messages)."""
    if msg.get("msg_type") not in ("display_data", "update_display_data"):
        return []
    content = msg.get("content")
    return reports_in_data(content.get("data") if isinstance(content, dict) else None)


def events_in(msg: dict[str, Any]) -> list[Event]:
    """Typed events for one iopub message: streams, probe reports, raw tracebacks."""
    msg_type = msg.get("msg_type")
    content = msg.get("content", {})
    if msg_type == "stream":
        return [Stream(content.get("name", "stdout"), content.get("text", ""))]
    if msg_type == "error":
        # Only reached if the probe itself failed; the learner's errors come as reports.
        text = "\n".join(content.get("traceback", [])) or content.get("evalue", "")
        return [Stream("stderr", text + "\n")]
    events: list[Event] = []
    for report in reports_in(msg):
        event = event_from_report(report)
        if event is not None:
            events.append(event)
    return events
