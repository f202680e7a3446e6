"""Training checkpoints through DeepSpeed (model, optimizer, scheduler) plus our client state.

Client state: the step, the global samples consumed, the data-parallel world size, the global
batch, the RNG states of every rank and the resolved settings. Layout: `<checkpoint_dir>/step00000050/...`
and DeepSpeed's `latest` file, which we write (atomically) once DeepSpeed's save (on every rank) and our
record are both complete, so a job killed mid-save resumes from the previous checkpoint, and every checkpoint
`latest` names has its record (its world size and global batch decide how it resumes). The directory
lives outside the stage's output directory (Snakemake deletes declared outputs of a failed job; the
checkpoints must survive that).

A resumed run keeps the global batch (samples per optimizer step) its checkpoint trained with, so
the stage reads the same samples in the same steps whatever the number of ranks (padding the last
micro-step when the ranks do not divide it: xuanyuan.train.data.rank_batches). At another number
of ranks than wrote it, the checkpoint is loaded from DeepSpeed's universal form, which
xuanyuan.train.reshard makes before the workers start.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch.distributed as dist

from xuanyuan.errors import UserError
from xuanyuan.train.distributed import all_ranks, rng_state, set_rng_state

TAG = re.compile(r"^step(\d{8})$")
RECORD = "xuanyuan_train.json"
UNIVERSAL_SUFFIX = "_universal"
"""`<tag>_universal`: the checkpoint `<tag>` converted to DeepSpeed's universal form (xuanyuan.train.reshard)."""
LATEST_UNIVERSAL = "latest_universal"
"""DeepSpeed's pointer to the newest universal form (its converter writes it; we load by tag)."""


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
         keep: int, is_main: bool, world_size: int, global_batch: int, also_keep: set[str] = frozenset(),
         spikes: dict[str, Any] | None = None) -> str:
    """Save a checkpoint at `step` (all ranks call) and drop all but the newest `keep` and those in `also_keep`
    (the checkpoints from before loss spikes). `spikes`: the spike watch's state, restored on resume."""
    tag = tag_for(step)
    record = {"step": step, "samples": samples, "world_size": world_size, "global_batch": global_batch}
    client = {**record, "rng": all_ranks(rng_state()), "settings": settings, "spikes": spikes}
    engine.save_checkpoint(str(checkpoint_dir), tag=tag, client_state=client, save_latest=False)
    # DeepSpeed's save ends without a barrier: rank 0 would write the record and `latest` while other ranks
    # still write their partitions, and a kill then would leave `latest` naming a torn checkpoint.
    if dist.is_initialized():
        dist.barrier()
    if is_main:
        (Path(checkpoint_dir) / tag / RECORD).write_text(json.dumps(
            {**record, "settings": settings}, indent=2, default=str) + "\n")
        _point_latest_at(Path(checkpoint_dir), tag)
        _prune(Path(checkpoint_dir), keep, also_keep)
    if dist.is_initialized():
        dist.barrier()
    return tag


def _point_latest_at(checkpoint_dir: Path, tag: str) -> None:
    """DeepSpeed's `latest` file, replaced in one rename: a kill leaves the old name or the new one,
    never a torn one (which would name no checkpoint and restart the stage from step 0)."""
    partial = checkpoint_dir / ".latest.partial"
    partial.write_text(tag)
    partial.replace(checkpoint_dir / "latest")


def _prune(checkpoint_dir: Path, keep: int, also_keep: set[str] = frozenset()) -> None:
    """Drop all but the newest `keep` checkpoints and those in `also_keep`, each with its universal form;
    once the newest was written at the present number of ranks, no universal form is needed (they hold
    an fp32 copy of the weights and optimizer state each)."""
    tags = sorted(checkpoint_steps(checkpoint_dir))
    for old in tags[:-keep] if keep > 0 else []:
        if old not in also_keep:
            shutil.rmtree(checkpoint_dir / old, ignore_errors=True)
    for universal in checkpoint_dir.glob(f"*{UNIVERSAL_SUFFIX}*"):  # and a conversion's leftover .partial
        if universal.is_dir():
            shutil.rmtree(universal, ignore_errors=True)
    (checkpoint_dir / LATEST_UNIVERSAL).unlink(missing_ok=True)


def checkpoint_steps(checkpoint_dir: str | Path) -> dict[str, int]:
    """The checkpoints in `checkpoint_dir` (not their universal forms): tag -> step."""
    checkpoint_dir = Path(checkpoint_dir)
    if not checkpoint_dir.is_dir():
        return {}
    named = ((p, TAG.match(p.name)) for p in checkpoint_dir.iterdir() if p.is_dir())
    return {p.name: int(match.group(1)) for p, match in named if match}


def rewind(checkpoint_dir: str | Path, step: int) -> str | None:
    """Remove the checkpoints after `step` (with their universal forms) and point `latest` at the newest
    one left, which is returned; None when none is left (nothing is removed then)."""
    checkpoint_dir = Path(checkpoint_dir)
    steps = checkpoint_steps(checkpoint_dir)
    kept = sorted(tag for tag, at in steps.items() if at <= step)
    if not kept:
        return None
    _point_latest_at(checkpoint_dir, kept[-1])  # first: a kill below leaves `latest` at a kept checkpoint
    for tag, at in steps.items():
        if at > step:
            shutil.rmtree(checkpoint_dir / (tag + UNIVERSAL_SUFFIX), ignore_errors=True)
            shutil.rmtree(checkpoint_dir / tag, ignore_errors=True)
    return kept[-1]


