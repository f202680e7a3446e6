"""Build or load the Llama model that a stage trains, with the attention and kernels from config."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from pathlib import Path
from typing import Any, Sequence

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from xuanyuan.errors import UserError
from xuanyuan.train.settings import LIGER_KERNELS, ContextSettings, ModelSettings, StandinSizes
from xuanyuan.train.varlen_attention import TORCH_VARLEN, register_torch_varlen, torch_has_varlen_kernel
from xuanyuan.train.zero3 import full_numel, gathered_weight_init, hf_zero3, partitioned_construction
from xuanyuan.train.zero3_load import (
    build_uninitialised, check_tensor_names, has_safetensors, load_checkpoint_into_partitions,
)

log = logging.getLogger(__name__)

ATTN_CHOICES = ("auto", "sdpa", "eager", "flash_attention_2", TORCH_VARLEN)


def resolve_attn_implementation(name: str) -> str:
    """The attention a model gets. `auto` on CUDA: FlashAttention-2 when `flash_attn` imports, else
    PyTorch's own varlen flash kernel (`torch_varlen`, torch 2.10+); on CPU: SDPA with a document mask."""
    if name not in ATTN_CHOICES:
        raise ValueError(f"model.attn_implementation = {name!r}: use one of {', '.join(ATTN_CHOICES)}")
    if name == "auto":
        if not torch.cuda.is_available():
            return "sdpa"
        if importlib.util.find_spec("flash_attn") is not None:
            return "flash_attention_2"
        name = TORCH_VARLEN if torch_has_varlen_kernel() else "sdpa"
    if name == "flash_attention_2" and not torch.cuda.is_available():
        raise ValueError("model.attn_implementation = flash_attention_2 needs CUDA; use auto or sdpa on CPU")
    if name == TORCH_VARLEN:
        if not torch_has_varlen_kernel():
            raise ValueError(f"model.attn_implementation = {TORCH_VARLEN} needs torch >= 2.10 "
                             f"(torch.nn.attention.varlen); this is torch {torch.__version__}: use auto or sdpa")
        register_torch_varlen()
    return name


def standin_config(sizes: StandinSizes, vocab_size: int, attn_implementation: str = "sdpa") -> LlamaConfig:
    """LlamaConfig of the stand-in base (Llama-2 architecture at the config's sizes)."""
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=sizes.hidden_size,
        intermediate_size=sizes.intermediate_size,
        num_hidden_layers=sizes.num_layers,
        num_attention_heads=sizes.num_heads,
        num_key_value_heads=sizes.num_kv_heads,
        max_position_embeddings=sizes.max_position_embeddings,
        rope_theta=sizes.rope_theta,
        rms_norm_eps=sizes.rms_norm_eps,
        tie_word_embeddings=sizes.tie_embeddings,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
    )
    config._attn_implementation = attn_implementation
    return config


def build_standin(settings: ModelSettings, vocab_size: int, seed: int, *,
                  zero_config: dict[str, Any] | None = None) -> LlamaForCausalLM:
    """A freshly initialised stand-in Llama in fp32 (deterministic for a seed).

    zero_config: build it partitioned under `deepspeed.zero.Init` with this (construction) config
    (xuanyuan.train.zero3); the weights are bitwise those of the unpartitioned build.
    """
    attn = resolve_attn_implementation(settings.attn_implementation)
    config = standin_config(settings.standin, vocab_size, attn)
    torch.manual_seed(seed)
    if zero_config is None:
        return LlamaForCausalLM(config).float()
    with gathered_weight_init(), partitioned_construction(zero_config):
        return LlamaForCausalLM(config)


def _model_dir(path: str | Path) -> Path:
    """`path`, once it is a Hugging Face directory of a Llama model (the recipe continues Llama-2)."""
    path = Path(path)
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path}: not a Hugging Face model directory (no config.json); check model.path")
    model_type = json.loads((path / "config.json").read_text(encoding="utf-8")).get("model_type")
    if model_type != "llama":
        # LlamaConfig.from_pretrained accepts any config.json and fills what it lacks with Llama-7B's sizes:
        # another architecture would be built at 7B and trained from random weights.
        raise UserError(f"{path}/config.json: model_type {model_type!r}, not 'llama'; the trainer continues "
                        "Llama models (LlamaForCausalLM). Point model.path at a Llama-2 checkpoint directory")
    return path


