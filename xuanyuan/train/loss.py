"""Causal-LM loss over `labels` (already the next token; -100 ignored), the same for pretraining and SFT."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from xuanyuan.train.attention import model_attention
from xuanyuan.train.data import IGNORE_INDEX, model_inputs

__all__ = ["IGNORE_INDEX", "batch_loss", "causal_lm_loss", "token_losses"]


def token_losses(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed cross-entropy (fp32) and the number of counted tokens; labels are not shifted here."""
    # fp32 softmax: in bf16 the log-sum-exp over ~40k logits loses the small probabilities.
    total = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1),
                            ignore_index=IGNORE_INDEX, reduction="sum")
    return total, (labels != IGNORE_INDEX).sum()


def causal_lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the tokens whose label is not -100."""
    total, count = token_losses(logits, labels)
    return total / count.clamp(min=1)


def batch_loss(model, batch: dict[str, torch.Tensor], device: torch.device, *, fused: bool = False) -> torch.Tensor:
    """Loss of `model` (HF causal LM or a DeepSpeed engine around one) on a batch of packed samples;
    no token attends across a document boundary.

    fused: the model runs Liger's fused linear cross-entropy (`model.apply_fused_kernels`); in
    training mode it then returns the loss without ever holding the logits. Liger's kernel takes the
    log-sum-exp in fp32 like `token_losses`; `shift_labels` says our labels are already the next token,
    and the LM head's gradient is accumulated over its chunks in fp32. The same mean over counted
    tokens as `causal_lm_loss`. A micro-batch with no counted token (Liger would divide by zero)
    and evaluation (no labels given, so logits come back) take the plain path.
    """
    attn_implementation, dtype = model_attention(model)
    inputs = model_inputs(batch, attn_implementation=attn_implementation, dtype=dtype, device=device)
    labels = batch["labels"]
    if fused and model.training and bool((labels != IGNORE_INDEX).any()):
        return model(**inputs, shift_labels=labels.to(device), accum_dtype=torch.float32).loss
    out = model(**inputs)
    return causal_lm_loss(out.logits, labels.to(device))
