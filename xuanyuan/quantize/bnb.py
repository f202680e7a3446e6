"""LLM.int8 and NF4 through bitsandbytes: quantized while loading, saved as a Hugging Face directory.

bitsandbytes >= 0.48 runs both on CPU (its CPU backend), so the default run exercises the same code
as a GPU cluster. Both reload with `AutoModelForCausalLM.from_pretrained` and give identical logits
(NF4 only with double quantization on CPU; see docs/quantize.md).
"""

from __future__ import annotations

from pathlib import Path

import torch

from xuanyuan.quantize.backends import require
from xuanyuan.quantize.placement import Placement, load_kwargs, resolve_device
from xuanyuan.quantize.settings import Int8Settings, NF4Settings


def bnb_config(variant: str, settings: Int8Settings | NF4Settings):
    """The transformers `BitsAndBytesConfig` of `variant` (int8 or nf4)."""
    from transformers import BitsAndBytesConfig

    if variant == "int8":
        return BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=settings.threshold)
    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=settings.quant_type,
                              bnb_4bit_use_double_quant=settings.double_quant,
                              bnb_4bit_compute_dtype=getattr(torch, settings.compute_dtype))


def quantize_bnb(source: Path, out: Path, variant: str, settings: Int8Settings | NF4Settings, *,
                 device: str | Placement = "cpu"):
    """Load `source` quantized to `variant` (int8 | nf4) on `device`, save it into `out`; returns the model.

    On several GPUs the layers are spread over them while quantizing (`device_map="auto"`).
    """
    from transformers import AutoModelForCausalLM

    require("bitsandbytes", variant)
    placement = resolve_device(device)
    placed = load_kwargs(placement) or {"device_map": {"": placement.device}}
    model = AutoModelForCausalLM.from_pretrained(source, quantization_config=bnb_config(variant, settings),
                                                 dtype=getattr(torch, settings.dtype), **placed)
    portable_cpu_4bit(model)
    model.eval()
    model.save_pretrained(out)
    return model


def portable_cpu_4bit(model) -> None:
    """Every 4-bit linear layer on the plain CPU path of bitsandbytes, whatever the CPU.

    On a CPU with AVX512-BF16, bitsandbytes 0.50 repacks 4-bit weights for its own kernel at the first
    forward. The repacking assumes rows of whole quantization blocks: in_features 352 with blocks of 64
    (the default run's MLP) fails ("shape '[128, 5]' is invalid for input of size 704"), and results
    would depend on the machine's instruction set. GPUs are not affected (the check is CPU-only).
    """
    import bitsandbytes as bnb

    for module in model.modules():
        if isinstance(module, bnb.nn.Linear4bit):
            module.support_avx512bf16_for_cpu = False
