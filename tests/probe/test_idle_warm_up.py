"""The optimizers' warm-up waits for an idle kernel; a cell waits only for work begun."""

from __future__ import annotations

import threading

import pytest

from nnlearn.kernel import quiet_import


class FakeEvents:
    """IPython's event manager, as far as the warm-up uses it."""

    def __init__(self) -> None:
        self.callbacks: dict[str, list] = {"pre_run_cell": [], "post_run_cell": []}

    def register(self, name, callback) -> None:
        self.callbacks[name].append(callback)

    def unregister(self, name, callback) -> None:
        self.callbacks[name].remove(callback)

    def trigger(self, name) -> None:
        for callback in list(self.callbacks[name]):
            callback(None)


@pytest.fixture
def events(monkeypatch) -> FakeEvents:
    fake = FakeEvents()
    monkeypatch.setattr(quiet_import, "_ipython_events", lambda: fake)
    return fake


@pytest.fixture
def warm_work(monkeypatch):
    """The warm-up's work, held until released; records that it began."""
    began, release = threading.Event(), threading.Event()

    def work(niceness):
        began.set()
        release.wait()
        return None

    monkeypatch.setattr(quiet_import, "_warm_here", work)
    return began, release


def test_a_cell_before_the_kernel_was_idle_long_enough_runs_at_once(events, warm_work):
    began, release = warm_work
    warm_up = quiet_import.warm_in_background(idle_seconds=3600)
    events.trigger("post_run_cell")  # the warm-up's own cell ends
    events.trigger("pre_run_cell")  # a Run asked for at once: it does not wait
    warm_up.join()  # probe.run's join returns too
    events.trigger("post_run_cell")
    assert not began.is_set()
    release.set()


def test_the_warm_up_begins_when_idle_and_a_cell_then_waits_for_it(events, warm_work):
    began, release = warm_work
    warm_up = quiet_import.warm_in_background(idle_seconds=0)
    assert not began.wait(0.2), "busy: the warm-up's own cell is still running"
    events.trigger("post_run_cell")
    assert began.wait(60)
    cell_ran = threading.Event()

    def run_a_cell():
        events.trigger("pre_run_cell")
        cell_ran.set()

    cell = threading.Thread(target=run_a_cell)
    cell.start()
    assert not cell_ran.wait(0.2), "a cell must not race the warm-up's imports"
    release.set()
    assert cell_ran.wait(60)
    cell.join()
    warm_up.join()
    assert not warm_up.is_alive() or warm_up._finished.is_set()


def test_once_done_it_stops_listening(events, warm_work):
    began, release = warm_work
    release.set()
    warm_up = quiet_import.warm_in_background(idle_seconds=0)
    events.trigger("post_run_cell")
    assert began.wait(60)
    threading.Thread.join(warm_up, 60)
    assert events.callbacks == {"pre_run_cell": [], "post_run_cell": []}


def test_outside_a_kernel_it_begins_after_the_delay(monkeypatch, warm_work):
    monkeypatch.setattr(quiet_import, "_ipython_events", lambda: None)
    began, release = warm_work
    release.set()
    warm_up = quiet_import.warm_in_background(idle_seconds=0)
    assert began.wait(60)
    threading.Thread.join(warm_up, 60)