def with_context(config: LlamaConfig, context: ContextSettings) -> LlamaConfig:
    """`config` with the positions of `model.context`: more positions, another RoPE base, linear interpolation.

    Llama-2 has 4,096 positions; stage 2 of the recipe trains at 8k (16k as an option). Training
    beyond the base's positions with the base's RoPE asks the model to extrapolate; raising the RoPE
    base (Llama 2 Long: 10,000 -> 500,000) or interpolating positions (Chen et al. 2023) are the
    usual ways to continue pretraining at longer context. The exported stages keep the result.
    """
    if context.max_position_embeddings is not None:
        config.max_position_embeddings = context.max_position_embeddings
    if context.rope_theta is None and context.rope_linear_factor is None:
        return config
    rope = dict(getattr(config, "rope_parameters", None) or {"rope_type": "default", "rope_theta": config.rope_theta})
    if context.rope_theta is not None:
        rope["rope_theta"] = float(context.rope_theta)
    if context.rope_linear_factor is not None:
        rope.update(rope_type="linear", factor=float(context.rope_linear_factor))
    config.rope_parameters = rope
    return config


def model_config(path: str | Path, context: ContextSettings | None = None) -> LlamaConfig:
    """The LlamaConfig of a Hugging Face model directory, with `model.context` applied."""
    return with_context(LlamaConfig.from_pretrained(_model_dir(path)), context or ContextSettings())


def check_context(config: LlamaConfig, seq_length: int, stage: str, init_model: str | None) -> None:
    """A stage's sequences must fit the model's positions (the fp32 RoPE table has no more rows)."""
    if seq_length <= config.max_position_embeddings:
        return
    if init_model is None:
        fix = f"raise model.standin.max_position_embeddings to {seq_length}"
        source = "the stand-in (model.standin)"
    else:
        fix = (f"set model.context.max_position_embeddings: {seq_length} (with model.context.rope_theta or "
               "rope_linear_factor to extend RoPE, docs/pretrain.md)")
        source = init_model
    raise ValueError(f"{stage}: seq_length {seq_length} is longer than the {config.max_position_embeddings} positions "
                     f"of {source}; {fix}, or shorten the stage's seq_length")


def load_model(path: str | Path, settings: ModelSettings, *,
               zero_config: dict[str, Any] | None = None) -> LlamaForCausalLM:
    """A Hugging Face causal LM directory, loaded in fp32 (the engine casts for bf16; fp32 keeps master copies exact).

    zero_config: load it partitioned. A safetensors checkpoint is streamed into the partitions one
    module at a time, rank 0 reading only that module's tensors (xuanyuan.train.zero3_load); a
    `.bin` checkpoint goes through Transformers' integration, where rank 0 reads all of it first.
    """
    config = model_config(path, settings.context)
    attn = resolve_attn_implementation(settings.attn_implementation)
    if zero_config is None:
        model, info = LlamaForCausalLM.from_pretrained(path, config=config, dtype=torch.float32,
                                                       attn_implementation=attn, output_loading_info=True)
        check_tensor_names(sorted(info["missing_keys"]), sorted(info["unexpected_keys"]), path)
        return model
    if has_safetensors(path):
        import torch.distributed as dist

        config._attn_implementation = attn
        model = build_uninitialised(config, zero_config)
        record = load_checkpoint_into_partitions(model, path, rank=dist.get_rank() if dist.is_initialized() else 0)
        if record.tensors:
            log.info("%s: %d tensors, %.1f MiB read on this rank, at most %.1f MiB at once", path, record.tensors,
                     record.bytes_read / 2**20, record.max_bytes_at_once / 2**20)
        return model
    log.warning("%s has no safetensors: rank 0 reads the whole checkpoint before partitioning it "
                "(save it with save_pretrained(safe_serialization=True) to stream it)", path)
    with hf_zero3(zero_config):
        model, info = LlamaForCausalLM.from_pretrained(path, config=config, dtype=torch.float32,
                                                       attn_implementation=attn, output_loading_info=True)
    check_tensor_names(sorted(info["missing_keys"]), sorted(info["unexpected_keys"]), path)
    return model


