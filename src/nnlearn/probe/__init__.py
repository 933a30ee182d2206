"""The probe: the only nnlearn code that runs inside the kernel and imports torch.

``install()`` warms the kernel (imports torch, runs one tiny forward and
backward pass so the first Run pays no lazy start-up) and reports what the
kernel has. ``run()`` executes the learner's code as a fresh script, with the
chosen device offered as the name ``device`` (nothing is moved for them: see
docs/ARCHITECTURE.md, "Devices"), and reports shapes, parameters, loss points,
errors and an exercise check as display data (the reports are the event
classes of nnlearn.kernel.events, which this module builds and encodes).
"""

from __future__ import annotations

import linecache
import platform
import sys
import threading
import time
import types
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import torch

from nnlearn.kernel.events import (
    CheckResult,
    Event,
    KernelInfo,
    RunError,
    RunFinished,
    Stream,
    wire_data,
)
from nnlearn.probe.clean_state import StateSnapshot, threads_message
from nnlearn.probe.collector import collector_paused, freeze_kernel_objects
from nnlearn.probe.devices import (
    DeviceUnavailable,
    available_devices,
    on_device,
    resolve_device,
)
from nnlearn.probe.errors import exception_report, safe_str, syntax_error_report
from nnlearn.probe.flops import warm as warm_flop_counter
from nnlearn.probe.loss import LossRecorder
from nnlearn.probe.memory import (
    device_memory,
    is_out_of_memory,
    out_of_memory_report,
    release_cached_memory,
)
from nnlearn.probe.params import module_paths, params_reports, top_level_models
from nnlearn.probe.parts import messages
from nnlearn.probe.peak_memory import PeakMemoryMeter
from nnlearn.probe.points import PointsRecorder
from nnlearn.probe.script import (
    EDITOR_FILENAME,
    BinaryStream,
    enter_script,
    leave_binary_streams,
    main_module,
    script_place,
    stack_depth,
)
from nnlearn.probe.script_exits import ScriptExits
from nnlearn.probe.shapes import ShapeRecorder
from nnlearn.probe.spawn_main import code_for_workers, forget_worker_code
from nnlearn.probe.training_stats import InsideRecorder
from nnlearn.probe.unseen import quietly

CHECK_FILENAME = "<check>"


def _publish(reports: Sequence[Event], *, flush_streams: bool = True, parent: Any = None) -> None:
    """Send reports as one display_data message on iopub.

    IPython's own ``publish_display_data`` flushes stdout and stderr first (each a
    round trip to ipykernel's I/O thread) and walks the data to clean it; during a
    training loop that cost about 10 % of the run. Loss batches skip both: the
    reports' ``to_wire()`` is plain JSON already and needs no ordering against
    printed output.
    The final report of a Run flushes, so everything printed comes before ``done``.
    ``parent`` is the Run's request header, given by the loss flusher's thread (which
    has no request of its own). Large reports go out in parts, several messages in
    order (``probe/parts.py``).
    """
    if flush_streams:
        sys.stdout.flush()
        sys.stderr.flush()
    publisher = _display_publisher()
    for batch in messages([report.to_wire() for report in reports]):
        data = wire_data(batch)
        if publisher is None:
            from IPython.display import publish_display_data

            publish_display_data(data)
            continue
        content = {"data": data, "metadata": {}, "transient": {}}
        header = parent if parent is not None else publisher.parent_header
        msg = publisher.session.msg("display_data", content, parent=header)
        publisher.session.send(publisher.pub_socket, msg, ident=publisher.topic)


def _parent_header() -> Any:
    publisher = _display_publisher()
    return None if publisher is None else publisher.parent_header


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
        self.memory = PeakMemoryMeter()
        self.loss = LossRecorder(self._publish_live)
        self.points = PointsRecorder(self._publish_live)
        self.exits = ScriptExits()
        self.loss.extra_reports = self._live_reports
        self.inside = InsideRecorder(
            lambda: _models(dict(self.namespace)),
            lambda: max(0, self.loss.steps_taken() - 1),  # the loss step of that backward
        )
        self.namespace: dict[str, Any] = {}
        self.parent: Any = None
        self.warm_up: threading.Thread | None = None  # install()'s background imports

    def _publish_live(self, reports: Sequence[Event]) -> None:
        _publish(reports, flush_streams=False, parent=self.parent)

    def _live_reports(self) -> list[Event]:
        return [*self._live_shapes(), *self.points.reports(), *self.inside.reports()]

    def _live_shapes(self) -> list[Event]:
        """Shapes so far, sent with loss points (from the flusher thread, while the Run runs)."""
        if not self.shapes.new_since_flush:
            return []
        try:
            return [self.shapes.report(module_paths(_models(dict(self.namespace))))]
        except Exception:  # the Run changed a model while we looked: next batch
            return []


_probe = _Probe()


def track(name: str, value: Any, step: int | None = None) -> None:
    """Record a point of a named series (``nnlearn.track`` lands here).

    A value that is not one number raises ``TrackError`` at the learner's line.
    """
    quietly(_probe.loss.add, safe_str(name), value, step)


