"""Training checkpoints through DeepSpeed (model, optimizer, scheduler) plus our client state.

Client state: the step, the global samples consumed, the data-parallel world size, the RNG
states of every rank and the resolved settings. Layout: `<checkpoint_dir>/step00000050/...` and DeepSpeed's `latest` file,
written after a save completes, so a job killed mid-save resumes from the previous one. The
directory lives outside the stage's output directory (Snakemake deletes declared outputs of a
failed job; the checkpoints must survive that).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import torch.distributed as dist

from xuanyuan.errors import UserError
from xuanyuan.train.distributed import all_ranks, rng_state, set_rng_state

TAG = re.compile(r"^step(\d{8})$")


def tag_for(step: int) -> str:
    return f"step{step:08d}"


def latest_tag(checkpoint_dir: str | Path) -> str | None:
    """The tag DeepSpeed's `latest` file names, when it exists and its directory is there."""
    latest = Path(checkpoint_dir) / "latest"
    if not latest.is_file():
        return None
    tag = latest.read_text().strip()
    return tag if (Path(checkpoint_dir) / tag).is_dir() else None


def save(engine, checkpoint_dir: str | Path, *, step: int, samples: int, settings: dict[str, Any],
         keep: int, is_main: bool, world_size: int) -> str:
    """Save a checkpoint at `step` (all ranks call) and drop all but the newest `keep`."""
    tag = tag_for(step)
    client = {"step": step, "samples": samples, "world_size": world_size, "rng": all_ranks(rng_state()),
              "settings": settings}
    engine.save_checkpoint(str(checkpoint_dir), tag=tag, client_state=client)
    if is_main:
        (Path(checkpoint_dir) / tag / "xuanyuan_train.json").write_text(json.dumps(
            {"step": step, "samples": samples, "world_size": world_size, "settings": settings},
            indent=2, default=str) + "\n")
        _prune(Path(checkpoint_dir), keep)
    if dist.is_initialized():
        dist.barrier()
    return tag


def _prune(checkpoint_dir: Path, keep: int) -> None:
    tags = sorted(p.name for p in checkpoint_dir.iterdir() if p.is_dir() and TAG.match(p.name))
    for old in tags[:-keep] if keep > 0 else []:
        shutil.rmtree(checkpoint_dir / old, ignore_errors=True)


class WorldSizeChanged(UserError):
    """The checkpoint was written by another number of ranks than this run has."""


def check_world_size(checkpoint_dir: str | Path, tag: str, world_size: int) -> None:
    """Refuse a checkpoint of another data-parallel size, before DeepSpeed fails deep inside its load.

    ZeRO partitions the optimizer state (and at stage 3 the weights) by rank, and the global batch is
    micro_batch x grad_accum x ranks: neither carries over. Stopping here keeps the checkpoint; removing
    it silently would throw away the stage's training so far.
    """
    record = Path(checkpoint_dir) / tag / "xuanyuan_train.json"
    saved = json.loads(record.read_text()).get("world_size") if record.is_file() else None
    if saved is not None and saved != world_size:
        raise WorldSizeChanged(
            f"{checkpoint_dir}/{tag} was written by {saved} ranks and this run has {world_size}: a ZeRO checkpoint "
            f"resumes only at the same data-parallel size (and the global batch would change). Set the stage's "
            f"resources back to {saved} devices (resources.<group>.nodes x gpus_per_node on GPUs, "
            f"pretrain.processes on CPU) to resume, or delete {checkpoint_dir} to train the stage from step 0")


def resume(engine, checkpoint_dir: str | Path, rank: int, world_size: int) -> tuple[int, int] | None:
    """Load the latest checkpoint into `engine`; returns (step, samples consumed) or None when there is none."""
    tag = latest_tag(checkpoint_dir)
    if tag is None:
        return None
    check_world_size(checkpoint_dir, tag, world_size)
    path, client = engine.load_checkpoint(str(checkpoint_dir), tag=tag, load_optimizer_states=True,
                                          load_lr_scheduler_states=True)
    if path is None:
        raise RuntimeError(f"{checkpoint_dir}/{tag}: DeepSpeed could not load it; delete the directory to start over")
    states = client.get("rng") or []
    if rank < len(states):
        set_rng_state(states[rank])
    return int(client["step"]), int(client["samples"])
