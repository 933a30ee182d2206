"""Warm-up modes: a spare never initialises CUDA, its imports run in a lowered thread."""

from __future__ import annotations

import os
import sys
import threading

import pytest
import torch

import nnlearn.probe as probe
from nnlearn.kernel import quiet_import


@pytest.fixture
def published(monkeypatch):
    reports: list = []
    monkeypatch.setattr(
        probe, "_publish", lambda batch, **_: reports.extend(event.to_json() for event in batch)
    )
    return reports


@pytest.fixture
def gpu_that_must_not_wake(monkeypatch):
    """torch believes a GPU is there; anything that would initialise CUDA fails the test."""

    def woke(*args, **kwargs):
        raise AssertionError("CUDA was initialised")

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "_lazy_init", woke)
    monkeypatch.setattr(torch.cuda, "get_device_properties", woke)
    monkeypatch.setattr(torch.cuda, "init", woke)


def test_spare_warm_up_never_initialises_cuda(published, gpu_that_must_not_wake):
    # On a GPU box an earlier test of this process may have: tests/gpu checks a real spare.
    initialised_before = torch.cuda.is_initialized()
    quiet_import.import_quietly()
    probe.install("spare")
    [ready] = published
    assert ready["kind"] == "ready" and ready["devices"] == []  # describing GPUs wakes CUDA
    assert torch.cuda.is_initialized() == initialised_before


def test_full_warm_up_describes_devices(published, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    probe.install()
    assert published[0]["devices"][0]["name"] == "cpu"


def test_lean_warm_up_skips_the_optimizer_steps(published, monkeypatch):
    monkeypatch.setattr(probe, "_warm_torch", lambda: pytest.fail("lean must not warm"))
    probe.install("lean")
    assert published[0]["kind"] == "ready"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")
def test_only_the_warm_up_thread_is_lowered():
    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen = {}

    def work():
        native = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, native)
        seen["lowered"] = quiet_import.lower_this_thread(5)
        seen["change"] = os.getpriority(os.PRIO_PROCESS, native) - before

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["lowered"] and seen["change"] == min(5, 19 - main_before)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before


def test_warm_up_thread_never_imports_from_the_working_folder(tmp_path, monkeypatch):
    (tmp_path / "colorsys.py").write_text("raise SystemExit('learner file imported')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", ["", str(tmp_path), *sys.path])
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    seen: dict = {}

    def work():
        finder = quiet_import._CleanPathFinder(
            threading.get_ident(), quiet_import._without_working_folder(sys.path)
        )
        finder.install()
        try:
            import colorsys

            seen["colorsys"] = colorsys.__file__
        finally:
            sys.meta_path.remove(finder)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["colorsys"] != str(tmp_path / "colorsys.py")
    assert seen["colorsys"].endswith("colorsys.py"), "the standard library's"


def test_a_failing_warm_up_is_raised_on_the_caller(monkeypatch):
    def broken():
        raise ImportError("no torch here")

    monkeypatch.setattr(quiet_import, "_import_and_step", broken)
    with pytest.raises(ImportError, match="no torch here"):
        quiet_import.import_quietly()
    assert not any(isinstance(f, quiet_import._CleanPathFinder) for f in sys.meta_path)


def test_full_warm_up_reports_ready_and_leaves_the_optimizers_to_a_thread(published, monkeypatch):
    started = []
    monkeypatch.setattr(quiet_import, "warm_in_background", lambda: started.append(True))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    probe.install()
    assert started == [True] and published[0]["kind"] == "ready"
