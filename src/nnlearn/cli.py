"""The ``nnlearn`` command: the TUI by default, and ``run``, ``lessons`` and ``doctor``.

Imports are deferred to the chosen command so that ``nnlearn --help`` is
instant, and so that ``nnlearn`` itself launches its kernel before the app's
imports (``kernel/early_kernel.py``); nothing here imports torch.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from pathlib import Path

from nnlearn import __version__

DEVICE_HELP = "auto (default: CUDA, else MPS, else CPU), cpu, cuda, cuda:N or mps"
LESSONS_CHECK_RUNS = (
    "It runs every example, starter, solution, mistake and check of the folder as Python code "
    "on this machine: check only folders you trust."
)


def _depth(text: str) -> int:
    try:
        depth = int(text)
    except ValueError:
        depth = -1
    if depth < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a depth: give 0 (the models only), 1 (model.fc1), 2, …"
        )
    return depth


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

    run = commands.add_parser(
        "run",
        help="run a script (as python FILE ARGS... would) and report shapes, parameters, loss",
        description="Run FILE as 'python FILE ARGS...' would and report what it did. "
        "ARGS become sys.argv[1:]. nnlearn's own options may come before or after FILE; "
        "put ARGS after '--' to pass the script an option of the same name.",
    )
    run.add_argument("file", type=Path)
    run.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="the script's")
    run.add_argument("--device", default=argparse.SUPPRESS, help=DEVICE_HELP)
    run.add_argument("--json", action="store_true", help="one JSON object per line")
    run.add_argument(
        "--no-inside",
        dest="inside",
        action="store_false",
        help="do not sample gradients, updates and activations while it trains",
    )
    run.add_argument(
        "--depth",
        type=_depth,
        default=None,
        metavar="N",
        help="show modules down to depth N in the tables (default 3; model.fc1 is 1)",
    )
    run.add_argument(
        "--all",
        action="store_true",
        help="show every row of the tables: every module and tensor, at any depth",
    )
    run.add_argument("--connect", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    lessons = commands.add_parser("lessons", help="list or validate lessons")
    lesson_commands = lessons.add_subparsers(dest="lessons_command", metavar="ACTION")
    check = lesson_commands.add_parser(
        "check",
        help="validate a lessons folder by running all its code (as CI does)",
        description="Validate a lessons folder: report every problem with file:line. "
        + LESSONS_CHECK_RUNS,
    )
    check.add_argument("dir", type=Path, nargs="?", help="default: the bundled lessons")
    check.add_argument("--device", default=argparse.SUPPRESS, help=DEVICE_HELP + "; default cpu")
    check.add_argument(
        "--timeout",
        type=float,
        default=180.0,
        metavar="SECONDS",
        help="stop a block that runs longer than this (default 180); the next block runs normally",
    )
    listing = lesson_commands.add_parser("list", help="list lessons")
    listing.add_argument("dir", type=Path, nargs="?", help="default: the bundled lessons")
    listing.add_argument("--json", action="store_true")

    doctor = commands.add_parser("doctor", help="check Python, torch, devices and terminal")
    doctor.add_argument("--connect", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; Ctrl+C and a closed pipe end it quietly (130, 141) at any point."""
    try:
        status = _main(sys.argv[1:] if argv is None else list(argv))
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
        return status
    except KeyboardInterrupt:
        with contextlib.suppress(OSError, ValueError):
            print("\nnnlearn: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Whoever read our output (`| head`) has gone: say nothing, and keep Python's own
        # flush at exit from complaining about it.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _split_script_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """(nnlearn's arguments, the script's) for ``nnlearn run``.

    After FILE, nnlearn's own options (--json, --all, --no-inside, --device D, --depth N,
    --connect K) stay nnlearn's and everything else is the script's; after ``--``
    everything is the script's.
    """
    if "run" not in argv:
        return argv, []
    run_at = argv.index("run")
    tail: list[str] = []
    if "--" in argv[run_at:]:
        cut = argv.index("--", run_at)
        argv, tail = argv[:cut], argv[cut + 1 :]
    return argv, tail


_RUN_OPTIONS_WITH_VALUE = ("--device", "--connect", "--depth")
_RUN_FLAGS = ("--json", "--all", "--no-inside")


def _own_options(remainder: list[str]) -> tuple[list[str], list[str]]:
    """Separate nnlearn's options, given after FILE, from the script's arguments."""
    own: list[str] = []
    script: list[str] = []
    items = iter(remainder)
    for item in items:
        if item in _RUN_FLAGS or item.startswith(tuple(f"{o}=" for o in _RUN_OPTIONS_WITH_VALUE)):
            own.append(item)
        elif item in _RUN_OPTIONS_WITH_VALUE:
            own.append(item)
            own.append(next(items, ""))
        else:
            script.append(item)
    return own, script


def _main(argv: list[str]) -> int:
    parser = _parser()
    argv, tail = _split_script_args(argv)
    args = parser.parse_args(argv)
    try:
        if args.command in (None, "run") or getattr(args, "lessons_command", None) == "check":
            os.getcwd()  # where their kernels start
    except OSError as error:
        print(
            f"nnlearn: the current folder cannot be used ({error.strerror}): it was deleted "
            "or moved after this shell entered it. cd to a folder that exists and try again.",
            file=sys.stderr,
        )
        return 2
    if args.command == "run":
        own, script_args = _own_options(args.args)
        if own:
            # Parse them again where argparse takes them as options: just before FILE.
            head = argv[: len(argv) - len(args.args)]
            extra = parser.parse_args([*head[:-1], *own, head[-1]])
            args.json, args.device, args.connect = extra.json, extra.device, extra.connect
            args.inside = extra.inside
            args.depth, args.all = extra.depth, extra.all
        import asyncio  # here: ``nnlearn`` alone launches its kernel before this import

        from nnlearn.run_command import DEFAULT_DEPTH, run_file

        return asyncio.run(
            run_file(
                args.file,
                args.device or "auto",
                as_json=args.json,
                connection_file=args.connect,
                script_args=[*script_args, *tail],
                inside=args.inside,
                depth=DEFAULT_DEPTH if args.depth is None else args.depth,
                show_all=args.all,
            )
        )
    if args.command == "doctor":
        from nnlearn.doctor import doctor

        return doctor(args.connect)
    if args.command == "lessons":
        from nnlearn import validate

        if args.lessons_command == "check":
            return validate.cmd_lessons_check(args.dir, args.device or "cpu", args.timeout)
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
    connection_file = Path(args.connect) if args.connect else None
    early = None
    if connection_file is None:
        # The kernel first of all: its start (import torch) is what F5 waits for, and it
        # needs none of the app (kernel/early_kernel.py). Standard library only.
        from nnlearn.kernel import early_kernel

        early = early_kernel.launch()
    # Start-up creates a great many objects that all stay alive, so the cycle collector's
    # passes during it are wasted work (about a seventh of the time to the first frame,
    # measured). The app turns it back on once its first frame is out.
    gc.disable()
    try:
        from nnlearn.tui.app import run_app
    except BaseException:  # Ctrl+C, or a broken install: no kernel left behind
        if early is not None and early.kernel is not None:
            early.kernel.discard()
        raise
    return run_app(
        args.lessons, args.device, connection_file, spare_kernel=args.spare_kernel, early=early
    )
