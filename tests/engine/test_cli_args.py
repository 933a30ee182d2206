"""Command-line parsing: options work before or after the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlearn import cli


@pytest.fixture
def calls(monkeypatch):
    seen: dict = {}

    async def fake_run_file(
        path, device, *, as_json, connection_file, script_args, inside, depth=3, show_all=False
    ):
        seen.update(
            path=path,
            device=device,
            json=as_json,
            connect=connection_file,
            args=script_args,
            inside=inside,
        )
        seen.update(depth=depth, all=show_all)
        return 0

    import nnlearn.run_command as run_command
    import nnlearn.validate as validate

    monkeypatch.setattr(run_command, "run_file", fake_run_file)
    monkeypatch.setattr(
        validate,
        "cmd_lessons_check",
        lambda folder, device, timeout: seen.update(check=(folder, device), timeout=timeout),
    )
    return seen


@pytest.mark.parametrize(
    ("argv", "device"),
    [
        (["run", "m.py"], "auto"),
        (["run", "m.py", "--device", "cpu"], "cpu"),
        (["--device", "cuda:1", "run", "m.py"], "cuda:1"),
    ],
)
def test_run_device_before_or_after_the_command(calls, argv, device):
    assert cli.main(argv) == 0
    assert calls["device"] == device and calls["path"] == Path("m.py")


def test_run_json_and_connect(calls):
    cli.main(["--connect", "k.json", "run", "m.py", "--json"])
    assert calls["json"] is True and calls["connect"] == "k.json"


def test_lessons_check_defaults_to_the_cpu(calls):
    cli.main(["lessons", "check", "somewhere"])
    assert calls["check"] == (Path("somewhere"), "cpu")


def test_lessons_check_timeout(calls):
    cli.main(["lessons", "check", "somewhere", "--timeout", "7.5"])
    assert calls["timeout"] == 7.5


def test_app_needs_a_terminal(capsys):
    assert cli.main([]) == 2
    assert "interactive terminal" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "script_args", "as_json", "device"),
    [
        (["run", "m.py", "-v", "--epochs", "3"], ["-v", "--epochs", "3"], False, "auto"),
        (["run", "m.py", "--lr=0.1", "--json", "x"], ["--lr=0.1", "x"], True, "auto"),
        (["run", "m.py", "a", "--device", "cpu", "b"], ["a", "b"], False, "cpu"),
        (["run", "m.py", "--json", "--", "--device", "cuda"], ["--device", "cuda"], True, "auto"),
        (["--device", "cpu", "run", "m.py", "--", "--"], ["--"], False, "cpu"),
    ],
)
def test_run_passes_the_scripts_arguments_through(calls, argv, script_args, as_json, device):
    assert cli.main(argv) == 0
    assert calls["args"] == script_args
    assert calls["json"] is as_json and calls["device"] == device
    assert calls["path"] == Path("m.py")


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--no-inside", "train.py", "--epochs", "2"],
        ["run", "train.py", "--no-inside", "--epochs", "2"],
    ],
)
def test_no_inside_turns_the_sampling_off_before_or_after_the_file(calls, argv):
    assert cli.main(argv) == 0
    assert calls["inside"] is False
    assert calls["args"] == ["--epochs", "2"]


def test_the_sampling_is_on_by_default(calls):
    assert cli.main(["run", "train.py"]) == 0
    assert calls["inside"] is True


@pytest.mark.parametrize(
    ("argv", "depth", "show_all", "script_args"),
    [
        (["run", "m.py"], 3, False, []),
        (["run", "m.py", "--depth", "5"], 5, False, []),
        (["run", "--depth=1", "m.py", "x"], 1, False, ["x"]),
        (["run", "m.py", "--all", "--epochs", "2"], 3, True, ["--epochs", "2"]),
        (["run", "m.py", "--", "--all"], 3, False, ["--all"]),
    ],
)
def test_run_depth_and_all_stay_nnlearns(calls, argv, depth, show_all, script_args):
    assert cli.main(argv) == 0
    assert (calls["depth"], calls["all"], calls["args"]) == (depth, show_all, script_args)


@pytest.mark.parametrize("depth", ["-1", "deep"])
def test_a_depth_that_is_not_one_says_what_to_give(calls, capsys, depth):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["run", "m.py", "--depth", depth])
    assert stopped.value.code == 2
    assert "is not a depth: give 0" in capsys.readouterr().err
    assert "depth" not in calls
