"""The probe: the only nnlearn code that runs inside the kernel and imports torch.

``install()`` warms the kernel (imports torch, runs one tiny forward and
backward pass so the first Run pays no lazy start-up) and reports what the
kernel has. ``run()`` executes the learner's code as a fresh script on the
chosen device and reports shapes, parameters, loss points, errors and an
exercise check as ``application/vnd.nnlearn.v1+json`` display data.
"""

from __future__ import annotations

import builtins
import contextlib
import linecache
import platform
import sys
import time
from collections.abc import Iterator
from typing import Any

import torch

from nnlearn.probe.devices import DeviceUnavailable, available_devices, resolve_device
from nnlearn.probe.errors import exception_report, syntax_error_report
from nnlearn.probe.loss import LossRecorder
from nnlearn.probe.params import module_paths, params_reports, top_level_models
from nnlearn.probe.shapes import ShapeRecorder

MIME = "application/vnd.nnlearn.v1+json"
EDITOR_FILENAME = "<editor>"
CHECK_FILENAME = "<check>"


def _publish(reports: list[dict[str, Any]], *, flush_streams: bool = True) -> None:
    """Send reports as one display_data message on iopub.

    IPython's own ``publish_display_data`` flushes stdout and stderr first (each a
    round trip to ipykernel's I/O thread) and walks the data to clean it; during a
    training loop that cost about 10 % of the run. Loss batches skip both: the
    reports are plain JSON already and need no ordering against printed output.
    The final report of a Run flushes, so everything printed comes before ``done``.
    """
    data = {MIME: {"kind": "batch", "reports": reports}}
    if flush_streams:
        sys.stdout.flush()
        sys.stderr.flush()
    publisher = _display_publisher()
    if publisher is None:
        from IPython.display import publish_display_data

        publish_display_data(data)
        return
    content = {"data": data, "metadata": {}, "transient": {}}
    msg = publisher.session.msg("display_data", content, parent=publisher.parent_header)
    publisher.session.send(publisher.pub_socket, msg, ident=publisher.topic)


def _display_publisher() -> Any:
    """ipykernel's display publisher, or None outside a kernel."""
    from IPython.core.getipython import get_ipython

    shell = get_ipython()
    publisher = getattr(shell, "display_pub", None)
    needed = ("session", "pub_socket", "parent_header", "topic")
    if publisher is None or not all(hasattr(publisher, name) for name in needed):
        return None
    return publisher


class _Probe:
    def __init__(self) -> None:
        self.shapes = ShapeRecorder()
        self.loss = LossRecorder(lambda reports: _publish(reports, flush_streams=False))
        self.loss.extra_reports = self._live_shapes
        self.namespace: dict[str, Any] = {}

    def _live_shapes(self) -> list[dict[str, Any]]:
        if not self.shapes.new_since_flush:
            return []
        return [self.shapes.report(module_paths(top_level_models(self.namespace)))]


_probe = _Probe()


def track(name: str, value: Any, step: int | None = None) -> None:
    """Record a point of a named series (``nnlearn.track`` lands here)."""
    if isinstance(value, torch.Tensor):
        value = value.detach()
    _probe.loss.add(str(name), value, step)


def install(mode: str = "full") -> None:
    """Warm the kernel and publish a ``ready`` report.

    ``full`` reports ready once a first backward pass is done and leaves the optimizers'
    lazy imports to a background thread, so that F5 can run code sooner. ``lean`` (a
    one-shot ``nnlearn run``) skips the warm-up: the script pays for what it uses, as
    under ``python``. ``spare`` (a kernel kept in reserve, already warmed by
    ``nnlearn.kernel.quiet_import``) leaves the devices out of the report: describing a
    GPU initialises CUDA, and a spare must not hold GPU memory before it is used.
    """
    started = time.perf_counter()
    if mode == "full":
        from nnlearn.kernel.quiet_import import warm_in_background

        _warm_torch(optimizers=False)
        warm_in_background()
    elif mode == "spare":
        _warm_torch()
    report = {
        "kind": "ready",
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "devices": None if mode == "spare" else available_devices(),
        "warm_seconds": time.perf_counter() - started,
    }
    _publish([report])


