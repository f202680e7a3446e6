"""Packed long-context samples: the document mask a user gets from Hugging Face vs document offsets.

    python bench/packed_attention.py                                   # CPU: small Llama, 4k/8k/16k tokens
    python bench/packed_attention.py --hidden 2048 --layers 4 --heads 16 --kv-heads 16 --dtype bf16  # GPU

One forward + backward of a Llama over one packed sample of L tokens whose documents have
lengths drawn (seeded) around `--mean-doc` tokens, each attention in a fresh process:

  sdpa               the block-diagonal causal mask [1, 1, L, L] (what Transformers itself builds from
                     packed position_ids; ours is the same, xuanyuan.train.attention). An explicit mask
                     keeps SDPA off its flash kernel.
  torch_varlen       document offsets; PyTorch's varlen flash kernel on CUDA, one causal SDPA per
                     document on CPU (xuanyuan.train.varlen_attention)
  flash_attention_2  document offsets through flash_attn_varlen_func (CUDA with flash_attn installed)

Reports the median step time over `--steps` timed steps after one warm-up, the step's peak memory
above what the process held before it (CUDA: max allocated; CPU: peak resident set, VmHWM reset
after the warm-up) and the ratios to sdpa. The
losses of all rows are printed too: they must agree (the same model, data and boundaries).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds tokenize.py, which would shadow the standard library's tokenize module: repo root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402

from bench.measure import status_mib, timed  # noqa: E402

ATTENTIONS = ("sdpa", "torch_varlen", "flash_attention_2")


def document_positions(length: int, mean_doc: int, seed: int):
    """position_ids [1, L] of one packed sample: documents of exponential lengths (at least 8 tokens)."""
    import numpy as np
    import torch

    rng = np.random.default_rng(seed)
    positions, total = [], 0
    while total < length:
        n = min(max(8, int(rng.exponential(mean_doc))), length - total)
        positions.append(np.arange(n))
        total += n
    return torch.from_numpy(np.concatenate(positions))[None]


def _reset_peak(device) -> float:
    """Start a peak measurement; returns the memory in use now (MiB)."""
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        return torch.cuda.memory_allocated() / 2**20
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    return status_mib("VmRSS")


def _peak(device) -> float:
    import torch

    if device.type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return status_mib("VmHWM")


def worker(args) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from xuanyuan.train.loss import batch_loss
    from xuanyuan.train.model import resolve_attn_implementation

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32
    attn = resolve_attn_implementation(args.worker)
    config = LlamaConfig(vocab_size=args.vocab, hidden_size=args.hidden, intermediate_size=args.hidden * 8 // 3,
                         num_hidden_layers=args.layers, num_attention_heads=args.heads,
                         num_key_value_heads=args.kv_heads, max_position_embeddings=args.length)
    config._attn_implementation = attn
    torch.manual_seed(0)
    with device:
        model = LlamaForCausalLM(config).to(dtype)
    positions = document_positions(args.length, args.mean_doc, args.seed)
    g = torch.Generator().manual_seed(args.seed)
    ids = torch.randint(3, args.vocab, (1, args.length + 1), generator=g)
    batch = {"input_ids": ids[:, :-1], "labels": ids[:, 1:].clone(), "position_ids": positions}

    def step() -> float:
        loss = batch_loss(model, batch, device)
        loss.backward()
        model.zero_grad(set_to_none=True)
        return float(loss.detach())

    loss = step()  # warm-up (and allocator growth) before the measured steps
    base = _reset_peak(device)
    seconds = timed(step, device, 0, args.steps)
    print(json.dumps({"attn": attn, "seconds": seconds, "peak_mib": _peak(device) - base,
                      "loss": loss, "documents": int((positions == 0).sum()), "device": str(device)}))


def available(attn: str) -> bool:
    import importlib.util

    import torch

    from xuanyuan.train.varlen_attention import torch_has_varlen_kernel

    if attn == "flash_attention_2":
        return torch.cuda.is_available() and importlib.util.find_spec("flash_attn") is not None
    if attn == "torch_varlen":
        return torch_has_varlen_kernel()
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", default="4096,8192,16384")
    parser.add_argument("--mean-doc", type=int, default=600, help="mean document length in tokens")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--kv-heads", type=int, default=2)
    parser.add_argument("--vocab", type=int, default=8192)
    parser.add_argument("--dtype", choices=("fp32", "bf16"), default="fp32")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", choices=ATTENTIONS, help=argparse.SUPPRESS)
    parser.add_argument("--length", type=int, help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.worker:
        worker(args)
        return 0

    rows = []
    for length in (int(x) for x in args.lengths.split(",")):
        for attn in ATTENTIONS:
            if not available(attn):
                continue
            cmd = [sys.executable, __file__, *sys.argv[1:], "--worker", attn, "--length", str(length)]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode:
                # Out of memory or a kernel refusing the shape is a result too: report it, go on.
                rows.append((length, attn, None, done.stderr.strip().splitlines()[-1][:80]))
                continue
            rows.append((length, attn, json.loads(done.stdout.strip().splitlines()[-1]), ""))

    first = next((r[2] for r in rows if r[2]), {})
    print(f"Llama d={args.hidden}, {args.layers} layers, {args.heads} heads ({args.kv_heads} KV), vocab {args.vocab}, "
          f"{args.dtype}, device {first.get('device', '?')}; documents ~{args.mean_doc} tokens (exponential, seed "
          f"{args.seed}); forward + backward, median of {args.steps}\n")
    print("| tokens | documents | attention | s/step | step peak MiB | time vs sdpa | memory vs sdpa | loss |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for length, attn, result, error in rows:
        if result is None:
            print(f"| {length:,} | | {attn} | failed: {error} | | | | |")
            continue
        base = next((r[2] for r in rows if r[0] == length and r[1] == "sdpa" and r[2]), None)
        ratio_t = f"{result['seconds'] / base['seconds']:.2f}x" if base else ""
        ratio_m = f"{result['peak_mib'] / base['peak_mib']:.2f}x" if base else ""
        print(f"| {length:,} | {result['documents']} | {attn} | {result['seconds']:.3f} | {result['peak_mib']:,.0f} | "
              f"{ratio_t} | {ratio_m} | {result['loss']:.5f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
