"""A Run behaves like ``python FILE ARGS...`` (issue 8 §1), with a real kernel and torch."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys

import pytest
from kernel_helpers import collect, finished, only, stdout

from nnlearn.kernel.events import (
    InsideSample,
    LossPoints,
    Params,
    RunError,
    Shapes,
    Stream,
)
from nnlearn.kernel.session import KernelSession

pytestmark = pytest.mark.kernel


MAIN_MODEL = """\
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())

def main():
    model = Net()
    model(torch.zeros(3, 4))

if __name__ == "__main__":
    main()
"""


async def test_models_built_inside_main_are_reported_by_their_local_name(kernel):
    events = await collect(kernel, MAIN_MODEL, device="cpu")
    assert finished(events).ok
    [params] = only(events, Params)
    assert (params.model, params.cls, params.total) == ("model", "Net", 4 * 8 + 8 + 8 * 2 + 2)
    [shapes] = only(events, Shapes)
    assert [row.path for row in shapes.rows] == ["model", "model.fc1", "model.fc2"]


async def test_argv_and_file_are_those_of_the_script(kernel, tmp_path):
    code = (
        "import argparse, sys\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('--epochs', type=int)\n"
        "parser.add_argument('-v', action='store_true')\n"
        "args = parser.parse_args()\n"
        "print(args.epochs, args.v, sys.argv[0], __file__)\n"
    )
    script = tmp_path / "train.py"
    events = await collect(
        kernel, code, device="cpu", path=str(script), argv=["--epochs", "3", "-v"]
    )
    assert finished(events).ok
    assert stdout(events) == f"3 True {script} {script}\n"
    editor = await collect(kernel, "import sys, os\nprint(sys.argv == [__file__], __file__)")
    assert finished(editor).ok
    same, file = stdout(editor).split()
    assert same == "True" and file.endswith("editor.py")


async def test_the_scripts_folder_is_first_on_sys_path_and_only_during_the_run(kernel, tmp_path):
    (tmp_path / "helpers.py").write_text("VALUE = 41\n")
    code = "import sys\nimport helpers\nprint(helpers.VALUE + 1, sys.path[0])\n"
    events = await collect(kernel, code, device="cpu", path=str(tmp_path / "main.py"))
    assert stdout(events) == f"42 {tmp_path}\n"
    after = await collect(kernel, f"import sys\nprint({str(tmp_path)!r} in sys.path)")
    assert stdout(after) == "False\n"
    # An edited helper is imported afresh by the next Run, as by a new python process.
    (tmp_path / "helpers.py").write_text("VALUE = 99\n")
    again = await collect(kernel, code, device="cpu", path=str(tmp_path / "main.py"))
    assert stdout(again) == f"100 {tmp_path}\n"


async def test_classes_defined_in_the_script_pickle_and_load_in_a_later_run(kernel, tmp_path):
    saved = tmp_path / "net.pt"
    define = (
        "import torch\nfrom torch import nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(2, 1)\n"
    )
    save = define + (
        f"torch.save(Net(), {str(saved)!r})\n"
        f"print(type(torch.load({str(saved)!r}, weights_only=False)).__name__)\n"
    )
    events = await collect(kernel, save, device="cpu")
    assert finished(events).ok, only(events, RunError)
    assert stdout(events) == "Net\n"
    load = define + f"print(torch.load({str(saved)!r}, weights_only=False).fc.in_features)\n"
    later = await collect(kernel, load, device="cpu")
    assert finished(later).ok, only(later, RunError)
    assert stdout(later) == "2\n"


async def test_keyword_tensors_appear_in_shapes_with_their_names(kernel):
    code = (
        "import torch\nfrom torch import nn\n"
        "class Encoder(nn.Module):\n"
        "    def forward(self, input_ids, attention_mask=None, scale=1.0):\n"
        "        return input_ids.float() * attention_mask\n"
        "enc = Encoder()\n"
        "enc(input_ids=torch.ones(2, 5, dtype=torch.long), attention_mask=torch.ones(2, 5),"
        " scale=2.0)\n"
    )
    events = await collect(kernel, code, device="cpu")
    [shapes] = only(events, Shapes)
    [row] = shapes.rows
    assert row.inputs == [] and row.kwargs == {"input_ids": [[2, 5]], "attention_mask": [[2, 5]]}
    assert row.outputs == [[2, 5]]


@pytest.mark.parametrize(
    ("code", "status", "ok"),
    [
        ("import sys\nprint('a')\nsys.exit(3)\nprint('b')", 3, False),
        ("print('a')\nexit(4)", 4, False),
        ("print('a')\nquit()\nprint('b')", None, True),
        ("import sys\nprint('a')\nsys.exit(0)", None, True),
    ],
)
async def test_exit_ends_the_run_with_its_status(kernel, code, status, ok):
    events = await collect(kernel, code, device="cpu")
    done = finished(events)
    assert (done.ok, done.exit_code) == (ok, status)
    assert stdout(events) == "a\n"
    assert not only(events, RunError), "an exit is not an error"


async def test_exit_with_a_message_prints_it_and_ends_with_status_1(kernel):
    events = await collect(kernel, "raise SystemExit('no data found')", device="cpu")
    assert finished(events).exit_code == 1
    assert "no data found" in "".join(e.text for e in only(events, Stream) if e.name == "stderr")


async def test_a_model_nested_200_deep_runs_as_under_python(kernel):
    code = (
        "import torch\nfrom torch import nn\n"
        "model = nn.Linear(2, 2)\n"
        "for _ in range(200):\n"
        "    model = nn.Sequential(model)\n"
        "print(model(torch.zeros(1, 2)).shape)\n"
    )
    events = await collect(kernel, code, device="cpu")
    assert finished(events).ok, only(events, RunError)
    assert stdout(events) == "torch.Size([1, 2])\n"


async def test_the_kernel_warm_up_never_imports_from_the_working_folder(tmp_path):
    for name in ("torch", "numpy", "nnlearn", "json"):
        (tmp_path / f"{name}.py").write_text(
            f"open({str(tmp_path / 'imported')!r}, 'a').write({name!r} + '\\n')\n"
        )
    session = KernelSession(cwd=tmp_path)
    try:
        await session.start()
        assert not (tmp_path / "imported").exists()
        # The learner's own Run may import from there, by Python's rules.
        (tmp_path / "mine.py").write_text("WHERE = 'cwd'\n")
        events = await collect(session, "import mine\nprint(mine.WHERE)", device="cpu")
        assert stdout(events) == "cwd\n"
    finally:
        await session.shutdown()
    assert not (tmp_path / "imported").exists()


async def test_annotations_are_objects_as_under_python(kernel):
    """The probe's own ``from __future__ import annotations`` is not the script's."""
    code = "def f(x: int) -> float:\n    return x\nprint(f.__annotations__)\n"
    events = await collect(kernel, code, device="cpu")
    assert stdout(events) == "{'x': <class 'int'>, 'return': <class 'float'>}\n"


OBSERVED_TRAINING = """\
import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
import nnlearn


