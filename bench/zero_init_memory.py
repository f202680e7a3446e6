"""Peak memory per rank while the trainer builds a model: whole on every rank vs partitioned under zero.Init.

    python bench/zero_init_memory.py                       # ~220M-parameter Llama, 2 CPU processes
    python bench/zero_init_memory.py --hidden 2048 --layers 16 --processes 4

For each setup, a fresh torchrun (gloo) runs the trainer's own construction code on every rank
and reports the rank's resident memory: after imports and the process group (`base`), its peak
while building (`peak`, VmHWM reset at `base`), and what the build added (`peak - base`); the
ratio compares that to the whole-model build of the same source. Setups:
  standin        build_standin: a fresh Llama (today's path for ZeRO 0/1/2: fp32, whole, every rank)
  standin_zero3  the same under zero.Init (pretrain.zero_stage: 3)
  hf             load_model from a Hugging Face directory, written first in `--checkpoint-dtype`
                 (bf16 by default, as Llama-2's release is 16-bit: loading it in fp32 converts every
                 tensor; an fp32 checkpoint stays memory-mapped, untouched pages are not resident)
  hf_zero3       the same partitioned (load_model with a ZeRO-3 config): the safetensors file streamed
                 into the partitions one module at a time, rank 0 reading only that module's tensors
  hf_zero3_transformers  Transformers' own ZeRO-3 load (from_pretrained under HfDeepSpeedConfig), what
                 load_model did before: rank 0 reads the whole checkpoint, then fills the partitions
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds tokenize.py, which would shadow the standard library's tokenize module: repo root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402

from bench.measure import status_mib  # noqa: E402
from xuanyuan.train.launch import environment_without_rendezvous  # noqa: E402

SETUPS = ("standin", "standin_zero3", "hf", "hf_zero3", "hf_zero3_transformers")
REPO = Path(__file__).resolve().parents[1]


def _settings(args):
    from xuanyuan.train.settings import ModelSettings, StandinSizes, TrainSettings

    sizes = StandinSizes(hidden_size=args.hidden, num_layers=args.layers, num_heads=args.hidden // 64,
                         num_kv_heads=args.hidden // 64, intermediate_size=args.intermediate,
                         max_position_embeddings=2048)
    return ModelSettings(standin=sizes, attn_implementation="sdpa", fused_kernels="off"), TrainSettings(zero_stage=3)


def worker(args) -> None:
    import torch.distributed as dist

    from xuanyuan.train.deepspeed_config import deepspeed_config
    from xuanyuan.train.distributed import init_distributed
    from xuanyuan.train.model import build_standin, count_parameters, load_model
    from xuanyuan.train.zero3 import construction_config, partition_record

    d = init_distributed()
    model_settings, train = _settings(args)
    zero = None
    if "_zero3" in args.worker:
        zero = construction_config(deepspeed_config(train, train.stage2, d.world_size, on_cuda=False))
    dist.barrier()
    base = status_mib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS: the peak below is the build's
    if args.worker.startswith("standin"):
        model = build_standin(model_settings, args.vocab, seed=1, zero_config=zero)
    elif args.worker == "hf_zero3_transformers":
        import torch
        from transformers import LlamaForCausalLM

        from xuanyuan.train.zero3 import hf_zero3

        with hf_zero3(zero):
            model = LlamaForCausalLM.from_pretrained(args.dir, dtype=torch.float32, attn_implementation="sdpa")
    else:
        model = load_model(args.dir, model_settings, zero_config=zero)
    peak, now = status_mib("VmHWM"), status_mib("VmRSS")
    record = partition_record(model) if zero is not None else {"local_elements": count_parameters(model)["total"]}
    result = {"setup": args.worker, "rank": d.rank, "base_mib": base, "peak_mib": peak, "after_mib": now,
              "params": count_parameters(model)["total"], "local_elements": record["local_elements"]}
    Path(args.dir, f"{args.worker}.rank{d.rank}.json").write_text(json.dumps(result))
    dist.barrier()


def run_setup(setup: str, args, directory: Path) -> list[dict]:
    env = {**environment_without_rendezvous(), "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={args.processes}",
           str(Path(__file__).resolve()), "--worker", setup, "--dir", str(directory)] + _size_args(args)
    log = directory / f"{setup}.log"
    with open(log, "w") as out:
        if subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
            raise RuntimeError(f"{setup} failed; see {log}:\n" + log.read_text()[-3000:])
    return [json.loads((directory / f"{setup}.rank{r}.json").read_text()) for r in range(args.processes)]


def _size_args(args) -> list[str]:
    return [f"--hidden={args.hidden}", f"--layers={args.layers}", f"--intermediate={args.intermediate}",
            f"--vocab={args.vocab}"]


def write_hf_dir(args, directory: Path) -> None:
    """The Hugging Face directory the `hf` setups load: a fresh model of the same sizes in `--checkpoint-dtype`."""
    import torch

    from xuanyuan.train.model import build_standin

    model_settings, _ = _settings(args)
    model = build_standin(model_settings, args.vocab, seed=1)
    model.to({"bf16": torch.bfloat16, "fp32": torch.float32}[args.checkpoint_dtype]).save_pretrained(directory)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--intermediate", type=int, default=2816)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--checkpoint-dtype", choices=("bf16", "fp32"), default="bf16")
    parser.add_argument("--setups", default=",".join(SETUPS))
    parser.add_argument("--worker", choices=SETUPS, help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return 0

    with tempfile.TemporaryDirectory(prefix="zero_init_memory.") as tmp:
        directory = Path(tmp)
        setups = args.setups.split(",")
        if any(s.startswith("hf") for s in setups):
            write_hf_dir(args, directory)
        results = {setup: run_setup(setup, args, directory) for setup in setups}
    params = next(iter(results.values()))[0]["params"]
    print(f"Llama d={args.hidden} L={args.layers} ffn={args.intermediate} vocab={args.vocab}: {params / 1e6:.1f}M "
          f"parameters, {params * 4 / 2**20:.0f} MiB in fp32; {args.processes} processes (gloo, CPU); "
          f"{args.checkpoint_dtype} checkpoint\n")
    print("| setup | rank | elements held | base MiB | peak MiB | peak - base MiB | vs whole |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for setup, ranks in results.items():
        whole = results.get(setup.split("_zero3")[0])
        for r in ranks:
            added = r["peak_mib"] - r["base_mib"]
            ratio = ""
            if whole is not None:
                ratio = f"{added / (whole[r['rank']]['peak_mib'] - whole[r['rank']]['base_mib']):.2f}x"
            print(f"| {setup} | {r['rank']} | {r['local_elements'] / 1e6:.1f}M | {r['base_mib']:.0f} | "
                  f"{r['peak_mib']:.0f} | {added:.0f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
