"""Turning the spare kernel off: the option wins over NNLEARN_SPARE_KERNEL; attached kernels have none."""

from __future__ import annotations

import pytest

from nnlearn import cli
from nnlearn.kernel.protocol import WARM_CODE, warm_code
from nnlearn.kernel.session import KernelSession
from nnlearn.kernel.spare import spare_wanted


@pytest.mark.parametrize(
    ("value", "wanted"),
    [(None, True), ("1", True), ("yes", True), ("0", False), ("off", False), (" No ", False)],
)
def test_environment_variable(monkeypatch, value, wanted):
    if value is None:
        monkeypatch.delenv("NNLEARN_SPARE_KERNEL", raising=False)
    else:
        monkeypatch.setenv("NNLEARN_SPARE_KERNEL", value)
    assert spare_wanted() is wanted
    assert spare_wanted(False) is False and spare_wanted(True) is True


def test_attached_session_never_keeps_a_spare(tmp_path):
    assert KernelSession(connection_file=tmp_path / "k.json", spare=True).spare is None
    assert KernelSession(spare=True).spare is not None
    assert KernelSession().spare is None


@pytest.mark.parametrize(("argv", "spare"), [([], None), (["--no-spare-kernel"], False)])
def test_app_option(monkeypatch, argv, spare):
    seen = {}
    monkeypatch.setattr(cli, "_open_app", lambda args: seen.update(spare=args.spare_kernel) or 0)
    assert cli.main(argv) == 0
    assert seen["spare"] is spare


def test_warm_codes_are_the_warm_code_told_their_mode():
    assert warm_code() == WARM_CODE
    lean = warm_code("lean")
    assert lean.replace("install('lean')", "install()") == WARM_CODE
    spare = warm_code("spare")
    assert spare.index("import_quietly()") < spare.index("import nnlearn.probe")
    quiet_line = spare[: spare.index("import nnlearn.probe")].splitlines()[-1] + "\n"
    assert spare.replace(quiet_line, "").replace("install('spare')", "install()") == WARM_CODE
    with pytest.raises(ValueError):
        warm_code("fast")
