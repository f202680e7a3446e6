"""The ops `initialise_vector_math` warms are the ones this PyTorch computes with MKL's vector math."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from xuanyuan.vector_math import VML_HA, VML_OPS, initialise_vector_math, mkl_vector_math


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_each_warmed_op_is_mkl_vector_math_in_high_accuracy_mode(dtype):
    generator = torch.Generator().manual_seed(0)
    # Arguments inside every op's domain; long enough for OpenMP chunks.
    x = torch.rand(50_000, generator=generator, dtype=dtype) * 0.98 + 0.01
    for name in VML_OPS:
        mkl = mkl_vector_math(name, x.numpy(), VML_HA)
        if mkl is None:
            pytest.skip("this PyTorch exports no MKL vector math (a build without MKL)")
        assert np.array_equal(getattr(torch, name)(x).numpy(), mkl), f"torch.{name} ({dtype}) is not MKL's {name}"


def test_initialise_vector_math_leaves_results_unchanged():
    x = torch.linspace(0.01, 0.99, 10_000, dtype=torch.float64)
    before = [getattr(torch, name)(x) for name in VML_OPS]
    initialise_vector_math()
    assert all(torch.equal(getattr(torch, name)(x), b) for name, b in zip(VML_OPS, before))
