"""Device choice inside the kernel, including the CUDA paths on a machine without a GPU."""

from __future__ import annotations

import contextlib
import types

import pytest
import torch

from nnlearn.probe import devices
from nnlearn.probe.devices import (
    DeviceUnavailable,
    available_devices,
    on_device,
    resolve_device,
)


def test_cpu_and_auto_without_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "_mps_available", lambda: False)
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device("") == torch.device("cpu")
    assert [d.name for d in available_devices()] == ["cpu"]


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "CUDA:1"])
def test_cuda_without_gpu_names_what_exists(monkeypatch, name):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "_mps_available", lambda: False)
    with pytest.raises(DeviceUnavailable) as raised:
        resolve_device(name)
    message = str(raised.value)
    assert "CUDA is not available" in message
    assert "Devices you can use: cpu" in message


def test_cuda_build_without_visible_gpu_points_at_the_driver(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", "12.4")
    with pytest.raises(DeviceUnavailable, match="nvidia-smi"):
        resolve_device("cuda")


@pytest.fixture
def two_gpus(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    props = types.SimpleNamespace(name="Fake GPU", total_memory=80 * 2**30)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda index: props)
    monkeypatch.setattr(devices, "_mps_available", lambda: False)


def test_gpu_devices_are_listed_with_memory(two_gpus):
    listed = available_devices()
    assert [d.name for d in listed] == ["cpu", "cuda:0", "cuda:1"]
    assert listed[1].memory_bytes == 80 * 2**30
    assert listed[1].label == "Fake GPU"


def test_gpu_names_resolve(two_gpus):
    assert resolve_device("auto") == torch.device("cuda", 0)
    assert resolve_device("cuda") == torch.device("cuda", 0)
    assert resolve_device("cuda:1") == torch.device("cuda", 1)


def test_gpu_index_out_of_range(two_gpus):
    with pytest.raises(DeviceUnavailable, match="no GPU number 2"):
        resolve_device("cuda:2")
    with pytest.raises(DeviceUnavailable, match="not a device name"):
        resolve_device("cuda:x")


def test_mps_missing_and_unknown_names(monkeypatch):
    monkeypatch.setattr(devices, "_mps_available", lambda: False)
    with pytest.raises(DeviceUnavailable, match="MPS"):
        resolve_device("mps")
    with pytest.raises(DeviceUnavailable, match="Unknown device 'tpu'"):
        resolve_device("tpu")


@pytest.mark.parametrize("chosen", [torch.device("cpu"), torch.device("meta")])
def test_the_chosen_device_never_becomes_the_default_for_new_tensors(chosen):
    # "meta" stands in for a GPU: whatever is chosen, creation stays on the CPU (with
    # the CPU's seeded generator), as under plain python; code moves things with .to(device).
    with on_device(chosen):
        assert torch.zeros(2).device.type == "cpu"
        assert torch.nn.Linear(2, 2).weight.device.type == "cpu"
    assert torch.zeros(2).device.type == "cpu"


def test_a_chosen_gpu_is_the_current_cuda_device_only_while_the_code_runs(monkeypatch):
    entered: list[object] = []

    @contextlib.contextmanager
    def fake_cuda_device(device):
        entered.append(device)
        yield
        entered.append("left")

    monkeypatch.setattr(torch.cuda, "device", fake_cuda_device)
    with on_device(torch.device("cuda", 1)):
        assert entered == [torch.device("cuda", 1)]
    assert entered == [torch.device("cuda", 1), "left"]
    with on_device(torch.device("cpu")):
        pass
    assert len(entered) == 2, "the CPU needs no device context"


def test_a_broken_cuda_context_does_not_stop_the_run(monkeypatch):
    def broken(device):
        raise RuntimeError("CUDA error: device-side assert triggered")

    monkeypatch.setattr(torch.cuda, "device", broken)
    ran = []
    with on_device(torch.device("cuda", 0)):
        ran.append(True)
    assert ran == [True]
