"""Median wall time of a step function, with the CUDA queue drained around each timed call."""

from __future__ import annotations

import statistics
import time


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
