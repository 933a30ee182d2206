"""What one Run says as it goes and at its end: output, the error, the check, done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from nnlearn.kernel.events.base import Event
from nnlearn.kernel.events.fields import optional_int, optional_str, str_field


@dataclass(frozen=True)
class Stream(Event):
    """Text the learner's code wrote to stdout or stderr."""

    kind: ClassVar[str] = "stream"

    name: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stream:
        return cls(str_field(data["name"]), str_field(data["text"]))


@dataclass(frozen=True)
class RunError(Event):
    """The learner's code failed: what, where (1-based editor line), and how."""

    kind: ClassVar[str] = "error"

    type: str
    message: str
    line: int | None
    traceback: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "type": self.type,
            "message": self.message,
            "line": self.line,
            "traceback": self.traceback,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunError:
        return cls(
            type=str_field(data["type"]),
            message=str_field(data.get("message", "")),
            line=optional_int(data.get("line")),
            traceback=str_field(data.get("traceback", "")),
        )


@dataclass(frozen=True)
class CheckResult(Event):
    """The outcome of an exercise's check, run after the learner's code."""

    kind: ClassVar[str] = "check"

    ok: bool
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "ok": self.ok, "message": self.message}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        return cls(ok=bool(data["ok"]), message=str_field(data.get("message", "")))


@dataclass(frozen=True)
class RunFinished(Event):
    """The run is over; every other event of the run came before this one.

    ``exit_code`` is the status the script asked for with ``sys.exit(N)``/``exit(N)``
    (N not 0), as ``python`` would end with it; None otherwise.
    """

    kind: ClassVar[str] = "done"

    ok: bool
    device: str | None
    seconds: float
    interrupted: bool = False
    exit_code: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "ok": self.ok,
            "device": self.device,
            "seconds": round(self.seconds, 6),
        }
        if self.interrupted:
            data["interrupted"] = True
        if self.exit_code is not None:
            data["exit_code"] = self.exit_code
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunFinished:
        return cls(
            ok=bool(data["ok"]),
            device=optional_str(data.get("device")),
            seconds=float(data.get("seconds", 0.0)),
            interrupted=bool(data.get("interrupted", False)),
            exit_code=optional_int(data.get("exit_code")),
        )
