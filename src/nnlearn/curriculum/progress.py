"""Where the learner is, what they finished, and the code they wrote for every step.

Why this shape: progress (one small JSON file) and drafts (one ``.py`` file per
step) are stored apart, so a corrupt progress file never costs the learner's
code and one bad draft never costs another. Every write is atomic. A file
that cannot be read is moved aside with a timestamp (never deleted), the
reason is added to ``problems`` for the UI to show, and a fresh one starts.

Layout under ``home`` ($NNLEARN_HOME, else platformdirs' user data dir)::

    progress.json
    drafts/<lesson_id>/<step>.py
    drafts/<lesson_id>/backups/<step>-<timestamp>.py
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs

from nnlearn.curriculum.files import (
    atomic_write_text,
    make_private_folder,
    move_aside,
    read_regular_file,
    timestamp,
)

FORMAT_VERSION = 1
PROGRESS_FILE = "progress.json"
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
# A device as torch names one (cpu, cuda:1, mps): anything else in the file is not kept.
_DEVICE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}(:[0-9]{1,4})?")
# Far above what a learner makes (a progress file is a few kB, a step's code a few hundred
# lines), below what would hold the app's start or freeze the editor (with a 4.8 MB draft
# it took ten seconds to answer a key on a 2-core machine; 1 MB answers at once).
MAX_PROGRESS_BYTES = 16_000_000
MAX_DRAFT_BYTES = 1_000_000
CANNOT_SAVE = "Cannot save"
SAVED_AGAIN = "Saved again"
_WHY = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a file is where a folder should be",
    errno.EEXIST: "a file is where a folder should be",
    errno.EISDIR: "a folder is where a file should be",
}
_IN_THE_WAY = (errno.ENOTDIR, errno.EEXIST, errno.EISDIR)  # the message names what to move


def default_home() -> Path:
    """$NNLEARN_HOME when set, else the platform's user data folder for nnlearn."""
    configured = os.environ.get("NNLEARN_HOME")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("nnlearn"))


class CorruptProgress(ValueError):
    """The progress file parsed but does not have the expected structure."""


def _fresh_state() -> dict[str, Any]:
    return {"version": FORMAT_VERSION, "current": None, "lessons": {}}


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise CorruptProgress(what)


def validate_state(data: Any) -> dict[str, Any]:
    """Return ``data`` if it is a progress document this version understands, else raise."""
    _require(isinstance(data, dict), "it is not a JSON object")
    _require(
        data.get("version") == FORMAT_VERSION,
        f"its format version is {data.get('version')!r}, not {FORMAT_VERSION}",
    )
    current = data.get("current")
    _require(
        current is None
        or (
            isinstance(current, dict)
            and isinstance(current.get("lesson"), str)
            and _is_index(current.get("step"))
        ),
        "'current' is malformed",
    )
    _require(
        isinstance(data.get("device", ""), str),
        "'device' is not a string",
    )
    lessons = data.get("lessons")
    _require(isinstance(lessons, dict), "'lessons' is not an object")
    for lesson_id, entry in lessons.items():
        _require(isinstance(entry, dict), f"lesson {lesson_id!r} is not an object")
        _require(_is_index(entry.get("step", 0)), f"lesson {lesson_id!r}: 'step' is malformed")
        done = entry.get("done", [])
        _require(
            isinstance(done, list) and all(_is_index(i) for i in done),
            f"lesson {lesson_id!r}: 'done' is malformed",
        )
        quizzes, exercises = entry.get("quizzes", {}), entry.get("exercises", {})
        _require(isinstance(quizzes, dict), f"lesson {lesson_id!r}: 'quizzes' is malformed")
        _require(isinstance(exercises, dict), f"lesson {lesson_id!r}: 'exercises' is malformed")
        for key, answer in quizzes.items():
            _require(
                isinstance(answer, dict)
                and _is_index(answer.get("choice"))
                and isinstance(answer.get("correct"), bool),
                f"lesson {lesson_id!r}: quiz {key!r} is malformed",
            )
        for key, result in exercises.items():
            _require(
                isinstance(result, dict)
                and isinstance(result.get("ok"), bool)
                and isinstance(result.get("message"), str),
                f"lesson {lesson_id!r}: exercise {key!r} is malformed",
            )
    return data