FUSED_LOSS = "fused_linear_cross_entropy"
FUSED_ROPE = "rope"


def triton_interpreter_on() -> bool:
    """Whether Triton runs kernels in its CPU interpreter (TRITON_INTERPRET=1): slow, for tests without a GPU."""
    return os.environ.get("TRITON_INTERPRET", "") not in ("", "0")


def fused_kernels_enabled(mode: str) -> bool:
    """Whether Liger kernels are used: `on` requires them, `auto` uses them on CUDA when installed.

    Without CUDA they run only under Triton's CPU interpreter (TRITON_INTERPRET=1), which is how the
    tests run Liger's own kernels on a machine without a GPU.
    """
    if mode not in ("auto", "on", "off"):
        raise ValueError(f"model.fused_kernels = {mode!r}: use auto, on or off")
    device_ok = torch.cuda.is_available() or triton_interpreter_on()
    available = importlib.util.find_spec("liger_kernel") is not None and device_ok
    if mode == "on" and not available:
        raise ValueError("model.fused_kernels = on, but liger_kernel is not installed or CUDA is not available; "
                         "pip install liger-kernel on a GPU machine, or set it to auto")
    return mode != "off" and available


def check_liger_kernels(kernels: Sequence[str]) -> tuple[str, ...]:
    """`model.liger_kernels` in canonical order; an unknown name is an error naming it."""
    unknown = sorted(set(kernels) - set(LIGER_KERNELS))
    if unknown:
        raise ValueError(f"model.liger_kernels: unknown kernel(s) {unknown}; use some of {', '.join(LIGER_KERNELS)}")
    return tuple(k for k in LIGER_KERNELS if k in kernels)


def apply_fused_kernels(mode: str, kernels: Sequence[str] = LIGER_KERNELS) -> tuple[str, ...]:
    """Patch the Llama modeling code with the Liger kernels named in `kernels` when enabled; returns those applied.

    - `rms_norm`, `swiglu`: Liger's RMSNorm and SwiGLU MLP.
    - `fused_linear_cross_entropy`: the LM head and the loss in one chunked kernel, so the
      [tokens, vocab] logits are never held whole (at 8,192 tokens and a 39,424 vocab that is
      0.6 GiB in bf16 plus 1.2 GiB for their fp32 copy and as much for its gradient, per sequence).
      `loss.batch_loss(..., fused=True)` then asks the model for its loss instead of its logits.
    - `rope`: Liger's rotation kernel, fed our fp32 cos/sin table so that it rotates in fp32. It is
      not patched in here (Liger's patch would rotate with Hugging Face's cos/sin, which are in the
      activations' dtype): `install_fp32_rope(model, fused=True)` installs it with the fp32 table.

    Call before the model is built: Liger replaces the classes and `LlamaForCausalLM.forward` of the
    modeling module, for the whole process.
    """
    kernels = check_liger_kernels(kernels)
    if not kernels or not fused_kernels_enabled(mode):
        return ()
    from liger_kernel.transformers import apply_liger_kernel_to_llama

    apply_liger_kernel_to_llama(rope=False, cross_entropy=False, rms_norm="rms_norm" in kernels,
                                swiglu="swiglu" in kernels, fused_linear_cross_entropy=FUSED_LOSS in kernels)
    log.info("Liger kernels on: %s", ", ".join(kernels))
    return kernels


def count_parameters(model: torch.nn.Module) -> dict[str, int]:
    """Parameter counts: total, input embedding, and the rest (the N of the FLOP formula)."""
    embed = model.get_input_embeddings().weight
    total = sum(full_numel(p) for p in model.parameters())
    embed_n = full_numel(embed)
    tied = model.get_output_embeddings().weight is embed
    # A tied LM head is one tensor but does the work of a projection: count it once for the FLOPs.
    return {"total": total, "input_embedding": embed_n, "non_embedding": total - embed_n + (embed_n if tied else 0)}
