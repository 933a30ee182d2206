"""F8 in the app swaps in the spare kernel: the next Run goes to the kernel that was waiting."""

from __future__ import annotations

import pytest
from tui_fakes import FIXTURE_LESSONS
from waiting import until_kernel_warm, wait_for

from nnlearn.curriculum.progress import ProgressStore
from nnlearn.tui.app import NnlearnApp
from nnlearn.tui.kernel_runner import RealSessionFactory
from nnlearn.tui.widgets.editor import CodeEditor
from nnlearn.tui.widgets.params_view import ParamsView

pytestmark = [pytest.mark.kernel, pytest.mark.slow]


def kernel_pid(session) -> int:
    return int(session._km.provisioner.pid)


async def test_f8_swaps_in_the_warm_spare(home):
    factory = RealSessionFactory(spare=True)
    app = NnlearnApp(FIXTURE_LESSONS, ProgressStore(home), session_factory=factory)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.main_screen
        status = await until_kernel_warm(pilot)
        session = screen.runner.session
        first = kernel_pid(session)
        await wait_for(pilot, lambda: session.spare.ready, "the spare to warm up")
        spare = kernel_pid(session.spare._spare)

        await pilot.press("f8")
        await wait_for(pilot, lambda: kernel_pid(session) != first, "the swap")
        await wait_for(pilot, lambda: status.state == "idle", "the swapped kernel")

        assert kernel_pid(session) == spare
        screen.query_one(CodeEditor).load_text("import torch\nlayer = torch.nn.Linear(2, 3)\n")
        await pilot.press("f5")
        await wait_for(pilot, lambda: not screen.runner.running, "the run to finish")
        models = screen.query_one(ParamsView).models
        assert [(m.model, m.total) for m in models] == [("layer", 9)]
        assert kernel_pid(session) == spare
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
