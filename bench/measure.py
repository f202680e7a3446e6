"""What the benchmarks measure with: the median wall time of a step (the CUDA queue drained around
each timed call), this process's memory from /proc/self/status, and a step's peak CUDA memory."""

from __future__ import annotations

import statistics
import time
from pathlib import Path


def status_mib(field: str) -> float:
    """A /proc/self/status memory field (VmRSS, VmHWM, ...) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def timed(step, device, warmup: int, steps: int) -> float:
    """Run `step` `warmup` times untimed, then `steps` times timed; the median seconds per call."""
    import torch

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cuda_peak_bytes(step) -> int:
    """Peak CUDA memory allocated while `step()` runs, above what was allocated before it."""
    import torch

    torch.cuda.synchronize()
    before = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    step()
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() - before