def plot(name: str, x: Any, y: Any) -> None:
    """Draw the points (x, y) as the series ``name`` (``nnlearn.plot`` lands here)."""
    quietly(_probe.points.add, name, x, y)


def report_memory() -> None:
    """Publish the memory of every device (``nnlearn doctor`` runs this in the kernel)."""
    _publish([device_memory()])


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
        _probe.warm_up = warm_in_background()
    elif mode == "spare":
        _warm_torch()
    freeze_kernel_objects()
    report = KernelInfo(
        python=platform.python_version(),
        torch=torch.__version__,
        cuda=torch.version.cuda,
        devices=() if mode == "spare" else tuple(available_devices()),
        warm_seconds=time.perf_counter() - started,
    )
    _publish([report])


def _finish_warm_up() -> None:
    """Wait for the background warm-up: its imports racing the Run's (``torch._inductor``
    half imported by one thread, used by the other) fail with an ImportError in the
    learner's code. Costs nothing once it is done, and at most its rest on a very early F5.
    """
    warm_up, _probe.warm_up = _probe.warm_up, None
    if warm_up is not None:
        warm_up.join()


def _warm_torch(optimizers: bool = True) -> None:
    # The first optimizer step imports torch._dynamo (seconds on a small machine): pay
    # for it here, while the learner reads, not on their first Run.
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    warm_flop_counter()
    if not optimizers:
        torch.nn.functional.mse_loss(model(torch.zeros(3, 2)), torch.zeros(3, 1)).backward()
        return
    for optimizer_class in (torch.optim.SGD, torch.optim.Adam):
        optimizer = optimizer_class(model.parameters(), lr=0.01)
        loss = torch.nn.functional.mse_loss(model(torch.zeros(3, 2)), torch.zeros(3, 1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def _register_source(filename: str, code: str) -> None:
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)


def _done(
    ok: bool,
    device: str | None,
    started: float,
    *,
    interrupted: bool = False,
    exit_code: int | None = None,
) -> RunFinished:
    seconds = time.perf_counter() - started
    return RunFinished(ok, device, seconds, interrupted=interrupted, exit_code=exit_code)


def run(
    code: str,
    device: str = "auto",
    check: str | None = None,
    path: str | None = None,
    argv: list[str] | None = None,
    inside: bool = True,
) -> None:
    """Run ``code`` as the script ``path`` (the editor's when None) and publish what it did.

    ``inside`` samples gradient flow, updates and activations while it trains.
    """
    started = time.perf_counter()
    _finish_warm_up()
    try:
        chosen = resolve_device(device)
    except DeviceUnavailable as exc:
        error = RunError(type="DeviceError", message=str(exc), line=None, traceback="")
        _publish([error, *_check_not_run(check), _done(False, None, started)])
        return
    place = script_place(path, argv)
    _register_source(place.compile_name, code)
    try:
        # dont_inherit: the probe's own "from __future__ import annotations" is not the
        # script's (under python its annotations are objects, not strings).
        compiled = compile(code, place.compile_name, "exec", dont_inherit=True)
    except SyntaxError as exc:
        _publish(
            [syntax_error_report(exc), *_check_not_run(check), _done(False, str(chosen), started)]
        )
        return

    snapshot = StateSnapshot()
    module = main_module(place, {"device": chosen})
    namespace = module.__dict__
    _probe.namespace = namespace
    _probe.parent = _parent_header()
    binary_streams: list[BinaryStream] = []
    code_for_workers(place.file, code, str(chosen), editor=place.compile_name == EDITOR_FILENAME)
    try:
        binary_streams = enter_script(place, module)
        _probe.exits.start(place.compile_name)
        outcome = _execute(compiled, namespace, chosen, snapshot, inside)
        _probe.exits.finish()  # as python calls them: after the script, before it exits
    finally:
        _probe.exits.finish_quietly()
        # Before any more of our own code runs: the Run may have deleted builtins.len.
        _probe.namespace = {}
        not_restored = snapshot.restore(drop_modules_under=place.folder)
        leave_binary_streams(binary_streams)
        forget_worker_code()
    if outcome.exit_message is not None:  # as python prints sys.exit("message")
        print(outcome.exit_message, file=sys.stderr, flush=True)
    reports: list[Event] = [
        *_probe.loss.reports(),
        *_probe.points.reports(),
        *_probe.memory.report(),
        *_probe.inside.reports(final=True),
    ]
    try:
        with collector_paused():
            reports.extend(_model_reports(namespace))
    except Exception as exc:  # a strange object in the namespace must not lose the run
        reports.append(replace(exception_report(exc, place.compile_name), type="ReportError"))
    finally:
        _probe.shapes.clear()
    if outcome.exception is not None:
        error = exception_report(outcome.exception, place.compile_name)
        if outcome.interrupted:
            error = replace(error, message="The run was interrupted.")
        elif is_out_of_memory(outcome.exception):
            error = replace(error, message=out_of_memory_report(outcome.exception, chosen))
        reports.append(error)
        outcome.exception = None  # its frames hold the namespace
    if check is not None and outcome.ok:
        with on_device(chosen):
            reports.append(_run_check(check, module))
    else:
        reports.extend(_check_not_run(check, outcome.exit_code))
    reports.extend(_after_run_notes(snapshot, not_restored))
    reports.append(
        _done(
            outcome.ok,
            str(chosen),
            started,
            interrupted=outcome.interrupted,
            exit_code=outcome.exit_code or None,
        )
    )
    namespace.clear()
    release_cached_memory(chosen)
    _publish(reports)


def _after_run_notes(snapshot: StateSnapshot, not_restored: list[str]) -> list[Stream]:
    """Stream reports about what outlives the Run: threads, state that could not be undone."""
    notes = []
    threads = snapshot.lingering_threads()
    if threads:
        notes.append(Stream("stderr", threads_message(threads)))
    if not_restored:
        text = (
            f"nnlearn: this Run changed {', '.join(not_restored)} and it could not be put "
            "back: restart the kernel before the next Run.\n"
        )
        notes.append(Stream("stderr", text))
    return notes


def _model_reports(namespace: dict[str, Any]) -> list[Event]:
    models = _models(namespace)
    reports: list[Event] = []
    if _probe.shapes.records:
        reports.append(_probe.shapes.report(module_paths(models)))
    reports.extend(params_reports(models))
    return reports


def _models(namespace: dict[str, Any]) -> list[tuple[str, Any]]:
    """The namespace's top-level models, then models called where no global holds them."""
    models = top_level_models(namespace)
    known = {id(sub) for _, model in models for sub in model.modules()}
    return models + _probe.shapes.roots(known, tuple(name for name, _ in models))


def _check_not_run(check: str | None, exit_code: int | None = None) -> list[CheckResult]:
    """The check's report when the learner's code failed first: none without a check."""
    if check is None:
        return []
    if exit_code:
        message = (
            f"Your code ended with sys.exit({exit_code}) before the check could run: "
            "let it finish (or exit with 0) to be checked."
        )
    else:
        message = (
            "Your code stopped with an error before the check could run: "
            "fix the error shown in Output first."
        )
    return [CheckResult(ok=False, message=message)]


@dataclass
class _Outcome:
    ok: bool
    interrupted: bool = False
    exception: BaseException | None = None
    exit_code: int | None = None
    exit_message: str | None = None


def _execute(
    compiled: Any,
    namespace: dict[str, Any],
    chosen: torch.device,
    snapshot: StateSnapshot,
    inside: bool = True,
) -> _Outcome:
    """Run the learner's code with the recorders on."""
    _probe.shapes.start()
    _probe.loss.start(watcher=_probe.inside if inside else None)
    _probe.inside.start(enabled=inside, wrap_backward=False)
    _probe.points.start()
    _probe.memory.start(chosen)
    try:
        # The script's first frame stands on this one and those below it, where under
        # python it would be the first: the limit grows by exactly that many.
        sys.setrecursionlimit(snapshot.recursion_limit + stack_depth())
        with on_device(chosen):
            exec(compiled, namespace)
            if chosen.type == "cuda":
                torch.cuda.synchronize(chosen)
        return _Outcome(True)
    except KeyboardInterrupt as exc:
        return _Outcome(False, interrupted=True, exception=exc)
    except SystemExit as exc:
        return _exit_outcome(exc)
    except BaseException as exc:
        return _Outcome(False, exception=exc)
    finally:
        snapshot.restore_builtins()
        sys.setrecursionlimit(snapshot.recursion_limit)
        _probe.shapes.stop()
        _probe.inside.stop()
        _probe.loss.stop()
        sys.stdout.flush()
        sys.stderr.flush()


def _exit_outcome(exc: SystemExit) -> _Outcome:
    """``sys.exit(code)`` as Python treats it: 0/None ok, an int its status, else printed and 1."""
    code = exc.code
    if code is None or (isinstance(code, int) and code == 0):
        return _Outcome(True)
    if isinstance(code, int):
        return _Outcome(False, exit_code=int(code))
    return _Outcome(False, exit_code=1, exit_message=safe_str(code))


def _run_check(check: str, module: types.ModuleType) -> CheckResult:
    """Run the exercise's check in the script's namespace, with the script as ``__main__``."""
    _register_source(CHECK_FILENAME, check)
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        exec(compile(check, CHECK_FILENAME, "exec", dont_inherit=True), module.__dict__)
    except AssertionError as exc:
        message = safe_str(exc) or _failed_line(exc)
        return CheckResult(ok=False, message=message)
    except Exception as exc:
        return CheckResult(
            ok=False,
            message=f"The check could not finish: {type(exc).__name__}: {safe_str(exc)}",
        )
    finally:
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
    return CheckResult(ok=True, message="All checks passed.")


def _failed_line(exc: BaseException) -> str:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "The check failed."
    source = linecache.getline(CHECK_FILENAME, tb.tb_lineno).strip()
    return f"The check failed: {source}"
