"""One loader for every variant's directory: the unquantized reference, int8, NF4 and GPTQ."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from xuanyuan.quantize.modeldir import model_config, quant_method
from xuanyuan.quantize.settings import GPTQSettings, QuantizeSettings, quantize_settings

SIDECAR = "quantize.json"
"""Written into every directory this stage makes: variant, settings, source, calibration, versions."""


def recorded_settings(model_dir: str | Path) -> QuantizeSettings:
    """The settings a directory was quantized with (its quantize.json), or the defaults."""
    sidecar = Path(model_dir) / SIDECAR
    if not sidecar.is_file():
        return QuantizeSettings()
    return quantize_settings(json.loads(sidecar.read_text(encoding="utf-8"))["settings"])


def load_quantized(model_dir: str | Path, device: str = "cpu", *, gptq: GPTQSettings | None = None):
    """The model of `model_dir` on `device`, in eval mode, whatever its variant.

    Unquantized directories load in their stored dtype; int8/NF4 through transformers + bitsandbytes;
    GPTQ through GPTQModel with the kernel and dtype recorded at quantization (`gptq` overrides them).
    The result is a transformers LlamaForCausalLM: `xuanyuan.train.perplexity.perplexity_of` runs on it.
    """
    from transformers import AutoModelForCausalLM

    path = Path(model_dir)
    variant = quant_method(model_config(path))
    if variant.startswith("gptq"):
        from xuanyuan.quantize.gptq import load_gptq

        return load_gptq(path, gptq or recorded_settings(path).gptq, device=device)
    if variant in ("int8", "nf4", "fp4"):
        from xuanyuan.quantize.backends import require

        require("bitsandbytes", variant)
        # bitsandbytes places weights while loading; .to(device) afterwards is not allowed for 8-bit.
        return AutoModelForCausalLM.from_pretrained(path, dtype="auto", device_map={"": device}).eval()
    return AutoModelForCausalLM.from_pretrained(path, dtype="auto").to(device).eval()


def load_tokenizer(model_dir: str | Path):
    """The tokenizer saved in a variant's directory (the source's, carried unchanged)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model_dir)


def torch_device(model: torch.nn.Module) -> torch.device:
    """The device of a model's first parameter (where its inputs must go)."""
    return next(model.parameters()).device
