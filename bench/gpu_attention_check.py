"""On a GPU: packed-document attention kernels give the losses of each document run alone.

    python bench/gpu_attention_check.py          # CUDA only; part of bench/device_check.sh

A Llama (grouped-query heads, bf16 on CUDA) scores two packed samples of random documents. For
each attention that keeps documents apart (sdpa with the block-diagonal mask, torch_varlen =
PyTorch's varlen flash kernel, flash_attention_2 when flash_attn is installed) it reports the
largest per-token loss difference to every document run alone (dense SDPA), the largest relative
gradient difference to the masked sdpa path, and the control: the same model with a plain causal
mask, whose documents see each other. Then Liger's RMSNorm and SwiGLU (model.fused_kernels: on)
against the same model without them, and the trainer's loss with Liger's fused linear
cross-entropy against the plain one (loss, gradients, peak memory), when liger_kernel is installed.
bf16 rounding sets the floor: the masked sdpa row shows it.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds tokenize.py, which would shadow the standard library's tokenize module: repo root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import importlib.util  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from bench.measure import cuda_peak_bytes  # noqa: E402
from bench.packed_attention import document_positions  # noqa: E402
from xuanyuan.train.data import model_inputs  # noqa: E402
from xuanyuan.train.loss import batch_loss  # noqa: E402
from xuanyuan.train.model import apply_fused_kernels, resolve_attn_implementation  # noqa: E402

LENGTH, BATCH, VOCAB = 4096, 2, 32000


def llama(attn: str, dtype=torch.bfloat16):
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=VOCAB, hidden_size=1024, intermediate_size=2816, num_hidden_layers=4,
                         num_attention_heads=16, num_key_value_heads=4, max_position_embeddings=LENGTH)
    config._attn_implementation = resolve_attn_implementation(attn)
    torch.manual_seed(0)
    with torch.device("cuda"):
        return LlamaForCausalLM(config).to(dtype)


def per_token(logits, labels):
    return F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="none")


def packed_batch():
    positions = torch.cat([document_positions(LENGTH, 500, seed) for seed in range(BATCH)])
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(3, VOCAB, (BATCH, LENGTH + 1), generator=g)
    return {"input_ids": ids[:, :-1], "labels": ids[:, 1:].clone(), "position_ids": positions}


def alone(model, batch):
    """Per-token losses with every document as its own sequence (dense SDPA, positions from 0)."""
    out = []
    for row in range(BATCH):
        starts = (batch["position_ids"][row] == 0).nonzero().reshape(-1).tolist() + [LENGTH]
        for a, b in zip(starts, starts[1:]):
            ids = batch["input_ids"][row:row + 1, a:b].cuda()
            out.append(per_token(model(input_ids=ids, use_cache=False).logits, batch["labels"][row, a:b].cuda()))
    return torch.cat(out)


def losses_and_grads(model, inputs, labels):
    model.zero_grad(set_to_none=True)
    losses = per_token(model(**inputs).logits, labels.cuda())
    losses.mean().backward()
    return losses.detach(), [p.grad.float() for p in model.parameters()]


def batch_loss_and_grads(model, batch, fused: bool):
    """The trainer's loss (xuanyuan.train.loss.batch_loss) of the packed batch, and its gradients."""
    model.zero_grad(set_to_none=True)
    loss = batch_loss(model, batch, torch.device("cuda"), fused=fused)
    loss.backward()
    return loss.item(), [p.grad.float() for p in model.parameters()]


def fused_peak_gib(model, batch, fused: bool) -> float:
    """Peak CUDA memory of one forward + backward of the trainer's loss, above what was allocated before."""
    model.zero_grad(set_to_none=True)
    return cuda_peak_bytes(lambda: batch_loss(model, batch, torch.device("cuda"), fused=fused).backward()) / 2**30


def rel_grad_diff(a, b):
    return max(float((x - y).norm() / y.norm().clamp(min=1e-12)) for x, y in zip(a, b))


