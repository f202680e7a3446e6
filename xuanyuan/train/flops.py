"""FLOPs per token, peak FLOP/s per device, and MFU (docs/pretrain.md gives the formula).

FLOPs per token of one training step (forward + backward) =
    6 * N  +  12 * L * d * S
N: parameters without the input embedding (a lookup, no FLOPs; the LM head is a matmul and
counts), L layers, d hidden size, S sequence length (the attention score and value matmuls,
which N does not see). MFU = achieved FLOP/s / peak FLOP/s of the device.
"""

from __future__ import annotations

import time

import torch

from xuanyuan.provenance import hardware_description
from xuanyuan.train.deepspeed_config import COMPUTE_PRECISION

# Dense (no sparsity) datasheet peaks in TFLOP/s, matched by substring of the CUDA device name.
PEAK_TFLOPS = {
    "bf16": {"H200": 989.0, "H100": 989.0, "H800": 989.0, "H20": 148.0, "A100": 312.0, "A800": 312.0,
             "L40S": 362.0, "A6000": 155.0, "4090": 165.0},
    "fp32": {"H200": 67.0, "H100": 67.0, "H800": 67.0, "H20": 44.0, "A100": 19.5, "A800": 19.5,
             "L40S": 91.6, "A6000": 38.7, "4090": 82.6},
}


def flops_per_token(non_embedding_params: int, num_layers: int, hidden_size: int, seq_length: int) -> float:
    """Training FLOPs per token: 6*N (N without input embeddings) + 12*L*d*S."""
    return 6.0 * non_embedding_params + 12.0 * num_layers * hidden_size * seq_length


def measured_matmul_tflops(dtype: torch.dtype = torch.float32, size: int = 1024, repeats: int = 5,
                           device: str = "cpu") -> float:
    """TFLOP/s of the fastest of `repeats` square matmuls on this device: the CPU's stand-in for a datasheet peak."""
    a = torch.randn(size, size, dtype=dtype, device=device)
    b = torch.randn(size, size, dtype=dtype, device=device)
    a @ b  # warm-up (thread pool, caches)
    best = float("inf")
    for _ in range(repeats):
        if device != "cpu":
            torch.cuda.synchronize()
        start = time.perf_counter()
        a @ b
        if device != "cpu":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return 2.0 * size**3 / best / 1e12


def peak_tflops(precision: str, override: float | None = None) -> tuple[float, str]:
    """Peak TFLOP/s of one device and where the number comes from (config, datasheet table, or measured).

    precision: fp32 or bf16, the dtype of the matrix products (bf16_autocast computes in bf16)."""
    precision = COMPUTE_PRECISION.get(precision, precision)
    if override:
        return float(override), "config"
    if torch.cuda.is_available():
        name = torch.cuda.get_device_name()
        for key, value in PEAK_TFLOPS[precision].items():
            if key in name:
                return value, f"datasheet {key}"
        return measured_matmul_tflops(torch.bfloat16 if precision == "bf16" else torch.float32, 8192, 10, "cuda"), \
            f"measured matmul on {name}"
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    return measured_matmul_tflops(dtype), f"measured matmul on CPU ({hardware_description()})"
