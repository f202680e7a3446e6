"""Start MKL's vector math on one thread, so that a process's first parallel cos is as exact as its later ones.

PyTorch's CPU build computes cos, sin, exp, log, tanh, erf, ... of float32 and float64 tensors
through MKL's vector math library (VML), asking for its high-accuracy mode, in chunks spread over
its OpenMP threads. We measured (bench/vml_first_call.py) that in a fresh process the *first* such
call, when it runs on two threads at once, now and then computes one thread's chunk in VML's
"enhanced performance" mode instead (about 11 correct bits: the odd chunk equals `vmsCos` with
VML_EP exactly). Every later call is right, and a first call on one thread is right.

It is rare (2 fresh processes in 200 on a 2-core machine; 9 in 150 with two busy threads beside), but it
breaks "same inputs, same bytes": the first calibration batch's RoPE table in a GPTQ job is
computed once, cached and reused, so its rounding reaches every layer's Hessian, and 1 run in
15-20 wrote other 4-bit weights. Calling each of these functions once on a one-element tensor
(one chunk, one thread) before any parallel work lets MKL finish starting up first.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

# The ATen unary ops that PyTorch routes to MKL's VML (aten/src/ATen/cpu/vml.h, IMPLEMENT_VML_MKL),
# for float32 and float64, with MKL's name for each.
VML_OPS = {"acos": "Acos", "asin": "Asin", "atan": "Atan", "cos": "Cos", "erf": "Erf", "erfc": "Erfc",
           "erfinv": "ErfInv", "exp": "Exp", "log": "Ln", "log10": "Log10", "log2": "Log2", "sin": "Sin",
           "sqrt": "Sqrt", "tan": "Tan", "tanh": "Tanh", "trunc": "Trunc"}
VML_HA, VML_EP = 0x2, 0x3  # MKL's high-accuracy and "enhanced performance" modes (mkl_vml_defines.h)


def initialise_vector_math() -> None:
    """Call every VML-backed op once on one thread (cheap: a few microseconds). Call it before parallel work."""
    import torch

    for dtype in (torch.float32, torch.float64):
        one = torch.full((1,), 0.5, dtype=dtype)
        for name in VML_OPS:
            getattr(torch, name)(one)


def mkl_vector_math(op: str, values, mode: int):
    """MKL's own `vms<Op>`/`vmd<Op>` of a float32/float64 numpy array in `mode`, from the MKL linked into
    PyTorch, or None when this build has none. For checks (tests/core/test_vector_math.py,
    bench/vml_first_call.py): which path a torch op took, and in which mode."""
    import numpy as np
    import torch

    try:
        lib = ctypes.CDLL(str(Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"))
        function = getattr(lib, ("vms" if values.dtype == np.float32 else "vmd") + VML_OPS[op])
    except (OSError, AttributeError):
        return None
    values = np.ascontiguousarray(values)
    out = np.empty_like(values)
    function(ctypes.c_longlong(values.size), values.ctypes.data_as(ctypes.c_void_p),
             out.ctypes.data_as(ctypes.c_void_p), ctypes.c_longlong(mode))
    return out
