"""`torch_varlen`: attention that stays inside packed documents without a mask, on PyTorch alone.

FlashAttention-2's varlen kernel is the cluster path for packed samples, but the `flash_attn`
package ships wheels only for some torch/CUDA pairs, and building it from source takes an hour
or more. PyTorch (2.10+) carries the same kind of kernel: `torch.nn.attention.varlen.varlen_attn`
takes the flattened batch and the int32 document offsets `cu_seq_lens` exactly as
`flash_attn_varlen_func` does, so attention work is the sum of document length squared and no
L x L mask exists. This module registers it with Transformers' `AttentionInterface` under
`torch_varlen`:

- CUDA: `varlen_attn`, causal, grouped-query heads shared rather than copied where torch allows.
- CPU (the kernel is CUDA-only), or fp32 on CUDA (the kernel takes 16-bit inputs only): one causal
  SDPA call per document. SDPA's flash kernels keep memory linear in the document length, so long
  packed contexts run without an L^2 mask.
- No packed row in the batch (no `cu_seq_lens_*` given): one dense causal SDPA call.

No mask function is registered for the name, so Transformers builds no mask for it: this
attention is for training and scoring packed samples (`xuanyuan.train.data.model_inputs`), where
there is no padding. Generation loads models with `sdpa`.
"""

from __future__ import annotations

import functools
import inspect

import torch
import torch.nn.functional as F

TORCH_VARLEN = "torch_varlen"
# The flash kernel's input dtypes; an fp32 run on CUDA takes the per-document SDPA path instead.
FLASH_DTYPES = (torch.float16, torch.bfloat16)


def torch_has_varlen_kernel() -> bool:
    """Whether this torch has `torch.nn.attention.varlen.varlen_attn` (2.10+)."""
    try:
        from torch.nn.attention.varlen import varlen_attn  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _varlen_options() -> tuple[dict, bool]:
    """The causal keyword of this torch's `varlen_attn` and whether it shares grouped KV heads itself."""
    from torch.nn.attention.varlen import varlen_attn

    params = inspect.signature(varlen_attn).parameters
    if "window_size" in params:  # torch 2.11+
        causal = {"window_size": (-1, 0)}
    elif "is_causal" in params:  # torch 2.10
        causal = {"is_causal": True}
    else:
        raise RuntimeError(f"torch {torch.__version__}: varlen_attn takes neither window_size nor is_causal; "
                           "set model.attn_implementation to sdpa")
    return causal, "enable_gqa" in params


def _cuda_varlen(query, key, value, cu, max_length: int, scaling: float | None) -> torch.Tensor:
    """[B, H, L, D] inputs -> [B, L, H, D] through PyTorch's varlen flash kernel over the flattened batch."""
    from torch.nn.attention.varlen import varlen_attn

    batch, heads, length, dim = query.shape
    kv_heads = key.shape[1]
    causal, shares_gqa = _varlen_options()
    q = query.transpose(1, 2).reshape(batch * length, heads, dim)
    k = key.transpose(1, 2).reshape(batch * length, kv_heads, dim)
    v = value.transpose(1, 2).reshape(batch * length, kv_heads, dim)
    extra = {}
    if heads != kv_heads:
        if shares_gqa:
            extra["enable_gqa"] = True
        else:
            k = k.repeat_interleave(heads // kv_heads, dim=1)
            v = v.repeat_interleave(heads // kv_heads, dim=1)
    out = varlen_attn(q, k, v, cu, cu, max_length, max_length, scale=scaling, **causal, **extra)
    return out.reshape(batch, length, heads, dim)


def _per_document_sdpa(query, key, value, cu, scaling: float | None) -> torch.Tensor:
    """[B, H, L, D] inputs -> [B, L, H, D], one causal SDPA call per document of the flattened batch."""
    batch, heads, length, dim = query.shape

    def flat(x):  # [B, H, L, D] -> [1, H, B*L, D]: documents are contiguous token ranges
        return x.transpose(0, 1).reshape(1, x.shape[1], batch * length, dim)

    q, k, v = flat(query), flat(key), flat(value)
    bounds = cu.tolist()
    pieces = [F.scaled_dot_product_attention(q[:, :, s:e], k[:, :, s:e], v[:, :, s:e], is_causal=True,
                                             scale=scaling, enable_gqa=True)
              for s, e in zip(bounds[:-1], bounds[1:])]
    out = torch.cat(pieces, dim=2)  # [1, H, B*L, D]
    return out.reshape(heads, batch, length, dim).permute(1, 2, 0, 3)


def torch_varlen_attention(module: torch.nn.Module, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                           attention_mask: torch.Tensor | None, dropout: float = 0.0,
                           scaling: float | None = None, **kwargs) -> tuple[torch.Tensor, None]:
    """Transformers attention function: q [B, H, L, D], k/v [B, H_kv, L, D] -> ([B, L, H, D], None)."""
    if dropout:
        raise ValueError(f"{TORCH_VARLEN} attention has no dropout (attention_dropout = {dropout}); set it to 0")
    if query.shape[2] != key.shape[2]:
        raise ValueError(f"{TORCH_VARLEN} attention is for training and scoring whole packed samples, not "
                         "cached generation; load the model with attn_implementation='sdpa' to generate")
    cu = kwargs.get("cu_seq_lens_q")
    if cu is None:
        # No packed row: plain causal attention (SDPA's flash kernel on CUDA).
        out = F.scaled_dot_product_attention(query, key, value, is_causal=True, scale=scaling,
                                             enable_gqa=query.shape[1] != key.shape[1])
        return out.transpose(1, 2).contiguous(), None
    if query.is_cuda and query.dtype in FLASH_DTYPES:
        return _cuda_varlen(query, key, value, cu, int(kwargs["max_length_q"]), scaling), None
    return _per_document_sdpa(query, key, value, cu, scaling), None


def register_torch_varlen() -> None:
    """Make `torch_varlen` an attention implementation Transformers accepts (idempotent)."""
    from transformers import AttentionInterface

    AttentionInterface.register(TORCH_VARLEN, torch_varlen_attention)
