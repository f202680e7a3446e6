"""Bytes moved per trainable parameter by one training step, counted op by op, for our trainer's
precision and ZeRO choices against the loops a user would write instead.

    python bench/optimizer_traffic.py                   # CPU, under a minute
    python bench/optimizer_traffic.py --grad-accum 8    # per micro-batch, when 8 share an optimizer step
    python bench/optimizer_traffic.py --memory          # and each row's peak memory above its resting state (minutes)
    python bench/optimizer_traffic.py --time 20         # and each row's optimizer side in ms on this machine

Why: on one H200 the 70B-shaped slice (4.07e9 parameters) spends the optimizer side of its step in
memory-bound element-wise passes (gradient casts and accumulation, reductions, the norm, clipping,
AdamW, weight copies), and the step bench (bench/train_step.py) showed our DeepSpeed step well
behind a plain bf16 loop at micro-batch 1. Bytes per parameter say why without a GPU: each aten op
of one step is counted under a TorchDispatchMode (bench.measure.traffic_counter: what it reads and
writes; views are free), on a small Llama with a short sequence so that the parameters dominate.
The same ops run on a GPU (AdamW is forced to torch's fused kernel here, as on CUDA), so the
optimizer-side bytes carry over; times do not (`--time` gives this machine's). The "optimizer side" column
subtracts a bare forward + backward of the same model in the same weight dtype; the slice columns
multiply it by the slice's parameters, and divide by the H200's 4.8 TB/s datasheet bandwidth for a
lower bound on the time those passes take there (a bound, not a measurement). On one process a
collective with itself still reads and writes its buffer and is counted.

Rows: a plain HF loop in pure bf16 (bf16 weights and AdamW moments: the precision of the GPU step
bench's HF rows), HF with fp32 weights under autocast (the HF Trainer's bf16=True), and our trainer
(xuanyuan.train.trainer.build_engine + micro_batch_step) in `precision: bf16` under ZeRO 1/2/3
(with ZeRO-1 also as DeepSpeed ships it: the world-of-one reduction on, bf16.immediate_grad_update
off, its own gradient accumulation; and with only the accumulation DeepSpeed's) and in
`precision: bf16_autocast` under ZeRO 0/2/3. All rows clip the gradient norm to 1.0.

`--grad-accum N` counts one optimizer step of N micro-batches and reports per micro-batch: the
recipe accumulates 8 (config/xuanyuan-70b.yaml), so the per-step passes are spread over 8 and what
each micro-batch pays for accumulating its gradients (and, under ZeRO-2/3, reducing them) remains.

`--time N` adds the optimizer side's wall time on this machine: the median of N timed steps minus the
median of N bare forward + backward passes in the same weight dtype (after untimed warm-up steps).
On a CPU those passes are memory-bound too once the tensors outgrow the caches (the 39M-parameter
model's fp32 copies are 156 MB), so the times follow the bytes, at this machine's bandwidth and
with its kernels (torch's CPU fused AdamW); they are a check of the counts, not a GPU number.

`--memory` adds a column: the peak resident memory of one optimizer step above the resident memory
before it, per parameter (each row in a fresh process with glibc's mmap threshold fixed at 64 KiB,
so that every large tensor is its own mapping and a freed one leaves the resident set at once;
the peak is read from VmHWM after resetting it through /proc/self/clear_refs). That is the
transient memory of the step (gradients, buckets, temporaries) on top of weights and optimizer
state, on the CPU's allocator: a GPU's caching allocator adds fragmentation to it.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds tokenize.py, which would shadow the standard library's tokenize module: repo root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402

import torch  # noqa: E402

from bench.measure import status_mib, timed, traffic_counter  # noqa: E402
from bench.train_step import hf_step_fn, make_batch, make_model, ours_step_fn  # noqa: E402
from xuanyuan.train.distributed import init_distributed  # noqa: E402
from xuanyuan.train.launch import environment_without_rendezvous  # noqa: E402
from xuanyuan.train.settings import StandinSizes  # noqa: E402

SIZES = StandinSizes(hidden_size=512, num_layers=2, num_heads=8, num_kv_heads=8, intermediate_size=1376,
                     max_position_embeddings=64)
VOCAB, SEQ = 32000, 16
SLICE_PARAMS = 4.07e9  # the 70B-shaped slice of bench/train_step.py --config slice70b
H200_TBPS = 4.8


def force_fused_adamw() -> None:
    """torch's fused AdamW in every row, as on CUDA (our config and the HF loop pick it there); on CPU
    they would take the multi-pass foreach path, which no GPU run takes."""
    init = torch.optim.AdamW.__init__

    def fused_init(self, *args, **kwargs):
        kwargs.pop("foreach", None)
        init(self, *args, **{**kwargs, "fused": True})
    torch.optim.AdamW.__init__ = fused_init


def forward_backward(model, batch, autocast: bool):
    """The bare forward + backward of one micro-batch (no optimizer, gradients dropped), the part every
    row shares."""
    ids = batch["input_ids"]

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            loss = model(input_ids=ids, labels=ids, use_cache=False).loss
        loss.backward()
        model.zero_grad(set_to_none=True)
    return step


def counted_bytes(step, warmup: int = 2) -> int:
    for _ in range(warmup):  # optimizer states and DeepSpeed's buffers exist after the first steps
        step()
    counter = traffic_counter()
    with counter:
        step()
    return sum(counter.bytes.values())


def measured(step, device, time_steps: int) -> tuple[int, float | None]:
    """Bytes of one step and, with `time_steps`, its median seconds (after the counted, warm steps)."""
    count = counted_bytes(step)
    return count, (timed(step, device, warmup=1, steps=time_steps) if time_steps else None)


def transient_bytes(step, warmup: int = 2) -> float:
    """Peak resident bytes of one `step()` above the resident bytes before it (this process)."""
    for _ in range(warmup):
        step()
    gc.collect()
    before = status_mib("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM := VmRSS
    step()
    return (status_mib("VmHWM") - before) * 2**20


def transient_in_fresh_process(name: str, grad_accum: int) -> float:
    """`transient_bytes` of one row, measured in a child with a fixed mmap threshold (module docstring)."""
    env = {**environment_without_rendezvous(), "MALLOC_MMAP_THRESHOLD_": "65536"}
    done = subprocess.run([sys.executable, __file__, "--grad-accum", str(grad_accum), "--row", name], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"row {name!r} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["transient_bytes"]


def deepspeed_accumulation(engine) -> None:
    """Undo the trainer's copy-first accumulation (xuanyuan.train.bf16_accumulation): DeepSpeed's BF16
    optimizer casts, adds and zeroes as it ships."""
    from deepspeed.runtime.bf16_optimizer import BF16_Optimizer

    engine.optimizer.__class__ = BF16_Optimizer


def as_deepspeed_ships(engine) -> None:
    """Undo the trainer's changes to DeepSpeed's BF16 optimizer: its accumulation, and the gradient
    all-reduce that the trainer skips in a world of one."""
    deepspeed_accumulation(engine)
    engine.enable_backward_allreduce = True


def rows(d, grad_accum: int):
    """name -> (weights kept in, function building the row's optimizer step of `grad_accum` micro-batches)."""
    def model():
        return make_model(SIZES, VOCAB, "sdpa", d.device)

    batch = make_batch(VOCAB, SEQ, 1)

    def hf(autocast):
        return lambda: hf_step_fn(model(), batch, d.device, "bf16", autocast=autocast, grad_accum=grad_accum)

    def ours(precision, zero_stage, configure=None, deepspeed=None):
        return lambda: ours_step_fn(model(), batch, precision, 1, SEQ, d, zero_stage=zero_stage, configure=configure,
                                    grad_accum=grad_accum, deepspeed=deepspeed)

    return {
        "plain HF loop, bf16 weights and moments": ("bf16", hf(autocast=False)),
        "HF, fp32 weights under autocast (HF Trainer bf16=True)": ("fp32", hf(autocast=True)),
        # DeepSpeed's defaults: the world-of-one reduction, gradients added into fp32 after the backward.
        "ours, bf16, ZeRO-1 (BF16 optimizer), as DeepSpeed ships": (
            "bf16", ours("bf16", 1, as_deepspeed_ships, {"bf16": {"immediate_grad_update": False}})),
        "ours, bf16, ZeRO-1 (BF16 optimizer), DeepSpeed's accumulation": (
            "bf16", ours("bf16", 1, deepspeed_accumulation)),
        "ours, bf16, ZeRO-1 (BF16 optimizer)": ("bf16", ours("bf16", 1)),
        "ours, bf16, ZeRO-2": ("bf16", ours("bf16", 2)),
        "ours, bf16, ZeRO-3": ("bf16", ours("bf16", 3)),
        "ours, bf16_autocast, no ZeRO": ("fp32", ours("bf16_autocast", 0)),
        "ours, bf16_autocast, ZeRO-2": ("fp32", ours("bf16_autocast", 2)),
        "ours, bf16_autocast, ZeRO-3": ("fp32", ours("bf16_autocast", 3)),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grad-accum", type=int, default=1, help="micro-batches per optimizer step (default 1)")
    parser.add_argument("--memory", action="store_true", help="add each row's transient peak memory (a process each)")
    parser.add_argument("--time", type=int, default=0, metavar="N",
                        help="add each row's optimizer side in ms on this machine (medians of N steps)")
    parser.add_argument("--row", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    ga = args.grad_accum
    force_fused_adamw()
    d = init_distributed()
    if args.row:  # one row's transient memory, in its own process (--memory)
        print(json.dumps({"transient_bytes": transient_bytes(rows(d, ga)[args.row][1]())}))
        return
    probe = make_model(SIZES, VOCAB, "sdpa", d.device)
    params = sum(p.numel() for p in probe.parameters())
    batch = make_batch(VOCAB, SEQ, 1)
    shared = {"bf16": measured(forward_backward(probe.to(torch.bfloat16), batch, autocast=False), d.device, args.time),
              "fp32": measured(forward_backward(probe.float(), batch, autocast=True), d.device, args.time)}
    del probe
    results = {name: (weights, *measured(build(), d.device, args.time)) for name, (weights, build) in rows(d, ga).items()}
    memory = {name: transient_in_fresh_process(name, ga) / params for name in results} if args.memory else {}

    print(f"{SIZES.num_layers} layers, d={SIZES.hidden_size}, vocab {VOCAB}, {SEQ} tokens, {params:,} parameters "
          f"(all trainable), one process, torch {torch.__version__}; AdamW fused in every row; bytes per parameter "
          f"per micro-batch, {ga} micro-batch(es) per optimizer step")
    print(f"forward + backward alone: {shared['bf16'][0] / params:.1f} B with bf16 weights, "
          f"{shared['fp32'][0] / params:.1f} B with fp32 weights under autocast\n")
    time_head = ("| optimizer side, ms here ", "|---:") if args.time else ("", "")
    memory_head = ("| step's transient peak, B/param ", "|---:") if memory else ("", "")
    print("| loop | weights | micro-batch, B/param | optimizer side, B/param | vs plain HF | on the slice, GB | "
          f">= ms at {H200_TBPS} TB/s {time_head[0]}{memory_head[0]}|")
    print(f"|---|---|---:|---:|---:|---:|---:{time_head[1]}{memory_head[1]}|")
    base = None
    for name, (weights, total, seconds) in results.items():
        total /= ga  # per micro-batch
        side = (total - shared[weights][0]) / params
        base = base or side
        # A difference of two medians: within the machine's noise of zero where the side is small.
        timing = f" {(seconds / ga - shared[weights][1]) * 1e3:.1f} |" if args.time else ""
        transient = f" {memory[name]:.1f} |" if memory else ""
        print(f"| {name} | {weights} | {total / params:.1f} | {side:.1f} | {side / base:.2f}x | "
              f"{side * SLICE_PARAMS / 1e9:.0f} | {side * SLICE_PARAMS / (H200_TBPS * 1e12) * 1e3:.0f} |"
              f"{timing}{transient}")


if __name__ == "__main__":
    main()
