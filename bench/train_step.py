"""One training step of our trainer (DeepSpeed engine) vs a plain Hugging Face loop, same model and batch.

    python bench/train_step.py                     # CPU, small Llama (minutes on 2 cores)
    python bench/train_step.py --config slice70b   # GPU: 4 layers of Llama-2-70B shape, vocab 39,424, 8,192 context
    python bench/train_step.py --config llama1b3   # GPU: ~1.3B Llama at 8,192

One step = forward + backward + AdamW (+ clipping in both). Throughput is the median over
`--steps` timed steps after `--warmup` untimed ones; FLOPs per token = 6*N (without input
embeddings) + 12*L*d*S (xuanyuan.train.flops); MFU against `--peak-tflops` or the table/measurement.
Rows: plain HF (model(labels=...), loss.backward, torch AdamW; bf16 configs: bf16 weights and
AdamW moments), HF + Liger (`--liger`: all of Liger's Llama kernels incl. fused linear
cross-entropy; on CUDA in bf16 also with fp32 weights under autocast, the HF Trainer's bf16=True and
the precision of our fp32 master weights), ours (xuanyuan.train: the model settings'
attention and fused kernels, deepspeed.initialize with the generated ZeRO config, fp32 RoPE (in
Liger's kernel when `rope` is applied), and the trainer's own `micro_batch_step`), and ours at other
micro-batches (`--ours-micro-batches 2,4`), precisions (`--ours-precisions bf16_autocast`: fp32
weights, bf16 products under autocast, no ZeRO in one process; bench/optimizer_traffic.py counts its
optimizer side at 44 bytes per parameter against bf16's 52, its forward and backward at 9 more) or ZeRO stages (`--ours-zero-stages 2,3`; the recipe
trains under ZeRO-3, whose optimizer is not the BF16 optimizer that one bf16 process gets by default). `--profile 20` prints each row's top CUDA ops of one
more step (torch.profiler), to see where a row's time goes beyond the matrix products.

On CUDA every row runs in a fresh process (Liger patches the modeling module globally, and two
70B-shaped slices with AdamW states do not fit one GPU together), the model is built on the GPU.
On CPU the rows run in one process in interleaved rounds, so a shared machine's load hits all alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds tokenize.py, which would shadow the standard library's tokenize module: repo root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402

import torch  # noqa: E402

from bench.measure import timed  # noqa: E402
from xuanyuan.train.deepspeed_config import COMPUTE_PRECISION  # noqa: E402
from xuanyuan.train.distributed import init_distributed  # noqa: E402
from xuanyuan.train.flops import flops_per_token, peak_tflops  # noqa: E402
from xuanyuan.train.launch import environment_without_rendezvous  # noqa: E402
from xuanyuan.train.model import (  # noqa: E402
    FUSED_LOSS, FUSED_ROPE, LIGER_KERNELS, apply_fused_kernels, count_parameters, resolve_attn_implementation, standin_config,
)
from xuanyuan.train.settings import StageSettings, StandinSizes, TrainSettings  # noqa: E402
from xuanyuan.train.trainer import build_engine, micro_batch_step  # noqa: E402


CONFIGS = {
    # name: (sizes, vocab, seq_length, micro_batch, precision)
    "cpu": (StandinSizes(hidden_size=256, num_layers=4, num_heads=8, num_kv_heads=8, intermediate_size=688,
                         max_position_embeddings=1024), 4096, 512, 4, "fp32"),
    "slice70b": (StandinSizes(hidden_size=8192, num_layers=4, num_heads=64, num_kv_heads=8, intermediate_size=28672,
                              max_position_embeddings=8192), 39424, 8192, 1, "bf16"),
    "llama1b3": (StandinSizes(hidden_size=2048, num_layers=24, num_heads=16, num_kv_heads=16, intermediate_size=5504,
                              max_position_embeddings=8192), 39424, 8192, 1, "bf16"),
}


def make_model(sizes, vocab, attn, device, seed=0):
    """The benchmark's Llama in fp32, initialised on `device` (a 4B-parameter slice inits in seconds on a GPU)."""
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    with device:
        return LlamaForCausalLM(standin_config(sizes, vocab, attn)).float()


