"""What the kernel says about itself: its life-cycle state, its death, its restart, its devices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from nnlearn.kernel.events.base import Event
from nnlearn.kernel.events.fields import optional_int, optional_str, str_field


@dataclass(frozen=True)
class KernelStatus(Event):
    """The kernel's life-cycle state changed (for status lines).

    ``state`` is one of: ``starting``, ``warming`` (importing torch),
    ``idle``, ``busy``, ``restarting``, ``dead``, ``stopped``.
    """

    kind: ClassVar[str] = "status"
    from_probe: ClassVar[bool] = False

    state: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "state": self.state, "detail": self.detail}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KernelStatus:
        return cls(str_field(data["state"]), str_field(data.get("detail", "")))


@dataclass(frozen=True)
class KernelDied(Event):
    """The kernel process went away (os._exit, a segfault, the OOM killer).

    ``reason`` completes "The kernel died: …", e.g. "the process exited with code 1".
    """

    kind: ClassVar[str] = "kernel_died"
    from_probe: ClassVar[bool] = False

    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KernelDied:
        return cls(str_field(data["reason"]))


@dataclass(frozen=True)
class KernelRestarted(Event):
    """The kernel was restarted: everything defined in it is gone.

    ``reason`` says why, e.g. "the code did not stop when interrupted".
    """

    kind: ClassVar[str] = "kernel_restarted"
    from_probe: ClassVar[bool] = False

    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KernelRestarted:
        return cls(str_field(data["reason"]))


@dataclass(frozen=True)
class DeviceInfo:
    """One device the kernel can run on."""

    name: str
    label: str
    memory_bytes: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "memory_bytes": self.memory_bytes}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceInfo:
        name = str_field(data["name"])
        return cls(name, str_field(data.get("label", name)), optional_int(data.get("memory_bytes")))


@dataclass(frozen=True)
class KernelInfo(Event):
    """What the warmed kernel reported about itself (its ``ready`` report)."""

    kind: ClassVar[str] = "ready"

    python: str
    torch: str
    cuda: str | None
    devices: tuple[DeviceInfo, ...]
    warm_seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "python": self.python,
            "torch": self.torch,
            "cuda": self.cuda,
            "devices": [d.to_json() for d in self.devices],
            "warm_seconds": round(self.warm_seconds, 3),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KernelInfo:
        return cls(
            python=str_field(data.get("python", "?")),
            torch=str_field(data.get("torch", "?")),
            cuda=optional_str(data.get("cuda")),
            devices=tuple(DeviceInfo.from_json(d) for d in data.get("devices") or []),
            warm_seconds=float(data.get("warm_seconds", 0.0)),
        )


@dataclass(frozen=True)
class MemoryRow:
    """Free and total bytes of one device (None where it cannot be known), or why not."""

    device: str
    free: int | None = None
    total: int | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"device": self.device, "free": self.free, "total": self.total}
        if self.error is not None:
            data["error"] = self.error
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MemoryRow:
        return cls(
            device=str_field(data["device"]),
            free=optional_int(data.get("free")),
            total=optional_int(data.get("total")),
            error=optional_str(data.get("error")),
        )


@dataclass(frozen=True)
class DeviceMemory(Event):
    """The memory of the CPU and of every GPU the kernel sees (for ``nnlearn doctor``)."""

    kind: ClassVar[str] = "device_memory"

    rows: tuple[MemoryRow, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "rows": [row.to_json() for row in self.rows]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceMemory:
        return cls(tuple(MemoryRow.from_json(row) for row in data.get("rows", [])))
