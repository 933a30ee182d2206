"""The UI process must never load torch: importing the app leaves it out."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_tui_app_does_not_import_torch():
    probe = (
        "import sys\n"
        "import nnlearn.tui.app, nnlearn.tui.screens.main, nnlearn.tui.kernel_runner\n"
        "assert 'torch' not in sys.modules, 'nnlearn.tui imported torch'\n"
        "assert 'nnlearn.tui.app' in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_first_frame_needs_no_plotter_kernel_client_or_lesson_parser():
    """What loads before the first frame (start-up time); these come after it, when used."""
    probe = (
        "import sys\n"
        "import nnlearn.cli\n"
        "from nnlearn.curriculum.bundled import bundled_lessons_dir\n"
        "from nnlearn.curriculum.cache import load_lessons_cached\n"
        "from nnlearn.curriculum.progress import ProgressStore\n"
        "import nnlearn.tui.app\n"
        "late = ['plotext', 'textual_plotext', 'jupyter_client', 'zmq', 'yaml',\n"
        "        'nnlearn.curriculum.loader', 'nnlearn.tui.widgets.results_tabs']\n"
        "print(' '.join(name for name in late if name in sys.modules) or 'ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
