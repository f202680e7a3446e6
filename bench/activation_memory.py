"""Activation checkpointing: what it saves in activation memory and what it costs in step time.

    python bench/activation_memory.py                                  # CPU: small Llama, 1k-4k tokens
    python bench/activation_memory.py --hidden 2048 --layers 8 --heads 16 --kv-heads 16 --dtype bf16 \
        --lengths 4096,8192,16384                                      # GPU

One forward + backward of a Llama over one packed sample (the trainer's loss and inputs,
xuanyuan.train.loss.batch_loss) with `pretrain.activation_checkpointing` off (what a user gets by
default), on for every second layer, and on for every layer. Per row: the bytes autograd stores
for the backward pass (xuanyuan.train.activations.saved_activation_bytes: exact, the same on any
machine), the median step time over `--steps` after one warm-up, interleaved in rounds so that
machine load hits every row alike, on CUDA the step's peak allocated memory, and the ratios to
"off". The losses must agree to the bit.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds tokenize.py, which would shadow the standard library's tokenize module: repo root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import statistics  # noqa: E402

import torch  # noqa: E402

from bench.measure import cuda_peak_bytes, timed  # noqa: E402
from bench.packed_attention import document_positions  # noqa: E402
from xuanyuan.train.activations import enable_activation_checkpointing, saved_activation_bytes  # noqa: E402
from xuanyuan.train.loss import batch_loss  # noqa: E402
from xuanyuan.train.model import resolve_attn_implementation, standin_config  # noqa: E402
from xuanyuan.train.settings import ActivationCheckpointing, StandinSizes  # noqa: E402

ROWS = {"off": ActivationCheckpointing(),
        "every 2nd layer": ActivationCheckpointing(enabled=True, every_n_layers=2),
        "every layer": ActivationCheckpointing(enabled=True)}


def build(args, settings, device, dtype):
    from transformers import LlamaForCausalLM

    sizes = StandinSizes(hidden_size=args.hidden, num_layers=args.layers, num_heads=args.heads,
                         num_kv_heads=args.kv_heads, intermediate_size=args.hidden * 11 // 4,
                         max_position_embeddings=max(args.lengths))
    torch.manual_seed(0)
    with device:
        model = LlamaForCausalLM(standin_config(sizes, args.vocab, resolve_attn_implementation(args.attn)))
    model = model.to(dtype).train()
    enable_activation_checkpointing(model, settings)
    return model


def sample(length: int, vocab: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(length)
    ids = torch.randint(3, vocab, (1, length + 1), generator=g)
    return {"input_ids": ids[:, :-1], "labels": ids[:, 1:].clone(), "position_ids": document_positions(length, 600, 0)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--kv-heads", type=int, default=2)
    parser.add_argument("--vocab", type=int, default=8000)
    parser.add_argument("--attn", default="auto")
    parser.add_argument("--dtype", choices=("fp32", "bf16"), default="fp32")
    parser.add_argument("--lengths", type=lambda v: [int(x) for x in v.split(",")], default=[1024, 2048, 4096])
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args(argv)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32
    models = {name: build(args, settings, device, dtype) for name, settings in ROWS.items()}
    attn = next(iter(models.values())).config._attn_implementation
    print(f"Llama d={args.hidden}, {args.layers} layers, {args.heads} heads ({args.kv_heads} KV), vocab {args.vocab}, "
          f"{args.dtype}, attention {attn}, {device}, torch {torch.__version__}, threads {torch.get_num_threads()}\n")
    print("| tokens | checkpointing | stored activations MiB | KiB per token | s/step | "
          "peak MiB (CUDA) | memory vs off | time vs off | loss |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for length in args.lengths:
        batch = sample(length, args.vocab)
        stored, losses, peaks, steps = {}, {}, {}, {}
        for name, model in models.items():
            def step(model=model):
                model.zero_grad(set_to_none=True)
                loss = batch_loss(model, batch, device)
                loss.backward()
                return loss
            out = {}
            stored[name] = saved_activation_bytes(model, lambda: out.update(loss=batch_loss(model, batch, device)))
            out["loss"].backward()
            losses[name] = out["loss"].item()
            if device.type == "cuda":
                model.zero_grad(set_to_none=True)
                peaks[name] = cuda_peak_bytes(step) / 2**20
            steps[name] = step
        times = {name: [] for name in models}
        for _ in range(args.steps):  # interleaved rounds
            for name, step in steps.items():
                times[name].append(timed(step, device, 0, 1))
        for name in models:
            seconds = statistics.median(times[name])
            print(f"| {length:,} | {name} | {stored[name] / 2**20:,.1f} | "
                  f"{stored[name] / length / 1024:.1f} | {seconds:.3f} | "
                  f"{f'{peaks[name]:,.0f}' if peaks else '-'} | {stored[name] / stored['off']:.2f}x | "
                  f"{seconds / statistics.median(times['off']):.2f}x | {losses[name]:.6f} |")


if __name__ == "__main__":
    main()
