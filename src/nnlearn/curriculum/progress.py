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

import json
import os
import re
from pathlib import Path
from typing import Any

import platformdirs

from nnlearn.curriculum.files import atomic_write_text, move_aside, timestamp

FORMAT_VERSION = 1
PROGRESS_FILE = "progress.json"
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")


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
        self._progress_path = self.home / PROGRESS_FILE
        self._drafts = self.home / "drafts"
        self._state = self._load()

    # -- the progress file -------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            raw = self._progress_path.read_bytes()
        except FileNotFoundError:
            return _fresh_state()
        except OSError as error:
            self._set_aside(self._progress_path, f"could not be read ({error.strerror or error})")
            return _fresh_state()
        try:
            return validate_state(json.loads(raw.decode("utf-8")))
        except (ValueError, RecursionError) as error:  # bad UTF-8, bad JSON, wrong structure
            self._set_aside(self._progress_path, f"is corrupt ({error})")
            return _fresh_state()

    def _set_aside(self, path: Path, reason: str) -> Path | None:
        try:
            aside = move_aside(path, "corrupt")
        except OSError as error:
            self.problems.append(
                f"{path} {reason} and could not be moved aside ({error.strerror or error}); "
                "it will be overwritten on the next save"
            )
            return None
        self.problems.append(
            f"{path} {reason}; it was kept as {aside.name} and a fresh one was started"
        )
        return aside

    def _save(self) -> None:
        atomic_write_text(
            self._progress_path, json.dumps(self._state, indent=2, sort_keys=True) + "\n"
        )

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
        self, lesson_id: str, step_index: int, quiz_index: int, choice: int, correct: bool
    ) -> bool:
        """Record the learner's answer if it is their first; True when it was recorded.

        The first answer is the one that counts: a wrong answer shows the right
        one, so a later pick says nothing about what the learner knew.
        """
        _check_step(step_index)
        _check_step(quiz_index)
        _check_step(choice)
        entry = self._lesson(lesson_id, create=True)
        key = f"{step_index}:{quiz_index}"
        if key in entry["quizzes"]:
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
        return device if isinstance(device, str) and device else None

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
        try:
            return path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            self._set_aside(path, f"could not be read ({error.strerror or error})")
        except UnicodeDecodeError:
            self._set_aside(path, "is not valid UTF-8 text")
        return None

    def save_draft(self, lesson_id: str, step_index: int, code: str) -> None:
        atomic_write_text(self.draft_path(lesson_id, step_index), code)

    def reset_draft(self, lesson_id: str, step_index: int) -> Path | None:
        """Move the draft into backups/ (so it stays recoverable); return where it went."""
        path = self.draft_path(lesson_id, step_index)
        if not path.is_file():
            return None
        backups = path.parent / "backups"
        backups.mkdir(parents=True, exist_ok=True)
        stamp = timestamp()
        target = backups / f"{step_index}-{stamp}.py"
        number = 2
        while target.exists():
            target = backups / f"{step_index}-{stamp}-{number}.py"
            number += 1
        os.replace(path, target)
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
