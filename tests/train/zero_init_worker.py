"""One rank of tests/train/test_zero_init.py (started by torchrun, 2 gloo processes).

`python zero_init_worker.py SPEC.json`: first the construction checks (stand-in and Hugging Face
load + resize, partitioned vs whole, frozen copies, counts, the bf16 cast), then every job of the spec in order,
each through `run_job` in these same processes (one DeepSpeed start for all). Each rank writes
`<out>/checks.rank<r>.json`.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import torch
import torch.distributed as dist

from xuanyuan.train.deepspeed_config import deepspeed_config
from xuanyuan.train.distributed import init_distributed
from xuanyuan.train.freeze import FrozenMaster, set_trainable
from xuanyuan.train.job import TrainJob
from xuanyuan.train.model import build_standin, count_parameters, load_model, model_config
from xuanyuan.train.resize import resize_to_expanded
from xuanyuan.train.settings import tiny_cpu
from xuanyuan.train.trainer import run_job
from xuanyuan.train.zero3_load import build_uninitialised, load_checkpoint_into_partitions
from xuanyuan.train.zero3 import (
    cast_partitions, construction_config, full_numel, full_shape, gathered, is_partitioned, partition_record,
)


def _differences(partitioned, whole) -> list[str]:
    """Names whose gathered partitioned parameter is not bitwise equal (dtype and shape included) to the whole one's."""
    reference = dict(whole.named_parameters())
    names = [name for name, _ in partitioned.named_parameters()]
    assert names == list(reference), (names, list(reference))
    different = []
    for name, param in partitioned.named_parameters():
        with gathered([param]):
            if param.dtype != reference[name].dtype or not torch.equal(param.detach(), reference[name].detach()):
                different.append(name)
    return different


def _holding(model) -> dict:
    record = partition_record(model)
    record["all_partitioned"] = all(is_partitioned(p) for p in model.parameters())
    record["embedding_shape"] = list(full_shape(model.get_input_embeddings().weight))
    return record


def _module_sizes(model) -> dict:
    """Elements of the whole model and of its largest module's own parameters."""
    per_module = [sum(full_numel(p) for p in module.parameters(recurse=False)) for module in model.modules()]
    return {"total_elements": sum(full_numel(p) for p in model.parameters()), "largest_module_elements": max(per_module)}


def construction_checks(spec: dict, world_size: int, rank: int) -> dict:
    settings, train = tiny_cpu()
    train = dataclasses.replace(train, zero_stage=3)
    zero = construction_config(deepspeed_config(train, train.stage2, world_size, on_cuda=False))
    out: dict = {}

    # A fresh stand-in: bitwise the unpartitioned build, and the RNG stream where it would be.
    torch.manual_seed(123)
    partitioned = build_standin(settings, spec["base_vocab"], seed=7, zero_config=zero)
    rng_partitioned = torch.get_rng_state()
    whole = build_standin(settings, spec["base_vocab"], seed=7)
    out["standin"] = {"different": _differences(partitioned, whole), "holding": _holding(partitioned),
                      "rng_equal": torch.equal(rng_partitioned, torch.get_rng_state())}
    del partitioned, whole

    # A Hugging Face directory loaded and resized, partitioned vs whole.
    loaded = load_model(spec["standin"], settings, zero_config=zero)
    # What the streaming load reads on this rank (rank 0: every tensor, one module's at a time).
    streamed = build_uninitialised(model_config(spec["standin"]), zero)
    record = load_checkpoint_into_partitions(streamed, spec["standin"], rank=rank)
    out["streamed"] = {**dataclasses.asdict(record), **_module_sizes(streamed)}
    del streamed
    out["loaded"] = _holding(loaded)
    resize_to_expanded(loaded, spec["expanded"], zero_config=zero)
    reference = load_model(spec["standin"], settings)
    resize_to_expanded(reference, spec["expanded"])
    out["resized"] = {"different": _differences(loaded, reference), "holding": _holding(loaded),
                      "counts_equal": count_parameters(loaded) == count_parameters(reference),
                      "vocab_size": loaded.config.vocab_size, "reference_vocab_size": reference.config.vocab_size}

    # Frozen fp32 copies: gathered one at a time, kept on rank 0 only.
    set_trainable(loaded, "embeddings")
    set_trainable(reference, "embeddings")
    frozen = FrozenMaster.capture(loaded, keep=True, is_main=rank == 0)
    expected = FrozenMaster.capture(reference, keep=True)
    out["frozen"] = {
        "count": len(frozen), "expected": len(expected),
        "different": [n for n in frozen.tensors if not torch.equal(frozen[n], expected[n])],
    }

    # bf16: the partitions cast in place equal the engine's cast of the whole model (`p.data.to(bf16)`).
    out["cast"] = cast_partitions(loaded, torch.bfloat16)
    out["cast_different"] = _differences(loaded, reference.to(torch.bfloat16))
    return out


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    d = init_distributed()
    out = construction_checks(spec, d.world_size, d.rank)
    dist.barrier()
    for entry in spec["jobs"]:
        run_job(TrainJob.from_json(entry["job"]))
    Path(spec["out"], f"checks.rank{d.rank}.json").write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