class ProgressStore:
    """The learner's progress and drafts under ``home``; see the module docstring."""

    def __init__(self, home: Path | None = None) -> None:
        self.home: Path = Path(home) if home is not None else default_home()
        self.problems: list[str] = []
        # Called with (title, message) for each problem found after it is set (the UI's toast).
        self.on_problem: Callable[[str, str], None] | None = None
        self.save_problem: str | None = None  # why saving fails now; None while it works
        self._progress_path = self.home / PROGRESS_FILE
        self._drafts = self.home / "drafts"
        self._unsaved: dict[tuple[str, int], str] = {}
        self._progress_unsaved = False
        self._orphans: list[tuple[str, int, str]] = []  # code kept only in memory, not a draft
        if self.home.exists() and not self.home.is_dir():
            self._write_failed(NotADirectoryError(errno.ENOTDIR, "not a folder", str(self.home)))
            self._state = _fresh_state()
        else:
            self._state = self._load()

    # -- problems and failed writes -------------------------------------------

    def _report(self, title: str, message: str) -> None:
        self.problems.append(message)
        if self.on_problem is not None:
            self.on_problem(title, message)

    def _write_failed(self, error: OSError) -> bool:
        """Say (once per reason) that saving fails and why; always False."""
        why = _WHY.get(error.errno or 0, error.strerror or str(error))
        if error.errno in _IN_THE_WAY and error.filename:
            why += f" ({error.filename}: move it away to save again)"
        message = (
            f"Your code and progress cannot be saved in {self.home}: {why}. "
            "nnlearn keeps working and keeps your code in memory; saving is retried, "
            "and quitting says where any unsaved code went."
        )
        if message != self.save_problem:
            self.save_problem = message
            self._report(CANNOT_SAVE, message)
        return False

    def _write_worked(self) -> None:
        if self.save_problem is not None:
            self.save_problem = None
            if self.on_problem is not None:
                self.on_problem(
                    SAVED_AGAIN, "Saving works again: your code and progress are saved."
                )

    @property
    def has_unsaved(self) -> bool:
        return bool(self._unsaved or self._progress_unsaved)

    def retry_unsaved(self) -> bool:
        """Write every draft (and the progress) that could not be written; True when all are."""
        for key, code in list(self._unsaved.items()):
            try:
                atomic_write_text(self.draft_path(*key), code)
            except OSError as error:
                return self._write_failed(error)
            if self._unsaved.get(key) is code:
                del self._unsaved[key]
        if self._progress_unsaved:
            try:
                atomic_write_text(
                    self._progress_path, json.dumps(self._state, indent=2, sort_keys=True) + "\n"
                )
            except OSError as error:
                return self._write_failed(error)
            self._progress_unsaved = False
        self._write_worked()
        return True

    def unsaved_report(self) -> str | None:
        """At exit: where code that could not be saved went (or the code itself); None if none.

        What is still unsaved after a last retry is written to a new private
        folder in the temp folder; if even that fails, the message holds the code.
        """
        if self.has_unsaved:
            self.retry_unsaved()
        pieces = [(lesson, step, code) for (lesson, step), code in self._unsaved.items()]
        pieces += self._orphans
        if not pieces:
            return None
        folder: Path | None = None
        try:
            folder = Path(tempfile.mkdtemp(prefix="nnlearn-unsaved-"))
            for number, (lesson, step, code) in enumerate(pieces, start=1):
                atomic_write_text(folder / f"{number:02d}-{lesson}-step{step + 1}.py", code)
        except OSError as error:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            listing = "\n\n".join(
                f"# ---- {lesson}, step {step + 1} ----\n{code}" for lesson, step, code in pieces
            )
            return (
                f"nnlearn: your code could not be saved ({error.strerror or error}), "
                f"not even in the temp folder. Here it is:\n\n{listing}"
            )
        return (
            f"nnlearn: some of your code could not be saved in {self.home}. It is kept in {folder}"
        )

    # -- the progress file -------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            raw = read_regular_file(self._progress_path, MAX_PROGRESS_BYTES)
        except (FileNotFoundError, NotADirectoryError):
            return _fresh_state()
        except OSError as error:
            self._set_aside(self._progress_path, f"could not be read ({error.strerror or error})")
            return _fresh_state()
        try:
            return validate_state(json.loads(raw.decode("utf-8")))
        except (ValueError, RecursionError) as error:  # bad UTF-8, bad JSON, wrong structure
            self._set_aside(self._progress_path, f"is corrupt ({error})")
            return _fresh_state()

    def _set_aside(self, path: Path, reason: str, fresh: str = "a fresh one was started") -> None:
        try:
            aside = move_aside(path, "corrupt")
        except OSError as error:
            self._report(
                "Progress file problem",
                f"{path} {reason} and could not be moved aside ({error.strerror or error}); "
                "it will be overwritten on the next save",
            )
            return
        self._report(
            "Progress file problem", f"{path} {reason}; it was kept as {aside.name} and {fresh}"
        )

    def _save(self) -> bool:
        """Write the progress file (and anything unsaved); False, reported, if the disk says no."""
        self._progress_unsaved = True
        return self.retry_unsaved()

    def _lesson(self, lesson_id: str, create: bool = False) -> dict[str, Any]:
        _check_id(lesson_id)
        lessons = self._state["lessons"]
        if lesson_id not in lessons:
            if not create:
                return {}
            lessons[lesson_id] = {"step": 0, "done": [], "quizzes": {}, "exercises": {}}
        entry: dict[str, Any] = lessons[lesson_id]
        for key, empty in (("done", []), ("quizzes", {}), ("exercises", {})):
            entry.setdefault(key, empty)
        return entry

    # -- where the learner is ----------------------------------------------

    def current(self) -> tuple[str, int] | None:
        current = self._state["current"]
        return None if current is None else (current["lesson"], current["step"])

    def set_current(self, lesson_id: str, step_index: int) -> None:
        _check_step(step_index)
        self._lesson(lesson_id, create=True)["step"] = step_index
        self._state["current"] = {"lesson": lesson_id, "step": step_index}
        self._save()

    def lesson_step(self, lesson_id: str) -> int:
        return int(self._lesson(lesson_id).get("step", 0))

    # -- what is done ------------------------------------------------------

    def done_steps(self, lesson_id: str) -> set[int]:
        return set(self._lesson(lesson_id).get("done", []))

    def is_done(self, lesson_id: str, step_index: int) -> bool:
        return step_index in self.done_steps(lesson_id)

    def mark_done(self, lesson_id: str, step_index: int) -> None:
        _check_step(step_index)
        entry = self._lesson(lesson_id, create=True)
        if step_index not in entry["done"]:
            entry["done"] = sorted({*entry["done"], step_index})
            self._save()

    def quiz_answer(self, lesson_id: str, step_index: int, quiz_index: int) -> int | None:
        answer = self._lesson(lesson_id).get("quizzes", {}).get(f"{step_index}:{quiz_index}")
        return None if answer is None else int(answer["choice"])

    def quiz_result(
        self, lesson_id: str, step_index: int, quiz_index: int
    ) -> tuple[int, bool] | None:
        """The first answer given to a quiz, and whether it was right."""
        answer = self._lesson(lesson_id).get("quizzes", {}).get(f"{step_index}:{quiz_index}")
        return None if answer is None else (int(answer["choice"]), bool(answer["correct"]))

    def set_quiz_answer(
        self,
        lesson_id: str,
        step_index: int,
        quiz_index: int,
        choice: int,
        correct: bool,
        choices: int | None = None,
    ) -> bool:
        """Record the learner's answer if it is their first; True when it was recorded.

        The first answer is the one that counts: a wrong answer shows the right
        one, so a later pick says nothing about what the learner knew. A stored
        answer that is not one of the quiz's ``choices`` (the lesson has changed
        since, or the file was edited) is no answer and is replaced.
        """
        _check_step(step_index)
        _check_step(quiz_index)
        _check_step(choice)
        entry = self._lesson(lesson_id, create=True)
        key = f"{step_index}:{quiz_index}"
        earlier = entry["quizzes"].get(key)
        if earlier is not None and (choices is None or earlier["choice"] < choices):
            return False
        entry["quizzes"][key] = {"choice": choice, "correct": bool(correct)}
        self._save()
        return True

    def exercise_result(self, lesson_id: str, step_index: int) -> tuple[bool, str] | None:
        result = self._lesson(lesson_id).get("exercises", {}).get(str(step_index))
        return None if result is None else (bool(result["ok"]), str(result["message"]))

    def set_exercise_result(self, lesson_id: str, step_index: int, ok: bool, message: str) -> None:
        _check_step(step_index)
        entry = self._lesson(lesson_id, create=True)
        entry["exercises"][str(step_index)] = {"ok": bool(ok), "message": str(message)}
        self._save()

    # -- settings ----------------------------------------------------------

    def device(self) -> str | None:
        """The device last chosen in the app (F7), if any."""
        device = self._state.get("device")
        if isinstance(device, str) and _DEVICE_NAME.fullmatch(device):
            return device
        return None

    def set_device(self, device: str) -> None:
        self._state["device"] = str(device)
        self._save()

    # -- drafts ------------------------------------------------------------

    def draft_path(self, lesson_id: str, step_index: int) -> Path:
        """Where the learner's code for this step lives (it may not exist yet)."""
        _check_id(lesson_id)
        _check_step(step_index)
        return self._drafts / lesson_id / f"{step_index}.py"

    def load_draft(self, lesson_id: str, step_index: int) -> str | None:
        path = self.draft_path(lesson_id, step_index)
        unsaved = self._unsaved.get((lesson_id, step_index))
        if unsaved is not None:
            return unsaved
        fresh = "the step's starter code is shown"
        try:
            return read_regular_file(path, MAX_DRAFT_BYTES).decode("utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            self._set_aside(path, f"could not be read ({error.strerror or error})", fresh)
        except UnicodeDecodeError:
            self._set_aside(path, "is not valid UTF-8 text", fresh)
        return None

    def save_draft(self, lesson_id: str, step_index: int, code: str) -> bool:
        """Save the step's code; if the disk says no, keep it in memory (reported) and retry later.

        Returns whether it is on disk now.
        """
        self.draft_path(lesson_id, step_index)  # refuses a bad id before anything is kept
        self._unsaved[(lesson_id, step_index)] = code
        return self.retry_unsaved()

    def reset_draft(self, lesson_id: str, step_index: int) -> Path | None:
        """Move the draft into backups/ (so it stays recoverable); return where it went.

        If the disk says no, the code is kept in memory (and named at exit) instead.
        """
        path = self.draft_path(lesson_id, step_index)
        unsaved = self._unsaved.pop((lesson_id, step_index), None)
        try:
            if unsaved is not None:
                atomic_write_text(path, unsaved)
            if not path.is_file():
                return None
            backups = path.parent / "backups"
            make_private_folder(backups)
            stamp = timestamp()
            target = backups / f"{step_index}-{stamp}.py"
            number = 2
            while target.exists():
                target = backups / f"{step_index}-{stamp}-{number}.py"
                number += 1
            os.replace(path, target)
        except OSError as error:
            if unsaved is not None:
                self._orphans.append((lesson_id, step_index, unsaved))
            self._write_failed(error)
            return None
        return target

    def draft_backups(self, lesson_id: str, step_index: int) -> list[Path]:
        """Earlier drafts of this step, oldest first."""
        backups = self.draft_path(lesson_id, step_index).parent / "backups"
        if not backups.is_dir():
            return []
        return sorted(backups.glob(f"{step_index}-*.py"))


def _check_id(lesson_id: str) -> None:
    if not isinstance(lesson_id, str) or not _SAFE_ID.match(lesson_id) or lesson_id in (".", ".."):
        raise ValueError(f"not a lesson id: {lesson_id!r}")


def _check_step(index: int) -> None:
    if not _is_index(index):
        raise ValueError(f"not a step or choice index: {index!r}")
