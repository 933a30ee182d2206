"""The UI process never loads torch; the headless core never loads Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [  # never Textual; like all the client side, never torch
    "nnlearn.kernel",
    "nnlearn.kernel.session",
    "nnlearn.render",
    "nnlearn.curriculum.loader",
    "nnlearn.curriculum.progress",
    "nnlearn.run_command",
]


def modules_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "module",
    ["nnlearn", *HEADLESS, "nnlearn.cli", "nnlearn.doctor", "nnlearn.validate", "nnlearn.tui.app"],
)
def test_client_side_never_imports_torch(module):
    loaded = modules_after_import(module)
    assert "torch" not in loaded, f"importing {module} pulled in torch"


def test_the_event_schema_is_standard_library_only():
    """The probe imports it inside the kernel: it must stay cheap and never pull in torch."""
    before = modules_after_import("sys")
    loaded = modules_after_import("nnlearn.kernel.events") - before
    ours = {"nnlearn", "nnlearn.kernel", "nnlearn.kernel.events"}
    own = {name for name in loaded if name.startswith("nnlearn.kernel.events.")}
    foreign = {
        name for name in loaded - ours - own if name.split(".")[0] not in sys.stdlib_module_names
    }
    assert loaded >= ours and not foreign, f"nnlearn.kernel.events pulled in {sorted(foreign)}"


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_core_never_imports_textual(module):
    loaded = modules_after_import(module)
    assert "textual" not in loaded, f"importing {module} pulled in textual"


def test_the_tui_first_frame_needs_no_plotter_kernel_client_or_lesson_parser():
    """What `nnlearn` imports before its first frame; these come after it, when first used."""
    loaded = modules_after_import(
        "nnlearn.cli, nnlearn.curriculum.bundled, nnlearn.curriculum.cache, "
        "nnlearn.curriculum.progress, nnlearn.tui.app"
    )
    late = {"plotext", "textual_plotext", "jupyter_client", "zmq", "yaml"}
    late |= {"nnlearn.curriculum.loader", "nnlearn.tui.widgets.results_tabs"}
    assert not late & loaded, f"imported before the first frame: {sorted(late & loaded)}"
