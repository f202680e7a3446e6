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


def traffic_counter():
    """A TorchDispatchMode that adds up the bytes every aten op moves: the tensors it reads (its
    inputs) and writes (its outputs, and the inputs it mutates in place). Views move nothing and are
    skipped; `copy_`, `zero_` and `fill_` do not read their destination; fused Adam/AdamW do not write their gradients
    (the schema marks them mutable for unscaling, which a step without a grad scaler does not do).

    `counter.bytes[op]` / `counter.calls[op]` after running code under `with counter:`. The count is
    what the ops ask of memory, independent of the device: on a GPU the element-wise passes of an
    optimizer step are memory-bound, so their bytes over the HBM bandwidth bound their time.
    """
    import collections

    import torch
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_flatten

    not_written = {"_fused_adamw_": {"grads"}, "_fused_adam_": {"grads"}}
    not_read = {"copy_", "zero_", "fill_", "_foreach_zero_", "_foreach_copy_"}

    def size(values) -> int:
        seen, total = set(), 0
        for t in tree_flatten(values)[0]:
            if isinstance(t, torch.Tensor) and id(t) not in seen:
                seen.add(id(t))
                total += t.numel() * t.element_size()
        return total

    class Traffic(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.bytes = collections.Counter()
            self.calls = collections.Counter()

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            schema = func._schema
            if any(r.alias_info is not None and not r.alias_info.is_write for r in schema.returns):
                return out  # a view
            name = schema.name.split("::")[-1]
            bound = list(zip(schema.arguments, args)) + [(a, kwargs[a.name]) for a in schema.arguments
                                                         if a.name in kwargs]
            mutated = [v for a, v in bound if a.alias_info is not None and a.alias_info.is_write
                       and a.name not in not_written.get(name, ())]
            read = [v for a, v in bound if not (name in not_read and a.name == "self")]
            written = size([out, mutated]) if not _returns_a_mutated(out, mutated) else size(mutated)
            self.bytes[str(func)] += size(read) + written
            self.calls[str(func)] += 1
            return out

    def _returns_a_mutated(out, mutated) -> bool:
        outs = {id(t) for t in tree_flatten(out)[0] if isinstance(t, torch.Tensor)}
        return any(id(t) in outs for t in tree_flatten(mutated)[0] if isinstance(t, torch.Tensor))

    return Traffic()