def main() -> int:
    if not torch.cuda.is_available():
        print("CUDA is not available: this check runs on a GPU only")
        return 2
    batch = packed_batch()
    docs = int((batch["position_ids"] == 0).sum())
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}; Llama d=1024, 4 layers, 16 heads (4 KV), "
          f"bf16; {BATCH} packed samples x {LENGTH} tokens, {docs} documents\n")
    reference = llama("sdpa")
    with torch.no_grad():
        want = alone(reference, batch)
    mask_inputs = model_inputs(batch, attn_implementation="sdpa", dtype=torch.bfloat16, device="cuda")
    _, mask_grads = losses_and_grads(reference, mask_inputs, batch["labels"])
    # An explicit causal mask: with none, Transformers infers the documents from the restarting
    # position_ids and keeps them apart itself, and the control would show nothing (it did, on the
    # first H200 run: the same numbers as the masked row).
    plain_causal = torch.ones(LENGTH, LENGTH, dtype=torch.bool, device="cuda").tril().expand(BATCH, 1, LENGTH, LENGTH)
    causal = dict(mask_inputs, attention_mask=plain_causal)
    with torch.no_grad():
        crossing = per_token(reference(**causal).logits, batch["labels"].cuda())

    rows = [("sdpa + plain causal mask (control: documents see each other)", crossing, None)]
    attentions = ["sdpa", "torch_varlen"] + (["flash_attention_2"] if importlib.util.find_spec("flash_attn") else [])
    for attn in attentions:
        model = reference if attn == "sdpa" else llama(attn)
        inputs = model_inputs(batch, attn_implementation=model.config._attn_implementation, dtype=torch.bfloat16,
                              device="cuda")
        losses, grads = losses_and_grads(model, inputs, batch["labels"])
        rows.append((f"{attn} (documents kept apart)", losses, rel_grad_diff(grads, mask_grads)))
    print("| attention | max abs loss diff vs alone | mean abs diff | max rel grad diff vs masked sdpa |")
    print("|---|---:|---:|---:|")
    for name, losses, grad in rows:
        diff = (losses - want).abs()
        print(f"| {name} | {float(diff.max()):.4f} | {float(diff.mean()):.5f} | "
              f"{'' if grad is None else f'{grad:.4f}'} |")

    if importlib.util.find_spec("liger_kernel") is None:
        print("\nliger_kernel is not installed: no Liger row")
        return 0
    plain_loss = float(losses_and_grads(reference, mask_inputs, batch["labels"])[0].mean())
    reference.train()
    plain_batch_loss, plain_grads = batch_loss_and_grads(reference, batch, fused=False)
    applied = apply_fused_kernels("on")  # patches the modeling module: models built from here on use Liger
    fused = llama("sdpa").train()
    fused_loss = float(losses_and_grads(fused, mask_inputs, batch["labels"])[0].mean())
    print(f"\nLiger ({', '.join(applied)}): RMSNorm + SwiGLU mean loss {fused_loss:.5f} vs {plain_loss:.5f} without "
          f"(diff {abs(fused_loss - plain_loss):.2e}); modules: {type(fused.model.norm).__name__}, "
          f"{type(fused.model.layers[0].mlp).__name__}")
    # The fused linear cross-entropy on the model without Liger's RMSNorm/SwiGLU (the reference, whose
    # forward Liger has patched too): against the plain path of the same model, and the plain path against
    # itself run again (the floor that nondeterministic GPU kernels set).
    fused_batch_loss, fused_grads = batch_loss_and_grads(reference, batch, fused=True)
    again_loss, again_grads = batch_loss_and_grads(reference, batch, fused=False)
    print(f"fused linear cross-entropy: loss {fused_batch_loss:.5f} vs {plain_batch_loss:.5f} plain "
          f"(plain again: {again_loss:.5f}); max rel grad diff vs plain {rel_grad_diff(fused_grads, plain_grads):.4f} "
          f"(plain vs plain again {rel_grad_diff(again_grads, plain_grads):.4f}); "
          f"peak memory of one step: {fused_peak_gib(reference, batch, True):.2f} GiB fused vs "
          f"{fused_peak_gib(reference, batch, False):.2f} GiB plain")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