def make_batch(vocab, seq, micro, seed=0):
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(3, vocab, (micro, seq + 1), generator=g)
    return {"input_ids": tokens[:, :-1], "labels": tokens[:, 1:].clone(),
            "position_ids": torch.arange(seq).expand(micro, seq).clone()}


def hf_step_fn(model, batch, device, precision, lr=1e-4, autocast=False, grad_accum=1):
    """The plain loop a user writes: HF shifts labels itself, so give it the unshifted ids.

    autocast: fp32 weights and AdamW states, bf16 compute under torch.autocast (what the HF Trainer
    does with bf16=True): the same precision of the update as our trainer's fp32 master weights.
    Without it the weights, gradients and AdamW moments are bf16 (`model.to(bfloat16)`).
    grad_accum: micro-batches (the same batch) whose gradients one optimizer step applies."""
    dtype = torch.bfloat16 if precision == "bf16" and not autocast else torch.float32
    model = model.to(device, dtype)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.95), weight_decay=0.1,
                            fused=device.type == "cuda")
    ids = torch.cat([batch["input_ids"], batch["labels"][:, -1:]], dim=1)[:, :-1].to(device)
    labels = ids.clone()

    def step():
        for _ in range(grad_accum):
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
                loss = model(input_ids=ids, labels=labels, use_cache=False).loss
            (loss / grad_accum if grad_accum > 1 else loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
    return step


def ours_step_fn(model, batch, precision, micro, seq, d, applied=(), zero_stage=None, configure=None, grad_accum=1,
                 deepspeed=None):
    """The trainer's own engine and micro-batch step (`applied`: the Liger kernels the trainer applied;
    `configure(engine)`: a change to the engine before the first step; `deepspeed`: pretrain.deepspeed
    overrides); one call = one optimizer step of `grad_accum` micro-batches."""
    if zero_stage is None:
        # One process: no ZeRO in fp32 and bf16_autocast; ZeRO-1 in bf16 (DeepSpeed's fp32 master weights
        # need a ZeRO optimizer).
        zero_stage = 2 if d.world_size > 1 else int(precision == "bf16")
    train = dataclasses.replace(TrainSettings(), precision=precision, zero_stage=zero_stage, deepspeed=deepspeed or {})
    stage = StageSettings(steps=10**6, lr=1e-4, warmup_steps=0, seq_length=seq, micro_batch=micro,
                          grad_accum=grad_accum)
    engine = build_engine(model, train, stage, d, fused_rope=FUSED_ROPE in applied)
    if configure is not None:
        configure(engine)

    def step():
        for _ in range(grad_accum):
            micro_batch_step(engine, batch, d.device, fused_loss=FUSED_LOSS in applied)
    return step


def liger_llama() -> None:
    """All of Liger's Llama kernels, as a user adds them to a plain HF loop."""
    from liger_kernel.transformers import apply_liger_kernel_to_llama

    apply_liger_kernel_to_llama(rope=True, rms_norm=True, swiglu=True, fused_linear_cross_entropy=True)


def row_builders(args, sizes, vocab, seq, precision, d):
    """name -> (micro-batch, a function building that row's step, the dtype of its products for MFU)."""
    attn_hf = resolve_attn_implementation("sdpa")
    attn_ours = resolve_attn_implementation(args.attn)

    def hf(micro, autocast=False):
        return lambda: hf_step_fn(make_model(sizes, vocab, attn_hf, d.device), make_batch(vocab, seq, micro),
                                  d.device, precision, autocast=autocast)

    def hf_liger(micro, autocast=False):
        def build():
            liger_llama()
            return hf(micro, autocast)()
        return build

    def ours(micro, zero_stage=None, row_precision=precision):
        def build():
            # What the trainer does before building its model.
            applied = apply_fused_kernels(args.fused_kernels, args.liger_kernels)
            return ours_step_fn(make_model(sizes, vocab, attn_ours, d.device), make_batch(vocab, seq, micro),
                                row_precision, micro, seq, d, applied=applied, zero_stage=zero_stage)
        return build

    micro = args.micro_batch
    rows = {"plain HF loop": (micro, hf(micro), precision)}
    if args.liger:
        rows["HF + Liger"] = (micro, hf_liger(micro), precision)
        if precision == "bf16" and d.device.type == "cuda":
            rows["HF + Liger, fp32 weights (autocast)"] = (micro, hf_liger(micro, autocast=True), precision)
    rows["xuanyuan trainer (DeepSpeed)"] = (micro, ours(micro), precision)
    for other in args.ours_micro_batches:
        rows[f"xuanyuan trainer, micro-batch {other}"] = (other, ours(other), precision)
    for stage in args.ours_zero_stages:
        rows[f"xuanyuan trainer, ZeRO-{stage}"] = (micro, ours(micro, stage), precision)
    for other in args.ours_precisions:
        for row_micro in [micro, *args.ours_micro_batches]:
            rows[f"xuanyuan trainer, {other}, micro-batch {row_micro}"] = (
                row_micro, ours(row_micro, None, other), COMPUTE_PRECISION[other])
    return rows, attn_ours


def run_rows_cpu(rows, d, args):
    """Interleaved rounds in this process: a shared machine's load then hits every loop alike."""
    steps = [(name, build()) for name, (_micro, build, _precision) in rows.items()]
    times = {name: [] for name, _ in steps}
    for _ in range(args.warmup):
        for _name, step in steps:
            step()
    for _ in range(args.steps):
        for name, step in steps:
            times[name].append(timed(step, d.device, 0, 1))
    return {name: statistics.median(times[name]) for name, _ in steps}


def print_profile(step, top: int) -> None:
    """One more step under torch.profiler: the `top` CUDA ops by their own GPU time, as '#' lines."""
    from torch.profiler import ProfilerActivity, profile

    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        step()
        torch.cuda.synchronize()
    table = prof.key_averages().table(sort_by="self_device_time_total", row_limit=top, max_name_column_width=60)
    for line in table.splitlines():
        print("#   " + line)


def run_rows_cuda(rows, args, sequence_flops):
    """Each row in a fresh process: Liger's patches are global, and two slices do not fit one GPU together.
    Each row's result is printed as it comes (`sequence_flops`: the FLOPs of one sequence),
    so a run cut short by a time limit still says what its finished rows reached."""
    out = {}
    for name in rows:
        cmd = [sys.executable, __file__, *sys.argv[1:], "--row", name]
        # init_distributed put RANK and MASTER_PORT into this process's environment: each row starts
        # its own world of one.
        done = subprocess.run(cmd, capture_output=True, text=True, env=environment_without_rendezvous())
        if done.returncode:
            lines = done.stderr.strip().splitlines() or ["?"]
            # The error line, not NCCL's exit warning after it.
            out[name] = "failed: " + next((line for line in reversed(lines) if "Error" in line), lines[-1])[:100]
            print(f"# {name} failed (rc {done.returncode}); the end of its stderr:", *lines[-20:], sep="\n# ", flush=True)
            continue
        lines = done.stdout.strip().splitlines()
        result = json.loads(lines[-1])
        out[name] = result["seconds"]
        if args.profile:
            print(f"# {name}: the step's top CUDA ops", *[line for line in lines if line.startswith("#   ")],
                  sep="\n", flush=True)
        micro = rows[name][0]
        print(f"# {name}: {result['seconds']:.3f} s/step, {micro * sequence_flops / result['seconds'] / 1e12:.1f} "
              f"TFLOP/s, peak {result['peak_gib']:.1f} GiB", flush=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(CONFIGS), default="cpu")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--micro-batch", type=int, default=None)
    parser.add_argument("--ours-micro-batches", type=lambda v: [int(x) for x in v.split(",") if x], default=[],
                        help="extra rows of our trainer at these micro-batches, e.g. 2")
    parser.add_argument("--ours-zero-stages", type=lambda v: [int(x) for x in v.split(",") if x], default=[],
                        help="extra rows of our trainer under these ZeRO stages (one process: 1 in bf16 by default; "
                        "2 and 3 show each stage's own optimizer path and overhead)")
    parser.add_argument("--ours-precisions", type=lambda v: [x for x in v.split(",") if x], default=[],
                        help="extra rows of our trainer in these pretrain.precision values (at --micro-batch and "
                        "each of --ours-micro-batches), e.g. bf16_autocast (no ZeRO in one process)")
    parser.add_argument("--attn", default="auto", help="our trainer's model.attn_implementation")
    parser.add_argument("--fused-kernels", default="auto", help="our trainer's model.fused_kernels")
    parser.add_argument("--liger-kernels", type=lambda v: [x for x in v.split(",") if x], default=list(LIGER_KERNELS),
                        help="our trainer's model.liger_kernels, comma-separated (default: all)")
    parser.add_argument("--peak-tflops", type=float, default=None)
    parser.add_argument("--liger", action="store_true", help="add HF + Liger rows (CUDA, liger_kernel installed): "
                        "bf16 weights, and (bf16 configs) fp32 weights under autocast")
    parser.add_argument("--profile", type=int, default=0, metavar="TOP",
                        help="CUDA: after timing, profile one more step of each row and print its TOP ops by GPU time")
    parser.add_argument("--row", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    sizes, vocab, seq, micro, precision = CONFIGS[args.config]
    args.micro_batch = args.micro_batch or micro
    d = init_distributed()
    rows, attn = row_builders(args, sizes, vocab, seq, precision, d)

    if args.row:  # one row, in its own process (CUDA)
        row_micro, build, _precision = rows[args.row]
        step = build()
        seconds = timed(step, d.device, args.warmup, args.steps)
        if args.profile:
            print_profile(step, args.profile)
        print(json.dumps({"seconds": seconds, "peak_gib": torch.cuda.max_memory_allocated() / 2**30}))
        return

    with torch.device("meta"):
        probe = make_model(sizes, vocab, "sdpa", torch.device("meta"))
    params = count_parameters(probe)
    del probe
    fpt = flops_per_token(params["non_embedding"], sizes.num_layers, sizes.hidden_size, seq)
    peak, source = peak_tflops(precision, args.peak_tflops)
    seconds = run_rows_cuda(rows, args, seq * fpt) if d.device.type == "cuda" else run_rows_cpu(rows, d, args)

    print(f"config {args.config}: {sizes.num_layers} layers, d={sizes.hidden_size}, vocab {vocab}, seq {seq}, "
          f"{precision}, our attention {attn} (HF rows: sdpa), fused kernels {args.fused_kernels} ({','.join(args.liger_kernels)}), device {d.device}, "
          f"torch {torch.__version__}, torch threads {torch.get_num_threads()}")
    print(f"N (non-embedding) = {params['non_embedding']:,}; FLOPs/token = {fpt:.4g}; "
          f"peak {peak:.3g} TFLOP/s ({source})\n")
    base = None
    print("| loop | micro-batch | s/step | tokens/s | TFLOP/s | MFU | vs plain HF |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    peaks = {precision: peak}
    for name, (row_micro, _build, row_precision) in rows.items():
        value = seconds[name]
        if isinstance(value, str):
            print(f"| {name} | {row_micro} | {value} | | | | |")
            continue
        tps = row_micro * seq / value
        tflops = tps * fpt / 1e12
        base = base or tps
        if row_precision not in peaks:  # e.g. bf16_autocast rows of the fp32 CPU config
            peaks[row_precision] = peak_tflops(row_precision, args.peak_tflops)[0]
        mfu = tflops / peaks[row_precision]
        print(f"| {name} | {row_micro} | {value:.3f} | {tps:,.0f} | {tflops:.3f} | {mfu:.1%} | {tps / base:.2f}x |")


if __name__ == "__main__":
    main()
