"""One loader for every variant's directory: the unquantized reference, int8, NF4 and GPTQ."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from xuanyuan.quantize.errors import SettingsError
from xuanyuan.quantize.modeldir import model_config, quant_method
from xuanyuan.quantize.placement import Placement, load_kwargs, resolve_device
from xuanyuan.quantize.settings import GPTQSettings, QuantizeSettings, quantize_settings

SIDECAR = "quantize.json"
"""Written into every directory this stage makes: variant, settings, source, calibration, versions."""


def recorded_settings(model_dir: str | Path) -> QuantizeSettings:
    """The settings a directory was quantized with (its quantize.json), or the defaults."""
    sidecar = Path(model_dir) / SIDECAR
    if not sidecar.is_file():
        return QuantizeSettings()
    return quantize_settings(json.loads(sidecar.read_text(encoding="utf-8"))["settings"])


def load_quantized(model_dir: str | Path, device: str | Placement = "cpu", *, gptq: GPTQSettings | None = None,
                   dtype: str | None = None):
    """The model of `model_dir` on `device`, in eval mode, whatever its variant.

    `device` is a device string ("cpu", "cuda", "cuda:1", "auto") or a resolved `Placement`; with
    several GPUs the model is sharded over them (`device_map="auto"`, per-GPU `max_memory`).
    Unquantized directories load in their stored dtype, or in `dtype` (e.g. "bfloat16") when given;
    int8/NF4 through transformers + bitsandbytes; GPTQ through GPTQModel with the kernel and dtype
    recorded at quantization (`gptq` overrides them). Quantized variants keep their recorded dtypes:
    `dtype` applies to unquantized directories only.
    The result is a transformers LlamaForCausalLM: `xuanyuan.train.perplexity.perplexity_of` runs on it.
    """
    from transformers import AutoModelForCausalLM

    path = Path(model_dir)
    placement = resolve_device(device)
    variant = quant_method(model_config(path))
    if variant.startswith("gptq"):
        from xuanyuan.quantize.gptq import load_gptq

        return load_gptq(path, gptq or recorded_settings(path).gptq, device=placement)
    if variant in ("int8", "nf4", "fp4"):
        from xuanyuan.quantize.backends import require

        require("bitsandbytes", variant)
        # bitsandbytes places weights while loading; .to(device) afterwards is not allowed for 8-bit.
        from xuanyuan.quantize.bnb import portable_cpu_4bit

        placed = load_kwargs(placement) or {"device_map": {"": placement.device}}
        model = AutoModelForCausalLM.from_pretrained(path, dtype="auto", **placed).eval()
        portable_cpu_4bit(model)
        return model
    torch_dtype = _torch_dtype(dtype)
    if placement.kind == "cuda":
        return AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype, **load_kwargs(placement)).eval()
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype).to(placement.device).eval()


DTYPES = ("auto", "float32", "bfloat16", "float16")


def _torch_dtype(name: str | None):
    """"auto" (the stored dtype) or the torch dtype named; anything else is a UserError."""
    if name is None or name == "auto":
        return "auto"
    if name not in DTYPES:
        raise SettingsError(f"dtype {name!r}: use one of {', '.join(DTYPES)}")
    return getattr(torch, name)


def load_tokenizer(model_dir: str | Path):
    """The tokenizer saved in a variant's directory (the source's, carried unchanged)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model_dir)


def torch_device(model: torch.nn.Module) -> torch.device:
    """The device of a model's first parameter (where its inputs must go)."""
    return next(model.parameters()).device
