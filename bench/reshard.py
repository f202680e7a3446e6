"""What a resume at another number of ranks costs, against a resume at the same: one checkpoint of our
trainer's engine written by 2 ranks, then loaded (a) by 2 ranks as it is, the resume a user has
without `pretrain.resume_across_world_sizes`, and (b) by 1 rank after DeepSpeed's `ds_to_universal`
has converted it (xuanyuan.train.reshard: the conversion, then the load of the universal form).

    python bench/reshard.py                                   # CPU, 2 gloo ranks, ZeRO-2 fp32, 58M parameters
    python bench/reshard.py --zero-stage 3 --precision bf16   # the recipe's setting
    python bench/reshard.py --hidden 1024 --layers 16         # bigger

Each part runs in its own processes (torchrun for the 2-rank ones) and times only its own call
(`engine.save_checkpoint`, `engine.load_checkpoint`, the converter); building the engines is not
counted. Printed: seconds per part, each against the plain load, and the bytes on disk per
parameter of the checkpoint and of its universal form. These are one machine's disk and CPU: the
ratios say what the conversion adds, the seconds only what they were here.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds tokenize.py, which would shadow the standard library's tokenize module: repo root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

from bench.train_step import make_batch, make_model  # noqa: E402
from xuanyuan.train.checkpoint import ResumePoint, tag_for  # noqa: E402
from xuanyuan.train.launch import environment_without_rendezvous  # noqa: E402
from xuanyuan.train.reshard import convert_to_universal  # noqa: E402
from xuanyuan.train.settings import StageSettings, StandinSizes, TrainSettings  # noqa: E402

VOCAB, SEQ, MICRO = 32000, 64, 1
TAG = tag_for(1)


def sizes(args) -> StandinSizes:
    return StandinSizes(hidden_size=args.hidden, num_layers=args.layers, num_heads=args.hidden // 64,
                        num_kv_heads=args.hidden // 64, intermediate_size=args.hidden * 11 // 4,
                        max_position_embeddings=SEQ)


def engine_for(args, load_universal: bool = False):
    """Our trainer's engine over the benchmark's Llama, in this process's world."""
    from xuanyuan.train.distributed import init_distributed
    from xuanyuan.train.trainer import build_engine

    d = init_distributed()
    train = dataclasses.replace(TrainSettings(), precision=args.precision, zero_stage=args.zero_stage)
    stage = StageSettings(steps=10, lr=1e-4, warmup_steps=0, seq_length=SEQ, micro_batch=MICRO)
    model = make_model(sizes(args), VOCAB, "sdpa", d.device)
    return d, build_engine(model, train, stage, d, load_universal=load_universal)


def timed_call(d, call) -> float:
    import torch.distributed as dist

    if dist.is_initialized():
        dist.barrier()
    start = time.perf_counter()
    call()
    if dist.is_initialized():
        dist.barrier()
    return time.perf_counter() - start


def role_save(args) -> dict:
    from xuanyuan.train.trainer import micro_batch_step

    d, engine = engine_for(args)
    micro_batch_step(engine, make_batch(VOCAB, SEQ, MICRO, seed=d.rank), d.device, fused_loss=False)
    params = sum(getattr(p, "ds_numel", p.numel()) for p in engine.module.parameters())  # ZeRO-3: partitioned
    seconds = timed_call(d, lambda: engine.save_checkpoint(args.dir, tag=TAG, client_state={"step": 1}))
    return {"seconds": seconds, "params": params}


def role_load(args) -> dict:
    universal = args.role == "load_universal"
    d, engine = engine_for(args, load_universal=universal)
    tag = TAG + "_universal" if universal else TAG
    loaded = []
    seconds = timed_call(d, lambda: loaded.append(engine.load_checkpoint(args.dir, tag=tag)[0]))
    if loaded[0] is None:
        raise RuntimeError(f"{args.dir}/{tag} did not load")
    return {"seconds": seconds}


def run_role(args, role: str, ranks: int) -> dict:
    """`role` in fresh processes: torchrun for 2 ranks, one plain process for 1; returns rank 0's result."""
    env = environment_without_rendezvous()
    env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 2) // ranks))
    script = [str(Path(__file__).resolve()), "--role", role, "--dir", args.dir, "--hidden", str(args.hidden),
              "--layers", str(args.layers), "--zero-stage", str(args.zero_stage), "--precision", args.precision]
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={ranks}"]
    cmd = launcher + script if ranks > 1 else [sys.executable] + script
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{role} on {ranks} ranks failed:\n{done.stderr[-3000:]}")
    return json.loads(Path(args.dir, f"{role}.json").read_text())


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--zero-stage", type=int, default=2, choices=(1, 2, 3))
    parser.add_argument("--precision", default="fp32", choices=("fp32", "bf16"))
    parser.add_argument("--role", choices=("save", "load", "load_universal"), help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.role is not None:  # a worker: time one call, rank 0 writes the result
        result = role_save(args) if args.role == "save" else role_load(args)
        if int(os.environ.get("RANK", "0")) == 0:
            Path(args.dir, f"{args.role}.json").write_text(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="reshard-bench-") as directory:
        args.dir = directory
        saved = run_role(args, "save", 2)
        plain = run_role(args, "load", 2)
        point = ResumePoint(directory, TAG, 1, MICRO * 2, world_size=2, global_batch=MICRO * 2)
        start = time.perf_counter()
        universal_dir = convert_to_universal(point, workers=2, run=lambda cmd: subprocess.run(
            list(cmd), capture_output=True).returncode)
        convert = time.perf_counter() - start
        universal = run_role(args, "load_universal", 1)
        params = saved["params"]
        checkpoint_bytes = disk_bytes(Path(directory, TAG)) / params
        universal_bytes = disk_bytes(universal_dir) / params

    base = plain["seconds"]
    print(f"{params / 1e6:.1f}M parameters, ZeRO-{args.zero_stage} {args.precision}, checkpoint of 2 ranks; "
          f"torch {torch.__version__}, {os.cpu_count()} CPUs")
    print(f"on disk: checkpoint {checkpoint_bytes:.1f} B/param, its universal form {universal_bytes:.1f} B/param\n")
    print("| resume | part | seconds | vs the plain load |")
    print("|---|---|---:|---:|")
    print(f"| (the save, for scale) | engine.save_checkpoint, 2 ranks | {saved['seconds']:.2f} | "
          f"{saved['seconds'] / base:.2f}x |")
    print(f"| at the same size (2 ranks) | engine.load_checkpoint | {base:.2f} | 1.00x |")
    print(f"| at another size (1 rank) | ds_to_universal | {convert:.2f} | {convert / base:.2f}x |")
    print(f"| | engine.load_checkpoint, universal | {universal['seconds']:.2f} | {universal['seconds'] / base:.2f}x |")
    total = convert + universal["seconds"]
    print(f"| | in all | {total:.2f} | {total / base:.2f}x |")


if __name__ == "__main__":
    main()
