"""Out-of-memory messages and memory figures, without needing a GPU or a full RAM."""

from __future__ import annotations

import torch

from nnlearn.kernel.events import DeviceMemory, MemoryRow
from nnlearn.probe import memory
from nnlearn.probe.memory import (
    cpu_memory,
    format_size,
    is_out_of_memory,
    out_of_memory_message,
    out_of_memory_report,
    requested_bytes,
)

CUDA_TEXT = (
    "CUDA out of memory. Tried to allocate 20.00 GiB. GPU 0 has a total capacity of "
    "79.19 GiB of which 1.23 GiB is free. Including non-PyTorch memory, this process has "
    "77.94 GiB memory in use. Of the allocated memory 77.50 GiB is allocated by PyTorch."
)
CPU_TEXT = (
    "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
    "memory: you tried to allocate 4611686018427387904 bytes. Error code 12 (Cannot "
    "allocate memory)"
)


def test_what_counts_as_out_of_memory():
    assert is_out_of_memory(torch.cuda.OutOfMemoryError(CUDA_TEXT))
    assert is_out_of_memory(RuntimeError(CPU_TEXT))
    assert is_out_of_memory(MemoryError())
    assert not is_out_of_memory(RuntimeError("mat1 and mat2 shapes cannot be multiplied"))
    assert not is_out_of_memory(ValueError(CPU_TEXT))


def test_the_requested_size_is_read_from_torchs_messages():
    assert requested_bytes(CUDA_TEXT) == 20 * 2**30
    assert requested_bytes("Tried to allocate 512.00 MiB") == 512 * 2**20
    assert requested_bytes(CPU_TEXT) == 4611686018427387904
    assert requested_bytes("out of memory") is None


def test_sizes_count_in_powers_of_1024():
    assert format_size(512) == "512 B"
    assert format_size(3 * 2**29) == "1.5 GiB"
    assert format_size(4611686018427387904) == "4096.0 PiB"


def test_gpu_message_says_what_was_asked_what_was_free_and_the_way_out():
    message = out_of_memory_message("cuda:0", 20 * 2**30, 1 * 2**30, 80 * 2**30, 78 * 2**30)
    assert message.startswith("Out of memory: the memory of cuda:0 is full.")
    assert "asked for 20.0 GiB and only 1.0 GiB of 80.0 GiB was free" in message
    assert "Tensors of this Run held 78.0 GiB" in message
    assert "you can Run again" in message
    assert "smaller batch" in message and "choose the CPU" in message


def test_cpu_message_with_unknown_figures_still_gives_the_way_out():
    message = out_of_memory_message("cpu", None, None, None, None)
    assert message.startswith("Out of memory: the CPU's memory (RAM) is full.")
    assert "asked for" not in message and "free" not in message
    assert "smaller batch" in message
    assert "choose the CPU" not in message


def test_report_for_a_gpu_error_asks_the_device_for_its_figures(monkeypatch):
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (2**30, 80 * 2**30))
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda device: 70 * 2**30)
    error = torch.cuda.OutOfMemoryError(CUDA_TEXT)
    message = out_of_memory_report(error, torch.device("cuda", 0))
    assert "asked for 20.0 GiB and only 1.0 GiB of 80.0 GiB was free" in message
    assert "held 70.0 GiB" in message


def test_report_survives_a_device_that_cannot_give_figures(monkeypatch):
    def broken(device):
        raise RuntimeError("CUDA driver error")

    monkeypatch.setattr(torch.cuda, "mem_get_info", broken)
    message = out_of_memory_report(torch.cuda.OutOfMemoryError(CUDA_TEXT), torch.device("cuda"))
    assert "asked for 20.0 GiB." in message


def test_cpu_memory_reads_meminfo(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16384 kB\nMemFree:  100 kB\nMemAvailable:    8192 kB\n")
    assert cpu_memory(meminfo) == (8192 * 1024, 16384 * 1024)
    assert cpu_memory(tmp_path / "missing") == (None, None)


def test_memory_rows_list_the_cpu_first(monkeypatch):
    monkeypatch.setattr(memory, "cpu_memory", lambda: (1, 2))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert memory.device_memory() == DeviceMemory((MemoryRow("cpu", 1, 2),))


def test_cached_memory_is_released_after_a_gpu_run_only(monkeypatch):
    called = []
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: called.append(True))
    memory.release_cached_memory(torch.device("cpu"))
    assert called == []
    memory.release_cached_memory(torch.device("cuda", 0))
    assert called == [True]


def test_releasing_never_loses_the_report_when_the_gpu_refuses(monkeypatch):
    tried = []

    def broken() -> None:
        tried.append(True)
        raise RuntimeError("CUDA error: device-side assert triggered")

    monkeypatch.setattr(torch.cuda, "empty_cache", broken)
    memory.release_cached_memory(torch.device("cuda", 0))  # must not raise
    assert tried == [True]
