"""The rotation of q and k: Liger's kernel over our fp32 table vs the unfused fp32 rotation, and what a user gets instead.

    python bench/rope_kernel.py                          # CUDA: one Llama-2-70B layer's q/k at 8,192 tokens
    TRITON_INTERPRET=1 python bench/rope_kernel.py --tiny  # CPU: Triton's interpreter, errors only (times meaningless)

Rows, each a forward + backward of the rotation of bf16 q [1, 64 heads, S, 128] and k [1, 8 heads, S, 128]:
- unfused fp32 rotation (`apply_rotary_pos_emb_fp32`, the trainer without `rope` in model.liger_kernels);
- Liger's kernel over the fp32 table (`apply_rotary_pos_emb_fp32_fused`, the trainer's default);
- Hugging Face's rotation with its cos/sin in bf16 (what the bf16-cast model does without our fix);
- Liger's kernel with those bf16 cos/sin (what `apply_liger_kernel_to_llama(rope=True)` alone gives).
Error: the largest |rotated - float64 truth| in bf16 spacings of the rotated pair's length (0.5 =
rounded once to nearest, ~512 = wrong angles; `rope.rotation_error_in_bf16_spacings`), at positions
spread over 0 .. 16,383. Time: median of `--steps` CUDA-event timed calls.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds tokenize.py, which would shadow the standard library's tokenize module: repo root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
from transformers import LlamaConfig  # noqa: E402
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb as hf_rotation  # noqa: E402

from xuanyuan.train.model import triton_interpreter_on  # noqa: E402
from xuanyuan.train.rope import (  # noqa: E402
    apply_rotary_pos_emb_fp32, apply_rotary_pos_emb_fp32_fused, bf16_cos_sin, reference_cos_sin,
    rotation_error_in_bf16_spacings,
)


def liger_rotation(q, k, cos, sin, unsqueeze_dim=1):
    """Liger's kernel with cos/sin as given (bf16 here): it computes in their dtype."""
    from liger_kernel.ops.rope import LigerRopeFunction

    return LigerRopeFunction.apply(q, k, cos, sin)


def time_call(fn, device, steps: int) -> float:
    """Median milliseconds of fn() (CUDA events on a GPU, wall clock otherwise)."""
    times = []
    for _ in range(steps):
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end))
        else:
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=8192)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--tiny", action="store_true", help="4 heads (2 KV), head dim 32, 256 tokens: for the interpreter")
    args = parser.parse_args(argv)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu" and not triton_interpreter_on():
        print("no CUDA: run on a GPU, or with TRITON_INTERPRET=1 --tiny for the error columns only")
        return 2
    heads, kv_heads, head_dim, tokens = (4, 2, 32, 256) if args.tiny else (64, 8, 128, args.tokens)
    config = LlamaConfig(hidden_size=heads * head_dim, num_attention_heads=heads, num_key_value_heads=kv_heads,
                         max_position_embeddings=16384)
    positions = torch.linspace(0, 16383, tokens).round().long()
    g = torch.Generator().manual_seed(0)
    q = torch.randn(1, heads, tokens, head_dim, generator=g).bfloat16().to(device)
    k = torch.randn(1, kv_heads, tokens, head_dim, generator=g).bfloat16().to(device)
    cos64, sin64 = (t.to(device) for t in reference_cos_sin(config, positions))
    fp32 = tuple(t.float()[None] for t in (cos64, sin64))
    bf16 = tuple(t.to(device).bfloat16()[None] for t in bf16_cos_sin(config, positions))
    rows = [("unfused fp32 rotation (rope off)", apply_rotary_pos_emb_fp32, fp32),
            ("Liger's kernel over the fp32 table (ours)", apply_rotary_pos_emb_fp32_fused, fp32),
            ("Hugging Face's rotation, bf16 cos/sin", hf_rotation, bf16),
            ("Liger's kernel, bf16 cos/sin (its own patch)", liger_rotation, bf16)]

    print(f"{torch.cuda.get_device_name() if device.type == 'cuda' else 'CPU, Triton interpreter'}, "
          f"torch {torch.__version__}; q [1, {heads}, {tokens}, {head_dim}], k [1, {kv_heads}, {tokens}, {head_dim}] "
          f"bf16, positions 0..16,383\n")
    print("| rotation | fwd + bwd ms | vs unfused fp32 | max error vs float64 (bf16 spacings of the pair) |")
    print("|---|---:|---:|---:|")
    base = None
    for name, rotate, (cos, sin) in rows:
        if rotate is liger_rotation and device.type == "cpu":
            # Triton 3.9's interpreter computes bf16 arithmetic wrongly (garbage, NaN); a GPU does not.
            print(f"| {name} | | | not run: bf16 arithmetic in Triton's interpreter is wrong |")
            continue
        rq, rk = rotate(q.clone(), k.clone(), cos, sin)
        error = max(rotation_error_in_bf16_spacings(rq, q, cos64, sin64),
                    rotation_error_in_bf16_spacings(rk, k, cos64, sin64))
        qg, kg = q.clone().requires_grad_(), k.clone().requires_grad_()
        grad_q, grad_k = torch.ones_like(q), torch.ones_like(k)

        def step():
            # The kernel rotates in place: each call gets fresh leaves' clones, as q_proj's output is fresh.
            out_q, out_k = rotate(qg.clone(), kg.clone(), cos, sin)
            torch.autograd.backward((out_q, out_k), (grad_q, grad_k))

        for _ in range(3):
            step()
        ms = time_call(step, device, args.steps if device.type == "cuda" else 1)
        base = base or ms
        print(f"| {name} | {ms:.3f} | {ms / base:.2f}x | {error:.3g} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
