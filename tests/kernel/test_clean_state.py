"""Every Run starts clean (issue 8 §2): what one Run changes globally is undone after it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from kernel_helpers import collect, only, stdout

from nnlearn.kernel.events import RunError, RunFinished, Stream

pytestmark = pytest.mark.kernel

BACKWARD = (
    "import torch\n"
    "w = torch.ones(2, requires_grad=True)\n"
    "(w * 2).sum().backward()\n"
    "print(w.grad.tolist())\n"
)


def stderr(events) -> str:
    return "".join(e.text for e in only(events, Stream) if e.name == "stderr")


def ok(events) -> bool:
    [done] = only(events, RunFinished)
    return done.ok


# A mode entered and never left: under python it ends with the process.
LOUD_MODE = (
    "import torch, torch.overrides, torch.utils._python_dispatch\n"
    "class Loud({base}):\n"
    "    def __torch_{hook}__(self, func, types, args=(), kwargs=None):\n"
    "        print('seen', func)\n"
    "        return func(*args, **(kwargs or {{}}))\n"
    "Loud().__enter__()\n"
)


@pytest.mark.parametrize(
    "change",
    [
        "import torch\ntorch.set_grad_enabled(False)",
        "import torch\ntorch.set_default_dtype(torch.float64)",
        "import torch\ntorch.set_default_device('meta')",
        "import torch\ntorch.autograd.set_detect_anomaly(True)",
        "import torch\ntorch.use_deterministic_algorithms(True)",
        "import torch\ntorch.set_num_threads(1)",
        "import builtins\nbuiltins.print = lambda *args, **kwargs: None",
        "import builtins\ndel builtins.len",
        "import sys\nsys.path.insert(0, '/nowhere')\nsys.argv.append('--extra')",
        "import os\nos.chdir('/')\nos.environ['NNLEARN_TEST_LEAK'] = '1'",
        "import warnings\nwarnings.simplefilter('error')",
        "import sys, io\nsys.stdout = io.StringIO()",
        # IPython.get_ipython() is None during a Run, as under python: reached the hard way.
        "from IPython.core.getipython import get_ipython\n"
        "del get_ipython().user_ns['__nnlearn_probe__']",
        LOUD_MODE.format(base="torch.utils._python_dispatch.TorchDispatchMode", hook="dispatch"),
        LOUD_MODE.format(base="torch.overrides.TorchFunctionMode", hook="function"),
    ],
)
async def test_a_run_that_changes_global_state_leaves_the_next_run_clean(kernel, change):
    before = await collect(kernel, STATE, device="cpu")
    changed = await collect(kernel, change, device="cpu")
    assert ok(changed), only(changed, RunError)
    events = await collect(kernel, BACKWARD + STATE, device="cpu")
    assert ok(events), only(events, RunError)
    assert stdout(events) == "[2.0, 2.0]\n" + stdout(before)


STATE = (
    "import os, sys, torch, warnings\n"
    "print(torch.is_grad_enabled(), torch.get_default_dtype(), torch.zeros(1).device,\n"
    "      torch.is_anomaly_enabled(), torch.are_deterministic_algorithms_enabled(),\n"
    "      torch.get_num_threads(), len('abc'), '/nowhere' in sys.path, sys.argv[1:],\n"
    "      os.getcwd(), os.environ.get('NNLEARN_TEST_LEAK'), len(warnings.filters),\n"
    "      torch._C._len_torch_function_stack(), torch._C._len_torch_dispatch_stack())\n"
)


async def test_the_probe_is_not_reachable_from_the_scripts_namespace(kernel):
    code = (
        "import __main__\n"
        "print(sorted(name for name in globals() if name not in ('__main__',)))\n"
        "print(hasattr(__main__, '__nnlearn_probe__'), __main__.__dict__ is globals())\n"
    )
    events = await collect(kernel, code, device="cpu")
    names, probe = stdout(events).splitlines()
    assert names == str(
        sorted(
            [
                "__builtins__",
                "__cached__",
                "__doc__",
                "__file__",
                "__loader__",
                "__name__",
                "__package__",
                "__spec__",
                "device",
            ]
        )
    )
    assert probe == "False True"


async def test_threads_still_running_after_the_run_are_named_with_the_way_out(kernel):
    code = (
        "import threading, time\n"
        "stop = threading.Event()\n"
        "worker = threading.Thread(target=stop.wait, args=(5,), name='data-feeder', daemon=True)\n"
        "worker.start()\n"
        "print('started')\n"
    )
    events = await collect(kernel, code, device="cpu")
    assert ok(events)
    message = stderr(events)
    assert "1 thread started by this Run still running (data-feeder)" in message
    assert "restart the kernel" in message
    quiet = await collect(
        kernel,
        "import threading\nt = threading.Thread(target=print)\nt.start(); t.join()",
        device="cpu",
    )
    assert "still running" not in stderr(quiet)


PRINTING_AND_LOGGING = """\
import logging, sys
import numpy as np
import torch
logging.basicConfig(level=logging.{level}, format="{tag} %(levelname)s %(message)s")
log = logging.getLogger("train")
log.addHandler(logging.StreamHandler(sys.stdout))
log.debug("debug line")
log.info("info line")
print(torch.tensor([1.23456789]), np.array([1.23456789]))
"""


async def test_print_options_and_logging_start_as_in_a_new_process(kernel, tmp_path):
    """The first Run's print precision and logging set-up stayed: a later basicConfig did
    nothing, and a handler added each Run printed each line once more every Run."""
    first = (
        "import numpy as np, torch\n"
        "torch.set_printoptions(precision=2)\n"
        "np.set_printoptions(precision=3)\n"
        + PRINTING_AND_LOGGING.format(level="WARNING", tag="ONE")
    )
    assert ok(await collect(kernel, first, device="cpu"))
    second = PRINTING_AND_LOGGING.format(level="DEBUG", tag="TWO")
    script = tmp_path / "second.py"
    script.write_text(second)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    for _ in range(2):
        events = await collect(kernel, second, device="cpu")
        assert ok(events), only(events, RunError)
        assert stdout(events) == plain.stdout
        assert stderr(events) == plain.stderr
