"""Is ``nnlearn run FILE`` close to ``python FILE``, whole process, on a short script?

Both run the same 3 -> 8 -> 1 MLP script as fresh processes, interleaved, in the
same folder: ``python FILE`` and ``nnlearn run FILE`` with its full text report
(output, shapes, parameters). The time is from launch to exit. Last line:
``cli_run_ratio X`` (median nnlearn time / median python time; target <= 1.3).

    python bench/bench_cli_run.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import MLP_SCRIPT, ROOT, interleave, report

NNLEARN = [sys.executable, "-m", "nnlearn", "run"]


def timed(command: list[str], folder: Path, env: dict[str, str], expect: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or expect not in done.stdout:
        raise SystemExit(f"{command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each (at least 5)")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    folder = Path(tempfile.mkdtemp(prefix="nnlearn-bench-run-"))
    script = folder / "mlp.py"
    script.write_text(MLP_SCRIPT)
    env = {**os.environ, "NNLEARN_HOME": str(folder / "home"), "PYTHONPATH": str(ROOT / "src")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    python = [sys.executable, str(script)]
    nnlearn = [*NNLEARN, str(script)]
    # The nnlearn report must be the full one: the output, then the parameters' table.
    python_times, nnlearn_times = interleave(
        runs,
        ("python", lambda: timed(python, folder, env, "torch.Size([4, 1])")),
        ("nnlearn run", lambda: timed(nnlearn, folder, env, "41")),
    )
    report("cli_run_ratio", python_times, nnlearn_times)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
