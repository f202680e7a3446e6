"""Memory and generation speed of bf16, LLM.int8, GPTQ 4-bit and NF4, side by side, on a tiny Llama.

Usage: python bench/generation.py [--hidden 512] [--layers 4] [--new-tokens 32] [--device cpu]

Builds a random Llama (xuanyuan.quantize.tiny; width and depth from the flags, fp32 like the
pretrain export), makes every variant with `quantize_variant` (GPTQ calibrated on 32 windows of
256 tokens of generated documents), then measures each variant in a fresh process of its own (so that one variant's freed
memory, kept by the allocator, cannot hide the next one's RSS rise): weight bytes as stored and in memory,
`get_memory_footprint()`, peak memory over one forward pass of 8 x 256 tokens, and greedy
tokens/s at batch 1 and 8 (exactly --new-tokens per sequence, best of 2 after a warm-up).
GPTQ is measured twice: with the torch kernel it quantizes with (our default; reload identical)
and with GPTQModel's automatic choice (on CPU the aten int4 kernel). Prints markdown tables,
ratios to bf16.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from xuanyuan.quantize import QuantizeSettings, measure_variant, quantize_variant, with_ratios  # noqa: E402
from xuanyuan.quantize.settings import GPTQSettings, SpeedSettings  # noqa: E402
from xuanyuan.quantize.tiny import corpus, write_tiny_llama  # noqa: E402


def _mib(n: float) -> str:
    return f"{n / 2**20:.2f}"


def _settings(new_tokens: int) -> QuantizeSettings:
    return QuantizeSettings(gptq=GPTQSettings(group_size=128, n_samples=32, seq_length=256),
                            speed=SpeedSettings(batch_sizes=(1, 8), new_tokens=new_tokens, prompt_tokens=32,
                                                repeats=2))


def _measure_in_subprocess(model_dir: Path, args: argparse.Namespace, backend: str | None = None) -> dict:
    """measure_variant's row, computed by a fresh Python process."""
    command = [sys.executable, __file__, "--measure", str(model_dir), "--new-tokens", str(args.new_tokens),
               "--device", args.device] + (["--gptq-backend", backend] if backend else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the model directories here")
    parser.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--gptq-backend", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    settings = _settings(args.new_tokens)
    if args.measure is not None:
        gptq = dataclasses.replace(settings.gptq, backend=args.gptq_backend) if args.gptq_backend else None
        print(json.dumps(measure_variant(args.measure, settings, device=args.device, gptq=gptq)))
        return

    root = args.workdir or Path(tempfile.mkdtemp(prefix="bench_generation_"))
    base = write_tiny_llama(root / "base", hidden=args.hidden, layers=args.layers, vocab_size=2000)
    rows, made = [], {}
    for variant in ("bf16", "int8", "gptq4", "nf4"):
        start = time.perf_counter()
        quantize_variant(variant, base, root / variant, settings, calibration_texts=corpus(2000, seed=1),
                         device=args.device)
        made[variant] = time.perf_counter() - start
    for variant in made:
        rows.append(_measure_in_subprocess(root / variant, args))
    rows.append({**_measure_in_subprocess(root / "gptq4", args, backend="auto"), "variant": "gptq4 (auto kernel)"})
    rows = with_ratios(rows)

    print(f"# Generation benchmark: tiny Llama hidden={args.hidden} layers={args.layers} "
          f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores, device {args.device})\n")
    print("| variant | quantize s | stored MiB | in memory MiB | footprint MiB | peak fwd MiB "
          "| weights / bf16 | peak / bf16 | tok/s b1 | tok/s b8 | b1 / bf16 | b8 / bf16 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        speed = {s["batch_size"]: s["tokens_per_s"] for s in row["speed"]}
        ratios = row["ratios"]
        made_s = made.get(row["variant"])
        print(f"| {row['variant']} | {made_s:.1f} |" if made_s is not None else f"| {row['variant']} | - |",
              f"{_mib(row['stored_bytes'])} | {_mib(row['weight_bytes'])} | {_mib(row['footprint_bytes'])} "
              f"| {_mib(row['peak_bytes'])} | {ratios['weight_bytes']:.3f} | {ratios['peak_bytes']:.3f} "
              f"| {speed[1]:.1f} | {speed[8]:.1f} | {ratios['tokens_per_s_b1']:.2f} | {ratios['tokens_per_s_b8']:.2f} |")
    print(f"\nmodel directories: {root}")


if __name__ == "__main__":
    main()
