"""Resume a stage at another number of ranks: its checkpoint converted to DeepSpeed's universal form.

ZeRO saves the optimizer state (and at stage 3 the weights) in one file per rank, each holding its
partition of flat buffers, so a checkpoint loads as it is only at the world size that wrote it.
DeepSpeed's `ds_to_universal` rewrites it with every parameter whole (fp32 weights, AdamW moments
and step, a directory per parameter); an engine built with `checkpoint.load_universal` loads its own
partitions from that at any world size. On a cluster that is a node lost (or gained) in the middle
of a stage: the stage goes on from its last checkpoint instead of from step 0.

The launcher converts, in one process before the workers start, when `pretrain.resume_across_world_sizes`
allows it: a 70B conversion reads and writes 12-18 bytes per parameter (bench/reshard.py), longer than a process
group would wait in a collective. The converted copy lies beside its checkpoint as `<tag>_universal`
and goes at the next checkpoint (xuanyuan.train.checkpoint._prune). The resumed run keeps the global
batch (checkpoint.global_batch_to_resume), so it reads the same samples in the same steps; when the new
ranks do not divide it, the last micro-step of some ranks is padding (data.rank_batches), compute that
adds nothing. Its losses differ from an uninterrupted run's only by the order in which the gradients
are summed (tested).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Sequence

from xuanyuan.train.checkpoint import (
    LATEST_UNIVERSAL, ResumePoint, global_batch_to_resume, resume_point, world_size_changed,
)
from xuanyuan.train.data import micro_steps
from xuanyuan.train.job import TrainJob
from xuanyuan.train.settings import train_settings

log = logging.getLogger(__name__)

Runner = Callable[[Sequence[str]], int]

MAX_WORKERS = 8
"""Converter processes at most: each of its extract workers holds one rank's optimizer file in memory
(for the 70B recipe's 128 ranks about 6.5 GB), so a node's 96 threads would want 600 GB."""


def _run_here(cmd: Sequence[str]) -> int:
    return subprocess.run(list(cmd)).returncode


def prepare_resume(job: TrainJob, world_size: int, *, workers: int = 1, run: Runner = _run_here) -> ResumePoint | None:
    """Make `job`'s checkpoint loadable by `world_size` ranks; returns the point it resumes from.

    Stops with the fix (a UserError) when the checkpoint is of another world size and the config
    does not allow converting it, or when the stage's micro-batch does not divide the global batch
    it trained with; converts it (`run` runs the command, `workers` processes) otherwise.
    """
    point = resume_point(job.checkpoint_dir)
    if point is None or not point.other_world_size(world_size):
        return point
    settings = train_settings(job.train)
    if not settings.resume_across_world_sizes:
        raise world_size_changed(point, world_size)
    stage = settings.stage(job.stage)
    batch = global_batch_to_resume(point, stage.micro_batch, stage.grad_accum, world_size)
    target = Path(point.checkpoint_dir) / point.universal_tag
    if not target.is_dir():
        convert_to_universal(point, workers=workers, run=run)
    steps = micro_steps(batch, stage.micro_batch, world_size)
    padding = steps * world_size - batch // stage.micro_batch
    log.info("%s: %d ranks resume the checkpoint of %d from its universal form, %d micro-steps of micro-batch %d "
             "per step keeping the global batch of %d%s", point.where, world_size, point.world_size, steps,
             stage.micro_batch, batch, f" ({padding} padding micro-batches per step, "
             f"{padding / (steps * world_size):.1%} of the compute)" if padding else "")
    return point


def conversion_command(point: ResumePoint, output: Path, workers: int) -> list[str]:
    """DeepSpeed's converter over `point`. `--inject_missing_state` adds the version record a
    Megatron-DeepSpeed client writes into its checkpoints and ours has no other use for."""
    return [sys.executable, "-m", "deepspeed.checkpoint.ds_to_universal", "--input_folder", point.where,
            "--output_folder", str(output), "--num_extract_workers", str(workers),
            "--num_merge_workers", str(workers), "--inject_missing_state"]


def convert_to_universal(point: ResumePoint, *, workers: int = 1, run: Runner = _run_here) -> Path:
    """Write `<tag>_universal` beside the checkpoint: into a hidden directory first, renamed when
    complete, so a conversion killed half-way is redone, never loaded."""
    target = Path(point.checkpoint_dir) / point.universal_tag
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    log.info("converting %s (%d ranks) to DeepSpeed's universal checkpoint", point.where, point.world_size)
    returncode = run(conversion_command(point, partial, min(max(1, workers), MAX_WORKERS)))
    if returncode != 0:
        raise RuntimeError(f"converting {point.where} to DeepSpeed's universal checkpoint failed (exit {returncode}); "
                           f"the checkpoint itself is untouched")
    partial.rename(target)
    # The converter pointed DeepSpeed's `latest_universal` at the hidden directory.
    (target.parent / LATEST_UNIVERSAL).write_text(target.name)
    return target
