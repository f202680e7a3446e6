"""Imports of the optional quantization packages, with errors that say what to install."""

from __future__ import annotations

import importlib
import os

from xuanyuan.quantize.errors import BackendMissingError

# Versions these were built and tested with (torch 2.13.0, transformers 5.24, CPU and CUDA).
PINS = {"bitsandbytes": "bitsandbytes==0.50.2", "gptqmodel": "gptqmodel==7.6.0", "optimum": "optimum==2.3.0"}


def require(package: str, variant: str):
    """Import `package` for `variant`, or raise naming the pip install line that fixes it."""
    try:
        return importlib.import_module(package)
    except ImportError as exc:
        raise BackendMissingError(
            f"quantize variant {variant!r} needs {package} ({exc}); pip install torch==2.13.0 '{PINS[package]}', "
            f"or drop {variant!r} from quantize.variants") from exc


def gptqmodel_module():
    """gptqmodel, imported with its CPU worker pool sized to this machine.

    GPTQModel sizes its CPU pool from GPTQMODEL_CPU_WORKERS when it first builds it, defaulting to
    half the cores; its model-loader pool asks for 2 workers from that pool, so on a 2-core machine
    the default (1) fails with "Virtual pool 'model_loader:cpu' requests 2 workers". A user's own
    setting is kept.
    """
    os.environ.setdefault("GPTQMODEL_CPU_WORKERS", str(max(2, len(os.sched_getaffinity(0)))))
    return require("gptqmodel", "gptq4")
