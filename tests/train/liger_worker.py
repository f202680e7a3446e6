"""Liger's fused linear cross-entropy against our plain loss, one process (tests/train/test_liger.py).

`TRITON_INTERPRET=1 python liger_worker.py OUT.json`: Triton's CPU interpreter runs Liger's own
kernel, so this needs no GPU. Liger patches `LlamaForCausalLM.forward` for the whole process, which
is why it runs apart from the test process. One tiny Llama, one batch of packed documents with
masked labels; the loss and every gradient through `batch_loss(fused=False)` and `(fused=True)`, in
fp32 and in bf16, against the plain fp32 path; and a micro-batch with no counted token.
"""

from __future__ import annotations

import json
import sys

import torch

from xuanyuan.train.loss import IGNORE_INDEX, batch_loss
from xuanyuan.train.model import FUSED_LOSS, apply_fused_kernels, standin_config
from xuanyuan.train.settings import StandinSizes

SIZES = StandinSizes(hidden_size=64, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=128,
                     max_position_embeddings=256)
VOCAB, LENGTH = 700, 48


def packed_batch(seed: int = 1) -> dict[str, torch.Tensor]:
    """Two rows; row 0 holds two documents (positions restart at 30) and a masked prompt of 10 tokens."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, VOCAB, (2, LENGTH + 1), generator=g)
    positions = torch.arange(LENGTH).repeat(2, 1)
    positions[0, 30:] = torch.arange(LENGTH - 30)
    labels = ids[:, 1:].clone()
    labels[0, :10] = IGNORE_INDEX
    return {"input_ids": ids[:, :-1], "labels": labels, "position_ids": positions}


def loss_and_grads(model, batch, fused: bool) -> tuple[float, dict[str, torch.Tensor]]:
    model.zero_grad(set_to_none=True)
    loss = batch_loss(model, batch, torch.device("cpu"), fused=fused)
    loss.backward()
    return loss.item(), {name: p.grad.double() for name, p in model.named_parameters()}


def relative_difference(grads: dict[str, torch.Tensor], reference: dict[str, torch.Tensor]) -> float:
    """The largest relative L2 difference of any parameter's gradient."""
    return max(float((grads[n] - reference[n]).norm() / reference[n].norm().clamp(min=1e-30)) for n in reference)


def compare() -> dict:
    """Losses and gradient errors against the plain fp32 path, of plain and fused in fp32 and in bf16."""
    from transformers import LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(standin_config(SIZES, VOCAB, "sdpa")).train()
    batch = packed_batch()
    reference_loss, reference = loss_and_grads(model, batch, fused=False)
    result = {"reference_loss": reference_loss}
    for dtype in (torch.float32, torch.bfloat16):
        model.to(dtype)
        for fused in (False, True):
            loss, grads = loss_and_grads(model, batch, fused)
            result[f"{'fused' if fused else 'plain'}_{str(dtype)[6:]}"] = {
                "loss": loss, "grad_error": relative_difference(grads, reference)}
    return result


def no_counted_token() -> dict:
    from transformers import LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(standin_config(SIZES, VOCAB, "sdpa")).train()
    batch = packed_batch()
    batch["labels"][:] = IGNORE_INDEX
    loss = batch_loss(model, batch, torch.device("cpu"), fused=True)
    loss.backward()
    return {"loss": float(loss), "grads_zero": all(p.grad is None or not p.grad.any() for p in model.parameters())}


def main(out: str) -> None:
    applied = apply_fused_kernels("on", [FUSED_LOSS])
    result = {"applied": list(applied), **compare(), "no_counted_token": no_counted_token()}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
