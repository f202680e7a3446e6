"""Export one checkpoint of a stage as a Hugging Face directory: any kept step, also while the stage trains.

`python -m xuanyuan.train export <checkpoint_dir> --out DIR [--step N]`

A stage's output is its export at the last step. Evaluating it part-way (step 5,000 of 20,000), or the
checkpoint kept before a loss spike, needs the same thing from a checkpoint: the ZeRO partitions gathered,
the fp32 masters (not the engine's bf16 copy), frozen weights at full precision, the stage's config
(vocabulary, RoPE) and the tokenizer. So the export runs the stage's own code: a job like the stage's,
launched like training (torchrun, one process per device), builds the engine and loads the checkpoint as
a resume does, and exports as the stage's end does. The export of the last step's checkpoint is the
stage's own export, bitwise.

Nothing in the stage's directory changes, and a stage still training is not disturbed:
- the checkpoint is first snapshotted by hard links into `<checkpoint_dir>/.export-<tag>-*` (checkpoint
  files are written once and never changed, so the links are a consistent copy, and the stage's pruning
  cannot take them away mid-read); the export job's checkpoints, job file and messages live there;
- the job neither trains, nor checkpoints, nor opens the stage's metrics file;
- the snapshot, with a universal form made in it, is removed at the end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

from xuanyuan.errors import UserError
from xuanyuan.train import checkpoint
from xuanyuan.train.job import TrainJob

log = logging.getLogger(__name__)

SNAPSHOT_PREFIX = ".export-"
JOB_FILE = "job.json"
"""The job file the launcher writes beside a stage's checkpoints (xuanyuan.train.launch)."""


def stage_job(checkpoint_dir: str | Path) -> TrainJob:
    """The job that wrote the checkpoints in `checkpoint_dir`."""
    path = Path(checkpoint_dir) / JOB_FILE
    if not path.is_file():
        raise UserError(f"{checkpoint_dir}: no {JOB_FILE}, so this is not a stage's checkpoint directory (the "
                        "launcher writes one beside the checkpoints it makes). Give the directory that holds "
                        "step<N>/ and latest, e.g. checkpoints/<stage>")
    job = TrainJob.from_json(path)
    if Path(job.checkpoint_dir).resolve() != Path(checkpoint_dir).resolve():
        # The pipeline's jobs name their files relative to the workspace (where snakemake ran).
        named = Path(job.checkpoint_dir)
        here = Path(checkpoint_dir).resolve()
        root = here.parents[len(named.parts) - 1] if here.parts[-len(named.parts):] == named.parts else None
        where = f"cd {root} first" if root is not None else "run it from the directory snakemake ran in"
        raise UserError(f"{path} names its files relative to the directory the stage ran in "
                        f"(checkpoint_dir {job.checkpoint_dir}, which is not {checkpoint_dir} from here): {where}")
    return job


def choose_tag(checkpoint_dir: str | Path, step: int | None) -> str:
    """The checkpoint of `step`, or the one `latest` names."""
    steps = checkpoint.checkpoint_steps(checkpoint_dir)
    if step is None:
        tag = checkpoint.latest_tag(checkpoint_dir)
        if tag is None:
            raise UserError(f"{checkpoint_dir}: no checkpoint yet (no `latest`); the stage writes one every "
                            "pretrain.checkpoint_every steps")
        return tag
    tag = checkpoint.tag_for(step)
    if tag not in steps:
        kept = ", ".join(str(at) for at in sorted(steps.values())) or "none"
        raise UserError(f"{checkpoint_dir}: no checkpoint of step {step}; the steps kept are {kept} "
                        "(pretrain.keep_checkpoints keeps the newest; spikes.keep_checkpoint the one before a spike)")
    latest = checkpoint.latest_tag(checkpoint_dir)
    if latest is None or step > steps.get(latest, -1):
        # `latest` moves to a checkpoint only once every rank has written it.
        raise UserError(f"{checkpoint_dir}/{tag} is newer than the last complete checkpoint ({latest or 'none'}): "
                        "it is still being written. Export it once `latest` names it, or export an older step")
    return tag


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # a filesystem without hard links: a copy is as consistent, only slower
        shutil.copy2(source, target)