def _warm_torch(optimizers: bool = True) -> None:
    # The first optimizer step imports torch._dynamo (seconds on a small machine): pay
    # for it here, while the learner reads, not on their first Run.
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    if not optimizers:
        torch.nn.functional.mse_loss(model(torch.zeros(3, 2)), torch.zeros(3, 1)).backward()
        return
    for optimizer_class in (torch.optim.SGD, torch.optim.Adam):
        optimizer = optimizer_class(model.parameters(), lr=0.01)
        loss = torch.nn.functional.mse_loss(model(torch.zeros(3, 2)), torch.zeros(3, 1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


@contextlib.contextmanager
def _default_device(device: torch.device) -> Iterator[None]:
    # The CPU needs no context (and a device context costs time on every op).
    if device.type == "cpu":
        yield
        return
    torch.set_default_device(device)
    try:
        yield
    finally:
        torch.set_default_device(None)


def _register_source(filename: str, code: str) -> None:
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)


def _done(ok: bool, device: str | None, started: float, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "done",
        "ok": ok,
        "device": device,
        "seconds": time.perf_counter() - started,
        **extra,
    }


def run(code: str, device: str = "auto", check: str | None = None) -> None:
    """Run ``code`` as a fresh script and publish everything it did."""
    started = time.perf_counter()
    try:
        chosen = resolve_device(device)
    except DeviceUnavailable as exc:
        error = {"kind": "error", "type": "DeviceError", "message": str(exc), "line": None}
        error["traceback"] = ""
        _publish([error, *_check_not_run(check), _done(False, None, started)])
        return
    _register_source(EDITOR_FILENAME, code)
    try:
        compiled = compile(code, EDITOR_FILENAME, "exec")
    except SyntaxError as exc:
        reports = [syntax_error_report(exc), *_check_not_run(check)]
        _publish([*reports, _done(False, str(chosen), started)])
        return

    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__builtins__": builtins,
        "device": chosen,
    }
    _probe.namespace = namespace
    ok, interrupted, error = _execute(compiled, namespace, chosen)
    reports = _probe.loss.reports()
    try:
        reports.extend(_model_reports(namespace))
    except Exception as exc:  # a strange object in the namespace must not lose the run
        reports.append(exception_report(exc, EDITOR_FILENAME) | {"type": "ReportError"})
    finally:
        _probe.shapes.clear()
    if error is not None:
        reports.append(error)
    if check is not None and ok:
        reports.append(_run_check(check, namespace))
    else:
        reports.extend(_check_not_run(check))
    extra = {"interrupted": True} if interrupted else {}
    reports.append(_done(ok, str(chosen), started, **extra))
    _probe.namespace = {}
    namespace.clear()
    _publish(reports)


def _model_reports(namespace: dict[str, Any]) -> list[dict[str, Any]]:
    models = top_level_models(namespace)
    reports = []
    if _probe.shapes.records:
        reports.append(_probe.shapes.report(module_paths(models)))
    reports.extend(params_reports(models))
    return reports


def _check_not_run(check: str | None) -> list[dict[str, Any]]:
    """The check's report when the learner's code failed first: none without a check."""
    if check is None:
        return []
    message = (
        "Your code stopped with an error before the check could run: "
        "fix the error shown in Output first."
    )
    return [{"kind": "check", "ok": False, "message": message}]


def _execute(
    compiled: Any, namespace: dict[str, Any], chosen: torch.device
) -> tuple[bool, bool, dict[str, Any] | None]:
    """Run the learner's code with hooks on: (ok, interrupted, error report)."""
    _probe.shapes.start()
    _probe.loss.start()
    try:
        with _default_device(chosen):
            exec(compiled, namespace)
            if chosen.type == "cuda":
                torch.cuda.synchronize(chosen)
        return True, False, None
    except KeyboardInterrupt as exc:
        report = exception_report(exc, EDITOR_FILENAME)
        report["message"] = "The run was interrupted."
        return False, True, report
    except SystemExit as exc:
        if exc.code in (None, 0):
            return True, False, None
        return False, False, exception_report(exc, EDITOR_FILENAME)
    except BaseException as exc:
        return False, False, exception_report(exc, EDITOR_FILENAME)
    finally:
        _probe.shapes.stop()
        _probe.loss.stop()
        sys.stdout.flush()
        sys.stderr.flush()


def _run_check(check: str, namespace: dict[str, Any]) -> dict[str, Any]:
    _register_source(CHECK_FILENAME, check)
    try:
        exec(compile(check, CHECK_FILENAME, "exec"), namespace)
    except AssertionError as exc:
        message = str(exc) or _failed_line(exc)
        return {"kind": "check", "ok": False, "message": message}
    except Exception as exc:
        return {
            "kind": "check",
            "ok": False,
            "message": f"The check could not finish: {type(exc).__name__}: {exc}",
        }
    return {"kind": "check", "ok": True, "message": "All checks passed."}


def _failed_line(exc: BaseException) -> str:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "The check failed."
    source = linecache.getline(CHECK_FILENAME, tb.tb_lineno).strip()
    return f"The check failed: {source}"
