"""The ops `initialise_vector_math` warms are the ones this PyTorch computes with MKL's vector math."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np
import pytest
import torch

from xuanyuan.vector_math import VML_OPS, initialise_vector_math

# MKL's names (aten/src/ATen/cpu/vml.h pairs each ATen op with one).
MKL_NAMES = {"acos": "Acos", "asin": "Asin", "atan": "Atan", "cos": "Cos", "erf": "Erf", "erfc": "Erfc",
             "erfinv": "ErfInv", "exp": "Exp", "log": "Ln", "log10": "Log10", "log2": "Log2", "sin": "Sin",
             "sqrt": "Sqrt", "tan": "Tan", "tanh": "Tanh", "trunc": "Trunc"}
VML_HA = 0x2


def _libtorch():
    path = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    try:
        lib = ctypes.CDLL(str(path))
        lib.vmsCos  # noqa: B018 (a CPU build without MKL has no VML)
    except (OSError, AttributeError):
        pytest.skip(f"{path} exports no MKL vector math (a build without MKL)")
    return lib


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_each_warmed_op_is_mkl_vector_math_in_high_accuracy_mode(dtype):
    lib = _libtorch()
    assert set(VML_OPS) == set(MKL_NAMES)
    generator = torch.Generator().manual_seed(0)
    # Arguments inside every op's domain; long enough for OpenMP chunks.
    x = torch.rand(50_000, generator=generator, dtype=dtype) * 0.98 + 0.01
    prefix = "vms" if dtype == torch.float32 else "vmd"
    for name in VML_OPS:
        ours = getattr(torch, name)(x).numpy()
        arg = x.numpy()
        out = np.empty_like(arg)
        getattr(lib, prefix + MKL_NAMES[name])(ctypes.c_longlong(arg.size), arg.ctypes.data_as(ctypes.c_void_p),
                                              out.ctypes.data_as(ctypes.c_void_p), ctypes.c_longlong(VML_HA))
        assert np.array_equal(ours, out), f"torch.{name} ({dtype}) is not MKL's {prefix}{MKL_NAMES[name]}"


def test_initialise_vector_math_leaves_results_unchanged():
    x = torch.linspace(0.01, 0.99, 10_000, dtype=torch.float64)
    before = [getattr(torch, name)(x) for name in VML_OPS]
    initialise_vector_math()
    assert all(torch.equal(getattr(torch, name)(x), b) for name, b in zip(VML_OPS, before))
