"""Memory of a variant: weights as stored and in memory, and the peak while running it.

Three weight numbers, because each backend hides part of its weights from the usual count:
- `stored_bytes`: tensor bytes in the directory's safetensors files (what the disk holds);
- `weight_bytes`: parameters + buffers in memory, plus the quantization constants bitsandbytes
  keeps off the module tree (NF4 absmax / double-quant state, int8 row scales);
- `footprint_bytes`: transformers' `model.get_memory_footprint()` (parameters + buffers only).
Peak while running: on CUDA `torch.cuda.max_memory_allocated` (weights included); on CPU the
process RSS sampled every millisecond by a thread, as the rise over the RSS before the call, and
`peak_bytes` = weights in memory + that rise. The allocator keeps freed memory, so a second model
measured in the same process can show a smaller rise: measure each variant in a process of its
own (one rule job per variant does; bench/generation.py spawns one).
"""

from __future__ import annotations

import json
import struct
import threading
import time
from pathlib import Path
from typing import Any, Callable

import torch

from xuanyuan.quantize.placement import model_devices


def stored_bytes(model_dir: str | Path) -> int:
    """Bytes of the tensors in the safetensors files of `model_dir` (headers excluded)."""
    total = 0
    for file in sorted(Path(model_dir).glob("*.safetensors")):
        with open(file, "rb") as handle:
            (header_len,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(header_len))
        total += sum(end - start for key, meta in header.items() if key != "__metadata__"
                     for start, end in [meta["data_offsets"]])
    return total


def _tensor_bytes(tensor: torch.Tensor) -> int:
    return tensor.numel() * tensor.element_size()


def _hidden_quant_tensors(param: torch.Tensor) -> list[torch.Tensor]:
    """Tensors bitsandbytes hangs on a parameter instead of registering: NF4's QuantState, int8's SCB."""
    found = []
    state = getattr(param, "quant_state", None)
    while state is not None:
        found += [t for t in (getattr(state, "absmax", None), getattr(state, "code", None),
                              getattr(state, "offset", None)) if isinstance(t, torch.Tensor)]
        state = getattr(state, "state2", None)
    scb = getattr(param, "SCB", None)
    if isinstance(scb, torch.Tensor):
        found.append(scb)
    return found


def weight_bytes(model: torch.nn.Module) -> int:
    """Bytes of the model's weights in memory: parameters, buffers and hidden quantization constants."""
    seen: set[tuple[int, int]] = set()
    total = 0
    tensors: list[torch.Tensor] = []
    for param in model.parameters():
        tensors.append(param)
        tensors += _hidden_quant_tensors(param)
    tensors += list(model.buffers())
    for tensor in tensors:
        key = (tensor.data_ptr(), _tensor_bytes(tensor))  # tied weights and shared codebooks count once
        if key in seen:
            continue
        seen.add(key)
        total += _tensor_bytes(tensor)
    return total


class _RssSampler(threading.Thread):
    """Samples this process's resident set size until stopped; keeps the maximum."""

    def __init__(self, interval: float = 0.001):
        super().__init__(daemon=True)
        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self._stopped = threading.Event()
        self.start_rss = self.peak = self._process.memory_info().rss

    def run(self) -> None:
        while not self._stopped.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            time.sleep(self._interval)

    def stop(self) -> int:
        self._stopped.set()
        self.join()
        self.peak = max(self.peak, self._process.memory_info().rss)
        return self.peak


def _cuda_devices(device: Any) -> list[torch.device]:
    """The CUDA devices a measurement covers: the ones named, or every visible GPU for a bare "cuda"."""
    names = [device] if isinstance(device, (str, torch.device)) else list(device)
    found: list[torch.device] = []
    for name in names:
        d = torch.device(name)
        if d.type != "cuda":
            continue
        found += [torch.device("cuda", i) for i in range(torch.cuda.device_count())] if d.index is None else [d]
    return list(dict.fromkeys(found))


def peak_memory(fn: Callable[[], Any], device: Any = "cpu", *, reset: bool = True) -> tuple[Any, dict[str, Any]]:
    """Run `fn()` and return (its result, the memory it peaked at on `device`).

    `device`: a device or a list of them (a sharded model's GPUs; their peaks are summed). On CUDA
    the peak counters are reset first unless `reset` is False; code inside `fn` must not reset them
    while this measurement runs (xuanyuan.evaluate.run.evaluate_suite takes `reset_peak=False`).
    """
    cuda = _cuda_devices(device)
    if cuda:
        for d in cuda:
            torch.cuda.synchronize(d)
            if reset:
                torch.cuda.reset_peak_memory_stats(d)
        before = sum(torch.cuda.memory_allocated(d) for d in cuda)
        result = fn()
        for d in cuda:
            torch.cuda.synchronize(d)
        peak = sum(torch.cuda.max_memory_allocated(d) for d in cuda)
        return result, {"method": "cuda_max_memory_allocated", "devices": [str(d) for d in cuda],
                        "before_bytes": before, "peak_bytes": peak, "rise_bytes": peak - before}
    sampler = _RssSampler()
    sampler.start()
    try:
        result = fn()
    finally:
        peak = sampler.stop()
    return result, {"method": "cpu_rss_sampling", "before_bytes": sampler.start_rss, "peak_rss_bytes": peak,
                    "rise_bytes": max(0, peak - sampler.start_rss)}


def forward_inputs(vocab_size: int, *, batch_size: int, seq_length: int, seed: int = 0) -> torch.Tensor:
    """Fixed random token ids (avoiding the first 3 special ids) for memory and speed runs."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(3, vocab_size, (batch_size, seq_length), generator=generator)


@torch.no_grad()
def memory_report(model: torch.nn.Module, model_dir: str | Path | None = None, *, batch_size: int = 8,
                  seq_length: int = 256) -> dict[str, Any]:
    """Weight bytes of `model` (and of its directory) and its peak memory over one forward pass."""
    devices = model_devices(model)  # a sharded model: every GPU it is on
    ids = forward_inputs(model.config.vocab_size, batch_size=batch_size, seq_length=seq_length).to(devices[0])
    weights = weight_bytes(model)
    _, peak = peak_memory(lambda: model(input_ids=ids, use_cache=False).logits, devices)
    report = {"weight_bytes": weights, "footprint_bytes": int(model.get_memory_footprint()),
              "forward": {"batch_size": batch_size, "seq_length": seq_length, **peak}}
    report["peak_bytes"] = peak["peak_bytes"] if "peak_bytes" in peak else weights + peak["rise_bytes"]
    if model_dir is not None:
        report["stored_bytes"] = stored_bytes(model_dir)
    return report
