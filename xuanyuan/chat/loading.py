"""Load a model directory for generation, whatever the pipeline made of it.

The pipeline's model directories are Hugging Face directories: the trained stages (fp32 or bf16
safetensors) and the quantized variants, whose `config.json` carries a `quantization_config`
(bitsandbytes int8 / NF4, GPTQ) that transformers acts on when it loads them. One call serves
the chat command, the `generate` rule and evaluation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xuanyuan.errors import UserError

if TYPE_CHECKING:
    from xuanyuan.quantize.placement import Placement


class ModelDirError(UserError):
    """A model directory that is missing or not a causal-LM checkpoint."""


def pick_device(device: Any = None, *, key: str = "--device", expected_gpus: int = 0) -> Placement:
    """Where a model will run: `device` (auto | cpu | cuda | cuda:N), or CUDA when there is one, else the CPU.

    A device this machine lacks, or a word that is no device, is a UserError naming `key`.
    """
    from xuanyuan.quantize.placement import resolve_device

    return resolve_device(device, key=key, expected_gpus=expected_gpus)


def model_kind(model_dir: str | Path) -> str:
    """full | int8 | nf4 | gptq, from the directory's config.json."""
    config_path = Path(model_dir) / "config.json"
    if not config_path.exists():
        raise ModelDirError(f"{model_dir}: no config.json; give a model directory the pipeline wrote (models/<variant>)")
    quant = json.loads(config_path.read_text(encoding="utf-8")).get("quantization_config")
    if not quant:
        return "full"
    method = quant.get("quant_method")
    if method == "bitsandbytes":
        return "int8" if quant.get("load_in_8bit") else "nf4"
    if method == "gptq":
        return "gptq"
    raise ModelDirError(f"{config_path}: quantization method {method!r} is not one the pipeline makes (bitsandbytes, gptq)")


def load_for_inference(model_dir: str | Path, device: Any = None, *, dtype: str | None = None,
                       key: str = "--device", expected_gpus: int = 0) -> tuple[Any, Any]:
    """(model in eval mode, tokenizer) of `model_dir` on `device` (default: every CUDA GPU if present, else CPU).

    `dtype` ("auto", "float32", "bfloat16", "float16") applies to unquantized directories; quantized
    ones keep their recorded dtypes. `key` names the setting `device` came from in error messages.
    """
    placement = pick_device(device, key=key, expected_gpus=expected_gpus)  # before any weights are read
    model_kind(model_dir)  # a clear error for a missing or foreign directory before transformers loads
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    from xuanyuan.quantize import load_quantized

    hf_logging.disable_progress_bar()  # the weight-loading bar would interleave with a streamed answer
    # Trained stages load in their saved dtype (fp32 or bf16) unless `dtype` says otherwise; quantized
    # ones with their recorded kernels.
    model = load_quantized(str(model_dir), placement, dtype=dtype)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model.eval()
    return model, tokenizer
