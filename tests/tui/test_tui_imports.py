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