@dataclass(frozen=True)
class ResumePoint:
    """The checkpoint a run resumes from, as its record says."""

    checkpoint_dir: str
    tag: str
    step: int
    samples: int
    world_size: int | None
    """ranks that wrote it; None for a record-less checkpoint (only one saved before `save` wrote
    `latest` after the record: a job killed between the two), which is taken to be of this run's."""
    global_batch: int | None
    """samples per optimizer step it trained with (micro_batch x grad_accum x ranks)."""

    @property
    def where(self) -> str:
        return f"{self.checkpoint_dir}/{self.tag}"

    @property
    def universal_tag(self) -> str:
        return self.tag + UNIVERSAL_SUFFIX

    def other_world_size(self, world_size: int) -> bool:
        return self.world_size is not None and self.world_size != world_size


def resume_point(checkpoint_dir: str | Path) -> ResumePoint | None:
    """The latest checkpoint in `checkpoint_dir` and its record, or None when there is none."""
    tag = latest_tag(checkpoint_dir)
    if tag is None:
        return None
    path = Path(checkpoint_dir) / tag / RECORD
    record = json.loads(path.read_text()) if path.is_file() else {}
    named = TAG.match(tag)
    step = int(record.get("step", named.group(1) if named else 0))
    samples = int(record.get("samples", 0))
    # Records written before the global batch was kept: samples consumed / steps done.
    global_batch = record.get("global_batch") or (samples // step if step and samples else None)
    return ResumePoint(str(checkpoint_dir), tag, step, samples, record.get("world_size"), global_batch)


class GlobalBatchUnsplittable(UserError):
    """The stage's micro-batch does not divide the global batch a checkpoint trained with."""


def global_batch_to_resume(point: ResumePoint | None, micro_batch: int, grad_accum: int, world_size: int) -> int:
    """The global batch (samples per optimizer step) of a run: its checkpoint's, or from the config
    (micro_batch x grad_accum x ranks) when it starts afresh or the checkpoint has no record of it.

    Keeping the checkpoint's keeps the stage's data plan (its budget is steps x global batch), the
    samples each step reads and the learning rate's meaning at any world size; only how a step's
    samples fall on ranks and micro-steps changes (xuanyuan.train.data.rank_batches).
    """
    if point is None or point.global_batch is None:
        return micro_batch * grad_accum * world_size
    if point.global_batch % micro_batch:
        raise GlobalBatchUnsplittable(
            f"{point.where} trained with a global batch of {point.global_batch} samples per step; the stage's "
            f"micro_batch {micro_batch} does not divide it. Resume with a micro_batch that does, or delete "
            f"{point.checkpoint_dir} to train the stage from step 0")
    return point.global_batch


class WorldSizeChanged(UserError):
    """The checkpoint was written by another number of ranks than this run has."""


def world_size_changed(point: ResumePoint, world_size: int) -> WorldSizeChanged:
    """The error for a checkpoint of `point.world_size` ranks met by a run of `world_size` that may not convert it.

    ZeRO partitions the optimizer state (and at stage 3 the weights) by rank, so the checkpoint loads
    as it is only at its own data-parallel size. Stopping keeps the checkpoint; removing it silently
    would throw away the stage's training so far.
    """
    return WorldSizeChanged(
        f"{point.where} was written by {point.world_size} ranks and this run has {world_size}: a ZeRO checkpoint "
        f"loads as it is only at the same data-parallel size. Set pretrain.resume_across_world_sizes: true to "
        f"resume through DeepSpeed's universal checkpoint (the global batch is kept; the conversion writes an fp32 "
        f"copy of the weights and optimizer state beside it), set the stage's resources back to {point.world_size} "
        f"devices (resources.<group>.nodes x gpus_per_node on GPUs, pretrain.processes on CPU), or delete "
        f"{point.checkpoint_dir} to train the stage from step 0")


def tag_to_load(point: ResumePoint, world_size: int) -> str:
    """The checkpoint `point` as a run of `world_size` ranks loads it: itself, or at another world size
    its universal form (made by xuanyuan.train.reshard before the workers start; a run that may not
    convert it stops here, before its model is built)."""
    if not point.other_world_size(world_size):
        return point.tag
    if not (Path(point.checkpoint_dir) / point.universal_tag).is_dir():
        raise world_size_changed(point, world_size)
    return point.universal_tag


def resume(engine, point: ResumePoint | None, rank: int, world_size: int) -> tuple[int, int, dict | None] | None:
    """Load the checkpoint at `point` into `engine` (the engine was built with
    `checkpoint.load_universal` when `tag_to_load` gives the universal form); returns (step, samples
    consumed, the spike watch's state or None), or None when there is no checkpoint."""
    if point is None:
        return None
    tag = tag_to_load(point, world_size)
    path, client = engine.load_checkpoint(point.checkpoint_dir, tag=tag, load_optimizer_states=True,
                                          load_lr_scheduler_states=True)
    if path is None:
        raise RuntimeError(f"{point.checkpoint_dir}/{tag}: DeepSpeed could not load it; delete the directory "
                           "to start over")
    states = client.get("rng") or []
    # At another world size rank r takes old rank r's streams where there is one: they do not carry
    # over exactly, but nothing in training draws from them (no dropout; the data order is by index).
    if rank < len(states):
        set_rng_state(states[rank])
    return int(client["step"]), int(client["samples"]), client.get("spikes")
