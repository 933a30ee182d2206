"""Pilot: F8 (restart the kernel) and then ctrl+q quits cleanly: exit code 0, no error, no hang.

The quit may come while the restart is still in flight, or while it ends; the
fake kernel's restart can be held (``hold_restart``) and ends when the kernel
is shut down, as a real one's does. The real kernel does it once too (slow).
"""

from __future__ import annotations

import asyncio

import pytest
from tui_fakes import FIXTURE_LESSONS, FakeKernel
from waiting import pause_until, until_kernel_warm, until_started

from nnlearn.curriculum.progress import ProgressStore
from nnlearn.kernel.runner import KernelError
from nnlearn.tui.app import NnlearnApp
from nnlearn.tui.kernel_runner import RealSessionFactory
from nnlearn.tui.widgets.status_bar import StatusBar

WIDE = (160, 48)


def app_with(home, kernel: FakeKernel) -> NnlearnApp:
    return NnlearnApp(FIXTURE_LESSONS, ProgressStore(home), session_factory=kernel)


async def test_ctrl_q_after_a_finished_restart_quits(home):
    kernel = FakeKernel()
    app = app_with(home, kernel)
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        await pilot.press("f8")
        session = kernel.sessions[-1]
        await pause_until(pilot, lambda: session.restarts == 1 and session.state == "idle")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 and app._exception is None
    assert session.shut_down and not app.is_running


async def test_ctrl_q_while_the_restart_is_in_flight_quits(home):
    kernel = FakeKernel(hold_restart=asyncio.Event())
    app = app_with(home, kernel)
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        session = kernel.sessions[-1]
        await pilot.press("f8")
        await pause_until(pilot, lambda: session.state == "restarting")
        assert session.state == "restarting"  # the restart is held: ctrl+q comes in the middle
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 and app._exception is None
    assert session.shut_down and session.restarts == 1
    assert len(kernel.sessions) == 1  # quitting started no kernel


@pytest.mark.kernel
@pytest.mark.slow
async def test_f8_then_ctrl_q_with_the_real_kernel(home):
    factory = RealSessionFactory(spare=False)
    app = NnlearnApp(FIXTURE_LESSONS, ProgressStore(home), session_factory=factory)
    async with app.run_test(size=WIDE) as pilot:
        screen = app.main_screen
        await until_kernel_warm(pilot)
        session = screen.runner.session
        await pilot.press("f8")
        await pilot.press("ctrl+q")  # the restart has only begun
        await pilot.pause()
    assert app.return_code == 0 and app._exception is None
    assert session is not None and session.state in ("stopped", "dead")


async def test_a_restart_that_fails_is_said_and_the_app_goes_on(home):
    kernel = FakeKernel()
    app = app_with(home, kernel)
    async with app.run_test(size=WIDE) as pilot:
        await until_started(pilot)
        session = kernel.sessions[-1]

        async def gone() -> None:
            raise KernelError("The working folder /gone no longer exists \x1b[2J")

        session.restart = gone  # type: ignore[method-assign]
        await pilot.press("f8")  # ended the app with the error's traceback
        status = app.main_screen.query_one(StatusBar)
        await pause_until(pilot, lambda: status.state == "dead")
        assert "did not restart: The working folder /gone no longer exists ␛[2J" in status.detail
        assert app.is_running and app._exception is None