class Ops(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.names = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.names.append(str(func))
        return func(*args, **(kwargs or {}))


class Calls(TorchFunctionMode):
    def __init__(self):
        super().__init__()
        self.names = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.names.append(getattr(func, "__name__", str(func)))
        return func(*args, **(kwargs or {}))


torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.ones(4, 2)
for mode in (Ops(), Calls()):
    with mode:
        for step in range(3):
            opt.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            torch.autograd.backward(model(x).sum())
            nnlearn.track("acc", loss.detach())
            opt.step()
    print(type(mode).__name__, len(mode.names), mode.names)
"""


async def test_the_learners_torch_modes_see_only_the_scripts_own_work(kernel, tmp_path):
    """An op logger sees what it sees under python: not the probe reading each loss,
    comparing shapes or sampling gradients and activations, all on the same thread."""
    script = tmp_path / "observed.py"
    script.write_text(OBSERVED_TRAINING)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    events = await collect(kernel, OBSERVED_TRAINING, device="cpu", inside=True)
    assert finished(events).ok
    assert stdout(events) == plain.stdout
    losses = [p for e in only(events, LossPoints) if e.series == "loss" for p in e.points]
    assert [step for step, _ in losses] == list(range(12)), "each backward kept once"
    assert only(events, InsideSample), "the views were sampled meanwhile"


BINARY_OUTPUT = """\
import sys
sys.stdout.write("text first\\n")
sys.stdout.buffer.write("h\\u00e9".encode()[:2])
sys.stdout.buffer.write("h\\u00e9 bytes\\n".encode()[2:])
sys.stdout.buffer.flush()
print("text after", sys.stdout.buffer.write(bytearray(b"n\\n")))
sys.stderr.buffer.write(b"to stderr\\n")
sys.stdout.buffer.write(b"cut \\xc3")
"""


async def test_bytes_written_to_stdout_buffer_print_in_order_as_under_python(kernel, tmp_path):
    script = tmp_path / "binary.py"
    script.write_text(BINARY_OUTPUT)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, check=True)
    events = await collect(kernel, BINARY_OUTPUT, device="cpu")
    assert finished(events).ok
    # Under python the last, unfinished character is a byte of its own; a Run shows U+FFFD.
    assert stdout(events) == plain.stdout.decode(errors="replace")
    assert "to stderr\n" in "".join(e.text for e in only(events, Stream) if e.name == "stderr")
    # The next Run starts with a buffer of its own: nothing of the cut character is left.
    events = await collect(kernel, "import sys\nsys.stdout.buffer.write(b'next\\n')", device="cpu")
    assert stdout(events) == "next\n"


NOT_A_NOTEBOOK = """\
import builtins, os, sys
import IPython
from rich.console import Console
print(sorted(name for name in ("get_ipython", "__IPYTHON__", "display", "execfile", "runfile")
             if hasattr(builtins, name)))
print(hasattr(sys, "ps1"), hasattr(sys, "ps2"), IPython.get_ipython())
print({name: os.environ.get(name) for name in ("PYTHONSAFEPATH", "MPLBACKEND", "PYTHONPATH")})
print("jupyter:", Console().is_jupyter)
Console(force_terminal=False).print("printed by rich")
"""


async def test_the_run_does_not_look_like_a_notebook_and_rich_prints(kernel, tmp_path):
    """Libraries ask IPython where their output goes: rich's vanished into a notebook
    display, and matplotlib took the inline backend. A Run answers as python does."""
    script = tmp_path / "not_a_notebook.py"
    script.write_text(NOT_A_NOTEBOOK)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    events = await collect(kernel, NOT_A_NOTEBOOK, device="cpu", path=str(script))
    assert finished(events).ok
    assert stdout(events) == plain.stdout
    assert "printed by rich\n" in plain.stdout
    # Afterwards the kernel is IPython's again.
    after = []
    async for message in kernel._execute(
        "print(get_ipython() is not None, hasattr(__import__('sys'), 'ps1'))"
    ):
        if message["msg_type"] == "stream":
            after.append(message["content"]["text"])
    assert "".join(after) == "True True\n"


SPAWNED_WORKERS = """\
import multiprocessing

def square(n):
    return n * n

if __name__ == "__main__":
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        print(pool.map(square, [1, 2, 3]))
"""


async def test_spawned_workers_find_the_editors_code_not_a_file_named_like_it(tmp_path):
    """A spawned worker runs the main script again from its file: the editor's has none
    (every DataLoader worker died on macOS), and an editor.py of the learner's is not it."""
    (tmp_path / "editor.py").write_text("raise SystemExit('the wrong editor.py ran')\n")
    session = KernelSession(cwd=str(tmp_path))
    await session.start()
    try:
        # Without the editor's code, the pool restarts its dying worker for ever.
        events = await asyncio.wait_for(collect(session, SPAWNED_WORKERS, device="cpu"), 120)
    finally:
        await session.shutdown()
    assert finished(events).ok, only(events, RunError)
    assert stdout(events) == "[1, 4, 9]\n"


WORKERS_USING_DEVICE = """\
import multiprocessing
import os
import torch

scale = torch.full((1,), 2.0, device=device)  # at the top level, as the lessons write it

def info(n):
    return n * int(scale.item()), str(device), os.path.basename(__file__)

if __name__ == "__main__":
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        print(pool.map(info, [1, 2]))
"""


async def test_spawned_workers_have_the_runs_device_in_editor_and_file_runs(tmp_path):
    """A worker runs the script's top level again, without the ``device`` the Run gave it:
    ``torch.ones(1, device=device)`` there was a NameError in every worker."""
    script = tmp_path / "job.py"
    script.write_text(WORKERS_USING_DEVICE)
    session = KernelSession(cwd=str(tmp_path))
    await session.start()
    try:
        editor = await asyncio.wait_for(collect(session, WORKERS_USING_DEVICE, device="cpu"), 120)
        from_file = await asyncio.wait_for(
            collect(session, WORKERS_USING_DEVICE, device="cpu", path=str(script)), 120
        )
    finally:
        await session.shutdown()
    assert finished(editor).ok, only(editor, RunError)
    assert stdout(editor) == "[(2, 'cpu', 'editor.py'), (4, 'cpu', 'editor.py')]\n"
    assert finished(from_file).ok, only(from_file, RunError)
    assert stdout(from_file) == "[(2, 'cpu', 'job.py'), (4, 'cpu', 'job.py')]\n"


async def test_input_finds_nothing_to_read_as_under_python_with_no_input(kernel, tmp_path):
    """IPython's input() raised StdinNotImplementedError, which ``except EOFError`` missed."""
    code = 'try:\n    x = input("n? ")\nexcept EOFError:\n    x = "default"\nprint("got", x)\n'
    script = tmp_path / "ask.py"
    script.write_text(code)
    plain = subprocess.run(
        [sys.executable, str(script)], stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    events = await collect(kernel, code, device="cpu")
    assert finished(events).ok and stdout(events) == plain.stdout == "n? got default\n"
    events = await collect(kernel, "name = input()", device="cpu")
    [error] = only(events, RunError)
    assert error.type == "EOFError" and error.line == 1
    assert "no keyboard input" in error.message and "sys.argv" in error.message
    assert "raised inside" not in error.traceback


async def test_getpass_finds_nothing_to_read_as_under_python_with_no_terminal(kernel, tmp_path):
    """ipykernel's getpass raised StdinNotImplementedError, about a "frontend"."""
    code = (
        "import getpass\ntry:\n    pw = getpass.getpass('pw: ')\n"
        "except EOFError:\n    pw = 'none'\nprint('got', pw)\n"
    )
    script = tmp_path / "secret.py"
    script.write_text(code)
    plain = subprocess.run(
        [sys.executable, str(script)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,  # no terminal to open
    )
    events = await collect(kernel, code, device="cpu")
    assert finished(events).ok and stdout(events) == plain.stdout == "got none\n"
    printed = "".join(e.text for e in only(events, Stream) if e.name == "stderr")
    assert printed == "pw: " and plain.stderr.endswith("pw: ")
    events = await collect(kernel, "from getpass import getpass\nsecret = getpass()", device="cpu")
    [error] = only(events, RunError)
    assert error.type == "EOFError" and error.line == 2
    assert "os.environ" in error.message and "raised inside" not in error.traceback
    # Afterwards the kernel's own getpass is back.
    after = []
    async for message in kernel._execute("import getpass; print(getpass.getpass.__module__)"):
        if message["msg_type"] == "stream":
            after.append(message["content"]["text"])
    assert "".join(after).strip() not in ("", "nnlearn.probe.script")


RECONFIGURE = """\
import sys
sys.stdout.reconfigure(line_buffering=True, encoding="utf-8")
print("ok")
try:
    sys.stderr.reconfigure(encoding="no-such")
except LookupError as exc:
    print("refused", exc)
"""


async def test_stdout_reconfigure_works_as_under_python(kernel, tmp_path):
    script = tmp_path / "reconfigure.py"
    script.write_text(RECONFIGURE)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    events = await collect(kernel, RECONFIGURE, device="cpu")
    assert finished(events).ok, only(events, RunError)
    assert stdout(events) == plain.stdout == "ok\nrefused unknown encoding: no-such\n"


async def test_atexit_callbacks_of_the_script_run_when_it_ends(kernel, tmp_path):
    """They ran only when the kernel exited: their output was lost and they kept the Run's
    objects alive. Now last registered first, errors printed, as python does."""
    code = (
        "import atexit\n"
        "@atexit.register\n"
        "def first():\n"
        "    print('first registered, last called')\n"
        "atexit.register(print, 'bye', 'world')\n"
        "def broken():\n"
        "    raise ValueError('nope')\n"
        "atexit.register(broken)\n"
        "def gone():\n"
        "    print('never')\n"
        "atexit.register(gone)\n"
        "atexit.unregister(gone)\n"
        "print('script done')\n"
    )
    script = tmp_path / "exits.py"
    script.write_text(code)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    events = await collect(kernel, code, device="cpu", path=str(script))
    assert finished(events).ok, only(events, RunError)
    assert stdout(events) == plain.stdout
    errors = "".join(e.text for e in only(events, Stream) if e.name == "stderr")
    strip = re.compile(r" at 0x[0-9a-f]+")
    assert strip.sub("", errors) == strip.sub("", plain.stderr)
    after = await collect(kernel, "print('next')", device="cpu")
    assert stdout(after) == "next\n"
