"""Checks of a Hugging Face model directory before any backend touches it, and its quantization kind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from xuanyuan.quantize.errors import ModelDirError, UnsupportedModelError

WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model")
# Files a quantized directory takes over from its source unchanged (backends rewrite some of them).
CARRIED_FILES = ("tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json",
                 "chat_template.jinja", "generation_config.json", "tokenizer_metadata.json")


def model_config(model_dir: str | Path) -> dict[str, Any]:
    """The parsed config.json of a Llama model directory that has weights and a tokenizer."""
    path = Path(model_dir)
    if not path.is_dir():
        raise ModelDirError(f"{path}: model directory not found; run the stage that writes it "
                            f"(pretrain/sft export) or fix the path in the config")
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ModelDirError(f"{config_file}: missing; {path} is not a Hugging Face model directory "
                            f"(export it with save_pretrained)")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelDirError(f"{config_file}: not valid JSON ({exc}); re-export the model") from exc
    model_type = config.get("model_type")
    if model_type != "llama":
        raise UnsupportedModelError(
            f"{config_file}: model_type is {model_type!r} ({config.get('architectures')}); quantization here "
            f"supports Llama models only (LlamaForCausalLM, as the pretrain and sft stages export)")
    if not any(any(path.glob(p)) for p in WEIGHT_PATTERNS):
        raise ModelDirError(f"{path}: no weights (*.safetensors or pytorch_model*.bin) beside config.json; "
                            f"re-export the model")
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        raise ModelDirError(f"{path}: no tokenizer ({' or '.join(TOKENIZER_FILES)}); save the tokenizer "
                            f"into the model directory (tokenizer.save_pretrained)")
    return config


def quant_method(config: dict[str, Any]) -> str:
    """The variant a config.json describes: bf16 (unquantized), int8, nf4 (or fp4) or gptq4."""
    qc = config.get("quantization_config")
    if not qc:
        return "bf16"
    method = qc.get("quant_method")
    if method == "bitsandbytes":
        if qc.get("load_in_8bit"):
            return "int8"
        return qc.get("bnb_4bit_quant_type", "nf4")
    if method == "gptq":
        return f"gptq{qc.get('bits', 4)}"
    return str(method)


def carry_source_files(source: Path, out: Path) -> None:
    """Copy the tokenizer and generation config of `source` over what a backend wrote into `out`.

    GPTQModel rewrites generation_config.json with `do_sample: true` and re-saves the tokenizer with
    its own fixes; every variant must generate like its source, so the source's files win.
    """
    for name in CARRIED_FILES:
        if (source / name).is_file():
            shutil.copy2(source / name, out / name)
