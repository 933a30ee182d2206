"""The ``nnlearn`` command: the TUI by default, and ``run``, ``lessons`` and ``doctor``.

Imports are deferred to the chosen command so that ``nnlearn --help`` is
instant; nothing here imports torch.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path

from nnlearn import __version__

DEVICE_HELP = "auto (default: CUDA, else MPS, else CPU), cpu, cuda, cuda:N or mps"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnlearn",
        description="Learn to build PyTorch models in your terminal. "
        "With no command, opens the lessons.",
    )
    parser.add_argument("--version", action="version", version=f"nnlearn {__version__}")
    parser.add_argument("--lessons", type=Path, metavar="DIR", help="open lessons from DIR")
    parser.add_argument("--device", default=None, help=DEVICE_HELP)
    parser.add_argument(
        "--connect",
        metavar="KERNEL_JSON",
        help="use an already running Jupyter kernel (its connection file) instead of starting one",
    )
    parser.add_argument(
        "--no-spare-kernel",
        dest="spare_kernel",
        action="store_false",
        default=None,
        help="do not keep a second, warm kernel for fast restarts (saves its memory; "
        "also NNLEARN_SPARE_KERNEL=0)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run a script and report shapes, parameters, loss")
    run.add_argument("file", type=Path)
    run.add_argument("--device", default=argparse.SUPPRESS, help=DEVICE_HELP)
    run.add_argument("--json", action="store_true", help="one JSON object per line")
    run.add_argument("--connect", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    lessons = commands.add_parser("lessons", help="list or validate lessons")
    lesson_commands = lessons.add_subparsers(dest="lessons_command", metavar="ACTION")
    check = lesson_commands.add_parser("check", help="validate a lessons folder (as CI does)")
    check.add_argument("dir", type=Path, nargs="?", help="default: the bundled lessons")
    check.add_argument("--device", default=argparse.SUPPRESS, help=DEVICE_HELP + "; default cpu")
    listing = lesson_commands.add_parser("list", help="list lessons")
    listing.add_argument("dir", type=Path, nargs="?", help="default: the bundled lessons")
    listing.add_argument("--json", action="store_true")

    doctor = commands.add_parser("doctor", help="check Python, torch, devices and terminal")
    doctor.add_argument("--connect", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "run":
        from nnlearn.run_command import run_file

        return asyncio.run(
            run_file(
                args.file, args.device or "auto", as_json=args.json, connection_file=args.connect
            )
        )
    if args.command == "doctor":
        from nnlearn.doctor import doctor

        return doctor(args.connect)
    if args.command == "lessons":
        from nnlearn import validate

        if args.lessons_command == "check":
            return validate.cmd_lessons_check(args.dir, args.device or "cpu")
        if args.lessons_command == "list":
            return validate.cmd_lessons_list(args.dir, args.json)
        parser.parse_args(["lessons", "--help"])
        return 2
    return _open_app(args)


def _open_app(args: argparse.Namespace) -> int:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        print(
            "nnlearn: the lessons need an interactive terminal. "
            "Try 'nnlearn run FILE' or 'nnlearn --help'.",
            file=sys.stderr,
        )
        return 2
    # Start-up creates a great many objects that all stay alive, so the cycle collector's
    # passes during it are wasted work (about a seventh of the time to the first frame,
    # measured). The app turns it back on once its first frame is out.
    gc.disable()
    from nnlearn.tui.app import run_app

    connection_file = Path(args.connect) if args.connect else None
    return run_app(
        args.lessons, args.device or "auto", connection_file, spare_kernel=args.spare_kernel
    )
