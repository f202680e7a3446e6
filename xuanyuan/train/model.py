"""Build or load the Llama model that a stage trains, with the attention and kernels from config."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from xuanyuan.train.settings import ModelSettings, StandinSizes

log = logging.getLogger(__name__)

ATTN_CHOICES = ("auto", "sdpa", "eager", "flash_attention_2")


def resolve_attn_implementation(name: str) -> str:
    """The attention a model gets: `auto` = FlashAttention-2 when `flash_attn` imports and CUDA is up, else SDPA."""
    if name not in ATTN_CHOICES:
        raise ValueError(f"model.attn_implementation = {name!r}: use one of {', '.join(ATTN_CHOICES)}")
    if name == "auto":
        if torch.cuda.is_available() and importlib.util.find_spec("flash_attn") is not None:
            return "flash_attention_2"
        return "sdpa"
    if name == "flash_attention_2" and not torch.cuda.is_available():
        raise ValueError("model.attn_implementation = flash_attention_2 needs CUDA; use auto or sdpa on CPU")
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


def build_standin(settings: ModelSettings, vocab_size: int, seed: int) -> LlamaForCausalLM:
    """A freshly initialised stand-in Llama in fp32 (deterministic for a seed)."""
    attn = resolve_attn_implementation(settings.attn_implementation)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(standin_config(settings.standin, vocab_size, attn))
    return model.float()


def load_model(path: str | Path, settings: ModelSettings) -> LlamaForCausalLM:
    """A Hugging Face causal LM directory, loaded in fp32 (the engine casts for bf16; fp32 keeps master copies exact)."""
    path = Path(path)
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path}: not a Hugging Face model directory (no config.json); check model.path")
    attn = resolve_attn_implementation(settings.attn_implementation)
    return LlamaForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation=attn)


def fused_kernels_enabled(mode: str) -> bool:
    """Whether Liger kernels are used: `on` requires them, `auto` uses them on CUDA when installed."""
    if mode not in ("auto", "on", "off"):
        raise ValueError(f"model.fused_kernels = {mode!r}: use auto, on or off")
    available = importlib.util.find_spec("liger_kernel") is not None and torch.cuda.is_available()
    if mode == "on" and not available:
        raise ValueError("model.fused_kernels = on, but liger_kernel is not installed or CUDA is not available; "
                         "pip install liger-kernel on a GPU machine, or set it to auto")
    return mode != "off" and available


def apply_fused_kernels(mode: str) -> bool:
    """Patch the Llama modeling code with Liger's RMSNorm and SwiGLU kernels when enabled; returns whether it did.

    Liger's RoPE kernel is left off: it rotates in the activations' dtype, while we rotate in fp32
    (xuanyuan.train.rope). Its fused linear cross-entropy is left off too: the trainer computes the
    loss from logits over `labels` (-100 ignored), the same code for pretraining and SFT.
    Call before the model is built: Liger replaces the classes of the modeling module.
    """
    if not fused_kernels_enabled(mode):
        return False
    from liger_kernel.transformers import apply_liger_kernel_to_llama

    apply_liger_kernel_to_llama(rope=False, rms_norm=True, swiglu=True, cross_entropy=False,
                                fused_linear_cross_entropy=False)
    log.info("Liger kernels on: RMSNorm, SwiGLU")
    return True


def count_parameters(model: torch.nn.Module) -> dict[str, int]:
    """Parameter counts: total, input embedding, and the rest (the N of the FLOP formula)."""
    embed = model.get_input_embeddings().weight
    total = sum(p.ds_numel if hasattr(p, "ds_numel") else p.numel() for p in model.parameters())
    embed_n = embed.ds_numel if hasattr(embed, "ds_numel") else embed.numel()
    tied = model.get_output_embeddings().weight is embed
    # A tied LM head is one tensor but does the work of a projection: count it once for the FLOPs.
    return {"total": total, "input_embedding": embed_n, "non_embedding": total - embed_n + (embed_n if tied else 0)}
