"""Which devices this kernel can run on, and turning a device name into one.

Runs inside the kernel (imports torch). A device that does not exist is
refused before any of the learner's code runs, with a message that names the
devices that do. The chosen device is only offered to the learner's code (the
name ``device``); nothing is created there behind their back, so seeded
numbers are the CPU's on every machine (docs/ARCHITECTURE.md, "Devices").
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from nnlearn.kernel.events import DeviceInfo


class DeviceUnavailable(Exception):
    """The requested device does not exist here; the message says what does."""


def available_devices() -> list[DeviceInfo]:
    """The devices a learner can pick, CPU first."""
    devices = [DeviceInfo("cpu", "CPU")]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            devices.append(DeviceInfo(f"cuda:{index}", props.name, int(props.total_memory)))
    if _mps_available():
        devices.append(DeviceInfo("mps", "Apple GPU (MPS)"))
    return devices


def accelerator_available() -> bool:
    """Whether this torch can make a tensor on a GPU or other accelerator."""
    accelerator = getattr(torch, "accelerator", None)
    try:
        if accelerator is not None:
            return bool(accelerator.is_available())
        return torch.cuda.is_available() or _mps_available()
    except Exception:  # unsure: say yes, the answer that asks each tensor's device
        return True


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def _names() -> str:
    return ", ".join(d.name for d in available_devices())


def _no_cuda_reason() -> str:
    if torch.version.cuda is None:
        return f"this torch ({torch.__version__}) is a CPU-only build"
    return (
        f"torch was built for CUDA {torch.version.cuda} but sees no GPU "
        "(check nvidia-smi and CUDA_VISIBLE_DEVICES)"
    )


def resolve_device(requested: str) -> torch.device:
    """Turn ``auto``/``cpu``/``cuda``/``cuda:N``/``mps`` into a device, or explain why not."""
    name = (requested or "auto").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" or name.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise DeviceUnavailable(
                f"CUDA is not available here: {_no_cuda_reason()}. "
                f"Devices you can use: {_names()}. Choose one of those, or 'auto'."
            )
        index_text = name.partition(":")[2] or "0"
        if not index_text.isdigit():
            raise DeviceUnavailable(f"'{requested}' is not a device name. Devices: {_names()}.")
        index = int(index_text)
        if index >= torch.cuda.device_count():
            raise DeviceUnavailable(
                f"There is no GPU number {index}: this machine has "
                f"{torch.cuda.device_count()} (cuda:0 to cuda:{torch.cuda.device_count() - 1})."
                f" Devices: {_names()}."
            )
        return torch.device("cuda", index)
    if name == "mps":
        if not _mps_available():
            raise DeviceUnavailable(
                f"MPS (Apple GPU) is not available on this machine. Devices: {_names()}."
            )
        return torch.device("mps")
    raise DeviceUnavailable(
        f"Unknown device '{requested}'. Use auto, cpu, cuda, cuda:N or mps. "
        f"Devices here: {_names()}."
    )


@contextlib.contextmanager
def on_device(device: torch.device) -> Iterator[None]:
    """Make a chosen GPU the current one while the learner's code and its check run.

    Only the meaning of a bare ``"cuda"`` changes (it names the chosen GPU, so
    ``x.to("cuda")`` and ``device`` agree when ``cuda:1`` is chosen); where new
    tensors are created does not. Other devices need nothing.
    """
    with contextlib.ExitStack() as stack:
        if device.type == "cuda":
            # A CUDA context broken by an earlier Run: the code's own CUDA calls say so,
            # with the learner's line; entering must not lose the Run's report.
            with contextlib.suppress(Exception):
                stack.enter_context(torch.cuda.device(device))
        yield
