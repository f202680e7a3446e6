"""Write a Hugging Face model directory from a DeepSpeed engine: safetensors, config, tokenizer files.

Weights are gathered one parameter at a time, so rank 0 holds the exported copy and nothing
more (each rank only ever holds one full parameter besides its shard):
- trainable parameters: the optimizer's fp32 master (`deepspeed.utils.safe_get_full_fp32_param`,
  a collective that assembles ZeRO 1/2/3 partitions), so bf16 training exports fp32 weights;
- frozen parameters under bf16: the fp32 copy taken before the cast (`FrozenMaster`), because
  the engine holds them only in bf16;
- otherwise the module's own parameter, gathered from ZeRO-3 partitions when needed.
All ranks must call `export_engine` together; only rank 0 writes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist

from xuanyuan.train.freeze import FrozenMaster
from xuanyuan.train.zero3 import gathered

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model",
                   "xuanyuan_tokenizer.json")
EXPORT_DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


def full_state_dict(engine, frozen: FrozenMaster, *, bf16: bool, is_main: bool,
                    dtype: torch.dtype = torch.float32) -> dict[str, torch.Tensor]:
    """Full weights on rank 0 (empty dict elsewhere), one collective gather per parameter."""
    from deepspeed.utils import safe_get_full_fp32_param

    state: dict[str, torch.Tensor] = {}
    for name, param in engine.module.named_parameters():
        if not param.requires_grad and bf16:
            if is_main:
                state[name] = frozen[name].to(dtype)
            continue
        full = safe_get_full_fp32_param(param) if param.requires_grad else None
        if full is None:
            with gathered([param]):
                full = param.detach()
                if is_main:
                    state[name] = full.to("cpu", dtype, copy=True)
            continue
        if is_main:
            state[name] = full.to("cpu", dtype, copy=True)
        del full
    return state


def copy_tokenizer_files(tokenizer_dir: str | Path, out_dir: str | Path) -> list[str]:
    """Copy the tokenizer files that exist in `tokenizer_dir` into the model directory."""
    copied = []
    for name in TOKENIZER_FILES:
        src = Path(tokenizer_dir) / name
        if src.is_file():
            shutil.copy2(src, Path(out_dir) / name)
            copied.append(name)
    if "tokenizer.json" not in copied:
        raise FileNotFoundError(f"{tokenizer_dir}: no tokenizer.json; rerun the tokenizer rule")
    return copied


def write_hf_dir(state: dict[str, torch.Tensor], config, out_dir: str | Path, *, tokenizer_dir: str | Path,
                 extra: dict[str, Any] | None = None, max_shard_size: str = "5GB") -> Path:
    """Write safetensors shards + config + tokenizer files, atomically (a temp dir renamed at the end)."""
    from huggingface_hub import save_torch_state_dict

    out_dir = Path(out_dir)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    dtype = next(iter(state.values())).dtype
    config.dtype = dtype
    config.save_pretrained(tmp)
    # Tied weights are one tensor: save it once under the input-embedding name (HF re-ties on load).
    save_torch_state_dict(state, tmp, max_shard_size=max_shard_size, safe_serialization=True)
    copy_tokenizer_files(tokenizer_dir, tmp)
    if extra is not None:
        (tmp / "xuanyuan_train.json").write_text(json.dumps(extra, indent=2, default=str) + "\n", encoding="utf-8")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    os.replace(tmp, out_dir)
    return out_dir


def export_engine(engine, config, out_dir: str | Path, *, frozen: FrozenMaster, bf16: bool, tokenizer_dir: str | Path,
                  dtype: str = "fp32", extra: dict[str, Any] | None = None) -> Path | None:
    """Gather and write the engine's model as a Hugging Face directory (all ranks call; rank 0 writes)."""
    is_main = not dist.is_initialized() or dist.get_rank() == 0
    state = full_state_dict(engine, frozen, bf16=bf16, is_main=is_main, dtype=EXPORT_DTYPES[dtype])
    path = None
    if is_main:
        path = write_hf_dir(state, config, out_dir, tokenizer_dir=tokenizer_dir, extra=extra)
    del state
    if dist.is_initialized():
        dist.barrier()
    return path