@contextlib.contextmanager
def snapshot(checkpoint_dir: str | Path, tag: str) -> Iterator[Path]:
    """A directory holding checkpoint `tag` of `checkpoint_dir` (hard links) and a `latest` naming it; removed after."""
    root = Path(tempfile.mkdtemp(prefix=f"{SNAPSHOT_PREFIX}{tag}-", dir=checkpoint_dir))
    try:
        try:
            shutil.copytree(Path(checkpoint_dir) / tag, root / tag, copy_function=_link_or_copy)
        except (FileNotFoundError, shutil.Error) as error:
            raise UserError(f"{checkpoint_dir}/{tag} went while it was being snapshotted: the stage pruned it "
                            f"(pretrain.keep_checkpoints). Export a newer checkpoint ({error})") from error
        (root / "latest").write_text(tag)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def export_job(stage: TrainJob, snapshot_dir: Path, out_dir: str | Path, export_of: str) -> TrainJob:
    """`stage`'s job pointed at the snapshot: it exports its checkpoint to `out_dir` and writes nowhere else."""
    return dataclasses.replace(stage, out_dir=str(out_dir), checkpoint_dir=str(snapshot_dir),
                               metrics_path=str(snapshot_dir / "metrics.jsonl"), tensorboard_dir=None,
                               validation=None, train=dict(stage.train), export_of=export_of)


def check_world_size(job: TrainJob, world_size: int, convert: bool) -> None:
    """Stop with the fix when the checkpoint is of another number of ranks and converting it is not asked for."""
    point = checkpoint.resume_point(job.checkpoint_dir)
    if point is None or not point.other_world_size(world_size) or convert:
        return
    raise UserError(
        f"{job.export_of} was written by {point.world_size} ranks and this export runs {world_size}: a ZeRO "
        f"checkpoint loads as it is only at its own number of ranks. Export with {point.world_size} "
        f"(--processes {point.world_size} on CPU, --gpus on GPUs), or pass --convert to load it through "
        "DeepSpeed's universal form (written into the snapshot, an fp32 copy of the weights and optimizer "
        "state, and removed with it)")


def export_checkpoint(checkpoint_dir: str | Path, out_dir: str | Path, *, step: int | None = None,
                      convert: bool = False, processes: int | None = None, threads: int | None = None,
                      gpus: int | None = None, log_path: str | Path | None = None,
                      in_process: bool = False) -> dict[str, Any]:
    """Export the checkpoint of `step` (default: the latest) in `checkpoint_dir` to `out_dir`; returns the
    export's summary (its xuanyuan_train.json, with `exported_from`). `processes`: ranks on CPU (default: the
    stage's); `in_process`: one rank in this process instead of torchrun (tests)."""
    from xuanyuan.train.launch import launch, processes_per_node, run_in_process

    stage = stage_job(checkpoint_dir)
    tag = choose_tag(checkpoint_dir, step)
    if Path(out_dir).resolve() == Path(stage.out_dir).resolve():
        raise UserError(f"--out {out_dir} is the stage's own output (a rule's output, written when the stage "
                        "ends); export to another directory")
    with snapshot(checkpoint_dir, tag) as root:
        job = export_job(stage, root, out_dir, f"{Path(checkpoint_dir)}/{tag}")
        if processes is not None:
            job.train["processes"] = processes
        world_size = 1 if in_process else processes_per_node(job, gpus)
        check_world_size(job, world_size, convert)
        job.train["resume_across_world_sizes"] = True  # converting is allowed now, or not needed
        log.info("exporting %s (step %d of %s) to %s on %d rank(s)", job.export_of,
                 int(checkpoint.TAG.match(tag).group(1)), stage.stage, out_dir, world_size)
        if in_process:
            return run_in_process(job)
        return launch(job, threads=threads, gpus=gpus, log_path=log_path)
