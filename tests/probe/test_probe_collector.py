"""The collector is paused only around the probe's own report, and left as the Run left it."""

from __future__ import annotations

import gc

import pytest

from nnlearn.probe.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_back_on():
    yield
    gc.enable()


@pytest.mark.parametrize("enabled_before", [True, False])
def test_paused_inside_and_as_it_was_after(enabled_before):
    gc.enable() if enabled_before else gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled() is enabled_before


def test_turned_back_on_after_an_error():
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a strange module")
    assert gc.isenabled()
