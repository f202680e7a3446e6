"""Liger's fused linear cross-entropy and RoPE against our plain paths, one process (tests/train/test_liger.py).

`TRITON_INTERPRET=1 python liger_worker.py OUT.json`: Triton's CPU interpreter runs Liger's own
kernels, so this needs no GPU. Liger patches `LlamaForCausalLM.forward` (and `install_fp32_rope`
the rotation function) for the whole process, which is why it runs apart from the test process.
One tiny Llama, one batch of packed documents with masked labels:
- the loss and every gradient through `batch_loss(fused=False)` and `(fused=True)`, in fp32, in
  bf16 and with fp32 weights under bf16 autocast, against the plain fp32 path; and a micro-batch
  with no counted token;
- the same with the unfused fp32 rotation and with Liger's kernel over the fp32 table (and the
  kernel under activation checkpointing); and the rotation alone at positions up to 16,384 against float64, with the fp32 table and with a bf16 one.
"""

from __future__ import annotations

import json
import sys

import torch

from xuanyuan.train.activations import enable_activation_checkpointing
from xuanyuan.train.loss import IGNORE_INDEX, batch_loss
from xuanyuan.train.model import FUSED_LOSS, apply_fused_kernels, standin_config
from xuanyuan.train.rope import (
    apply_rotary_pos_emb_fp32, apply_rotary_pos_emb_fp32_fused, bf16_cos_sin, install_fp32_rope, reference_cos_sin,
    rotation_error_in_bf16_spacings,
)
from xuanyuan.train.settings import ActivationCheckpointing, StandinSizes

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
    # precision: bf16_autocast: fp32 weights, the products in bf16 under autocast (Liger's matmuls included).
    model.to(torch.float32)
    for fused in (False, True):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss, grads = loss_and_grads(model, batch, fused)
        result[f"{'fused' if fused else 'plain'}_autocast"] = {
            "loss": loss, "grad_error": relative_difference(grads, reference),
            "fp32_grads": all(p.grad.dtype == torch.float32 for p in model.parameters())}
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


def rope_in_the_model() -> dict:
    """Loss and gradients with the unfused fp32 rotation and with Liger's kernel over the fp32 table,
    in fp32 and bf16, against the unfused fp32 run (packed rows: positions restart mid-row)."""
    from transformers import LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(standin_config(SIZES, VOCAB, "sdpa")).train()
    batch = packed_batch()
    install_fp32_rope(model, fused=False)
    reference_loss, reference = loss_and_grads(model, batch, fused=False)
    result = {}
    for dtype in (torch.float32, torch.bfloat16):
        model.to(dtype)
        for fused in (False, True):
            install_fp32_rope(model, fused=fused)
            loss, grads = loss_and_grads(model, batch, fused=False)
            result[f"{'fused' if fused else 'plain'}_{str(dtype)[6:]}"] = {
                "loss_error": abs(loss - reference_loss) / reference_loss,
                "grad_error": relative_difference(grads, reference)}
    # The kernel rotates in place; recomputing the layers (activation checkpointing) must not change a bit.
    model.to(torch.float32)
    install_fp32_rope(model, fused=True)
    fused_loss, fused_grads = loss_and_grads(model, batch, fused=False)
    enable_activation_checkpointing(model, ActivationCheckpointing(enabled=True))
    recomputed_loss, recomputed_grads = loss_and_grads(model, batch, fused=False)
    result["fused_recomputed_equal"] = recomputed_loss == fused_loss and all(
        torch.equal(recomputed_grads[n], fused_grads[n]) for n in fused_grads)
    return result


def rope_at_long_positions() -> dict:
    """The rotation of bf16 q/k at positions up to 16,384: the largest error against float64, in units of
    the bf16 spacing of the rotated pair's length (rounding to nearest is 0.5, truncation 1; the
    interpreter truncates)."""
    config = standin_config(SIZES, VOCAB, "sdpa")
    head_dim = SIZES.hidden_size // SIZES.num_heads
    positions = torch.arange(0, 16384, 61)
    g = torch.Generator().manual_seed(3)
    q = torch.randn(1, SIZES.num_heads, len(positions), head_dim, generator=g).bfloat16()
    k = torch.randn(1, SIZES.num_kv_heads, len(positions), head_dim, generator=g).bfloat16()
    cos, sin = reference_cos_sin(config, positions)
    result = {}
    tables = {"fp32_table": (cos, sin), "bf16_table": bf16_cos_sin(config, positions)}
    for table, (c, s) in tables.items():
        c, s = c.float()[None], s.float()[None]
        for name, rotate in (("plain", apply_rotary_pos_emb_fp32), ("fused", apply_rotary_pos_emb_fp32_fused)):
            rq, rk = rotate(q.clone(), k.clone(), c, s)
            result[f"{name}_{table}"] = max(rotation_error_in_bf16_spacings(rq, q, cos, sin),
                                            rotation_error_in_bf16_spacings(rk, k, cos, sin))
    return result


def main(out: str) -> None:
    rope = {"model": rope_in_the_model(), "long_positions": rope_at_long_positions()}
    applied = apply_fused_kernels("on", [FUSED_LOSS])
    result = {"applied": list(applied), **compare(), "no_counted_token": no_counted_token(), "rope": rope}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
