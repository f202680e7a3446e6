"""Document boundaries of packed samples, in the form each attention implementation takes.

A packed sample holds several documents back to back, and its `position_ids` restart at 0 at
every document start (`xuanyuan.tokdata.PackedSamples`). A token must attend only to earlier
tokens of its own document; the positions alone do not stop attention from crossing documents.

- `sdpa`: a boolean block-diagonal causal mask [B, 1, L, L] (True = attend). Hugging Face
  passes a 4D mask through unchanged (`masking_utils._preprocess_mask_arguments`).
- `eager`: the same mask as an additive float mask (0 / dtype min) in the model's dtype, because
  eager attention adds the mask to the scores (a bool mask would be added as 0/1).
- `flash_attention_2`: no mask; `cu_seq_lens_q/k` and `max_length_q/k` over the flattened
  batch, which send `_flash_attention_forward` to `flash_attn_varlen_func`. Hugging Face infers
  these from `position_ids` only when the batch size is 1, so for micro-batches > 1 they must be
  given. Untested without CUDA.
- `torch_varlen` (`xuanyuan.train.varlen_attention`): the same offsets, for PyTorch's own varlen
  flash kernel on CUDA, or one causal SDPA call per document on CPU.

A batch in which no row has a document start after column 0 needs nothing beyond plain causal
attention: then no mask is built (SDPA keeps its `is_causal` fast path) and flash runs dense.

Cost: the mask is L² bytes per sample (bool; 2-4x that as an eager float mask), 64 KiB at L=256
but 64 MiB at L=8192, and an explicit mask keeps SDPA off its flash kernel. The varlen path
costs (documents+1) int32s per micro-batch and skips cross-document blocks, which is why
`flash_attention_2` is the cluster path.
"""

from __future__ import annotations

from typing import Any

import torch

from xuanyuan.train.varlen_attention import TORCH_VARLEN

PACKED_ATTENTION = ("sdpa", "eager", "flash_attention_2", TORCH_VARLEN)
# These take document offsets instead of a mask.
VARLEN_ATTENTION = ("flash_attention_2", TORCH_VARLEN)


def document_starts(position_ids: torch.Tensor) -> torch.Tensor:
    """Bool [B, L]: True where a new document starts (column 0, or a position that is not the previous + 1)."""
    # Same rule as Hugging Face's `find_packed_sequence_indices`, so both agree on what a document is.
    starts = torch.ones_like(position_ids, dtype=torch.bool)
    starts[:, 1:] = position_ids[:, 1:] != position_ids[:, :-1] + 1
    return starts


def has_packed_documents(position_ids: torch.Tensor) -> bool:
    """Whether any row of the batch holds more than one document (a start after column 0)."""
    return bool(document_starts(position_ids)[:, 1:].any())


def packed_causal_mask(position_ids: torch.Tensor) -> torch.Tensor:
    """Bool [B, 1, L, L]: query q may attend key k iff k <= q and both lie in the same document."""
    docs = document_starts(position_ids).cumsum(-1)
    length = position_ids.shape[-1]
    causal = torch.ones(length, length, dtype=torch.bool, device=position_ids.device).tril()
    return ((docs[:, :, None] == docs[:, None, :]) & causal)[:, None]


def additive_mask(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """A bool attend-mask as the float mask eager attention adds to its scores (0 / the dtype's minimum)."""
    # The minimum rather than -inf: a finite value never turns a softmax row into NaN.
    zero = torch.zeros((), dtype=dtype, device=mask.device)
    return torch.where(mask, zero, torch.finfo(dtype).min)


def flash_varlen_kwargs(position_ids: torch.Tensor, device: torch.device | str | None = None) -> dict[str, Any]:
    """`cu_seq_lens_q/k` (int32 offsets of every document in the flattened batch) and `max_length_q/k` (int).

    Computed where `position_ids` live (the collated CPU batch), so the int costs no device sync.
    """
    flat_starts = document_starts(position_ids).reshape(-1)
    total = flat_starts.numel()
    starts = flat_starts.nonzero().reshape(-1)
    cu = torch.cat([starts, torch.tensor([total], dtype=starts.dtype, device=starts.device)]).to(torch.int32)
    longest = int(cu.diff().max())
    cu = cu.to(device) if device is not None else cu
    return {"cu_seq_lens_q": cu, "cu_seq_lens_k": cu, "max_length_q": longest, "max_length_k": longest}


def packed_attention_inputs(position_ids: torch.Tensor, attn_implementation: str, *, dtype: torch.dtype,
                            device: torch.device | str) -> dict[str, Any]:
    """Keyword arguments for the model that keep attention inside documents ({} when no row is packed)."""
    if attn_implementation not in PACKED_ATTENTION:
        raise ValueError(f"attention {attn_implementation!r} cannot be kept inside packed documents here; "
                         f"set model.attn_implementation to one of {', '.join(PACKED_ATTENTION)} (or auto)")
    if not has_packed_documents(position_ids):
        return {}
    if attn_implementation in VARLEN_ATTENTION:
        return flash_varlen_kwargs(position_ids, device)
    # Built on the device from the small [B, L] positions: the [B, 1, L, L] mask never crosses the bus.
    mask = packed_causal_mask(position_ids.to(device))
    return {"attention_mask": mask if attn_implementation == "sdpa" else additive_mask(mask, dtype)}


def model_attention(model: torch.nn.Module) -> tuple[str, torch.dtype]:
    """The attention implementation and parameter dtype of a HF model or a DeepSpeed engine around one."""
    module = getattr(model, "module", model)  # DeepSpeedEngine keeps the HF model as .module
    return module.config._attn_implementation, module.dtype
