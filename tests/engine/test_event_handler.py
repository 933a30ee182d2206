"""EventHandler: each event reaches the consumer's on_<kind>; a kind it does not show is ignored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from nnlearn.kernel.consumer import EventHandler
from nnlearn.kernel.events import Event, KernelDied, RunFinished, Stream


@dataclass(frozen=True)
class Unshown(Event):
    kind: ClassVar[str] = "test_unshown"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Unshown:
        return cls()


class Recorder(EventHandler):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_stream(self, event: Stream) -> None:
        self.seen.append(f"stream:{event.text}")

    def on_done(self, event: RunFinished) -> None:
        self.seen.append(f"done:{event.ok}")

    def on_other(self, event: Event) -> None:
        self.seen.append(f"other:{event.kind}")


def test_each_event_goes_to_the_method_named_after_its_kind():
    recorder = Recorder()
    for event in [
        Stream("stdout", "a"),
        KernelDied("gone"),
        Unshown(),
        RunFinished(True, "cpu", 1),
    ]:
        recorder.handle(event)
    # KernelDied has a method in the base class (a no-op); Unshown has none anywhere.
    assert recorder.seen == ["stream:a", "other:test_unshown", "done:True"]
