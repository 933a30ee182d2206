"""Device choice inside the kernel, including the CUDA paths on a machine without a GPU."""

from __future__ import annotations

import types

import pytest
import torch

from nnlearn.probe import devices
from nnlearn.probe.devices import DeviceUnavailable, available_devices, resolve_device


def test_cpu_and_auto_without_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "_mps_available", lambda: False)
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device("") == torch.device("cpu")
    assert [d["name"] for d in available_devices()] == ["cpu"]


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
    assert [d["name"] for d in listed] == ["cpu", "cuda:0", "cuda:1"]
    assert listed[1]["memory_bytes"] == 80 * 2**30
    assert listed[1]["label"] == "Fake GPU"


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


def test_non_cpu_device_becomes_the_default_for_new_tensors_and_modules_then_resets():
    from nnlearn.probe import _default_device

    # "meta" stands in for a GPU: the same mechanism puts CUDA tensors on the GPU.
    with _default_device(torch.device("meta")):
        assert torch.zeros(2).device.type == "meta"
        assert torch.nn.Linear(2, 2).weight.device.type == "meta"
    assert torch.zeros(2).device.type == "cpu"
    with _default_device(torch.device("cpu")):
        assert torch.zeros(2).device.type == "cpu"
