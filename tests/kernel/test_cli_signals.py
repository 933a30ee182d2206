"""``nnlearn run`` as ``python FILE ARGS...``: arguments, exit status, Ctrl+C and closed pipes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.kernel

ENV = {**os.environ, "COLUMNS": "80", "LINES": "24", "NO_COLOR": "1"}


def nnlearn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "nnlearn", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


def wait_for(stream, text: str) -> None:
    for line in stream:
        if text in line:
            return
    raise AssertionError(f"{text!r} never came")


def test_script_arguments_pass_through_and_sys_exit_sets_the_status(tmp_path):
    script = tmp_path / "train.py"
    script.write_text("import sys\nprint(sys.argv[1:])\nsys.exit(int(sys.argv[2]))\n")
    proc = nnlearn("run", str(script), "-v", "7", "--lr=0.1", "--json", "--", "--device", "x")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 7, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["text"] == "['-v', '7', '--lr=0.1', '--device', 'x']\n"
    assert lines[-1] == {**lines[-1], "kind": "done", "ok": False, "exit_code": 7}


def test_ctrl_c_while_the_kernel_starts_ends_quietly(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("print('ran')\n")
    proc = nnlearn("run", str(script))
    wait_for(proc.stderr, "starting the kernel")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130
    assert "Traceback" not in err and "ran" not in out


def test_ctrl_c_during_a_run_interrupts_it_and_says_so(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import time\nprint('ready', flush=True)\ntime.sleep(120)\n")
    proc = nnlearn("run", str(script))
    wait_for(proc.stdout, "ready")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130
    assert "nnlearn: interrupting…" in err
    assert "Traceback" not in err.replace("Traceback (most recent call last)", "", 1)


def test_a_second_ctrl_c_stops_without_waiting_for_the_script(tmp_path):
    # The script ignores the interrupt; the second Ctrl+C comes well within the two
    # seconds after which nnlearn would restart the kernel by itself.
    script = tmp_path / "s.py"
    script.write_text(
        "import signal, time\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    proc = nnlearn("run", str(script))
    wait_for(proc.stdout, "ready")
    proc.send_signal(signal.SIGINT)
    wait_for(proc.stderr, "nnlearn: interrupting…")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130
    assert "Traceback" not in err and "nnlearn: stopping" in err


def test_a_closed_pipe_ends_the_run_quietly(tmp_path):
    script = tmp_path / "s.py"
    script.write_text(
        "import time\nfor i in range(100):\n    print(i, flush=True)\n    time.sleep(0.02)\n"
    )
    proc = nnlearn("run", str(script), "--json")
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert json.loads(first)["kind"] == "stream"
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read() if proc.stderr else ""
    proc.wait(timeout=300)
    assert proc.returncode == 141
    assert "Traceback" not in err and "Exception ignored" not in err


def test_lessons_list_into_a_closed_pipe_is_quiet():
    proc = nnlearn("lessons", "list")
    assert proc.stdout is not None
    proc.stdout.close()  # closed before anything is read: every write fails
    err = proc.stderr.read() if proc.stderr else ""
    proc.wait(timeout=300)
    assert proc.returncode in (0, 141)
    assert err == ""


def test_ctrl_c_during_lessons_check_ends_quietly():
    proc = nnlearn("lessons", "check")
    wait_for(proc.stderr, "step 1/")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130
    assert "Traceback" not in err and "nnlearn: interrupted" in err
