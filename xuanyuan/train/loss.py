"""Causal-LM loss over `labels` (already the next token; -100 ignored), the same for pretraining and SFT."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from xuanyuan.train.attention import model_attention
from xuanyuan.train.data import model_inputs

IGNORE_INDEX = -100


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


def batch_loss(model, batch: dict[str, torch.Tensor], device: torch.device) -> torch.Tensor:
    """Loss of `model` (HF causal LM or a DeepSpeed engine around one) on a batch of packed samples;
    no token attends across a document boundary."""
    attn_implementation, dtype = model_attention(model)
    out = model(**model_inputs(batch, attn_implementation=attn_implementation, dtype=dtype, device=device))
    return causal_lm_loss(out.logits, batch["labels"].to(device))
