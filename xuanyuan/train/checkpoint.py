"""Training checkpoints through DeepSpeed (model, optimizer, scheduler) plus our client state.

Client state: the step, the global samples consumed, the RNG states of every rank and the
resolved settings. Layout: `<checkpoint_dir>/step00000050/...` and DeepSpeed's `latest` file,
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
         keep: int, is_main: bool) -> str:
    """Save a checkpoint at `step` (all ranks call) and drop all but the newest `keep`."""
    tag = tag_for(step)
    client = {"step": step, "samples": samples, "rng": all_ranks(rng_state()), "settings": settings}
    engine.save_checkpoint(str(checkpoint_dir), tag=tag, client_state=client)
    if is_main:
        (Path(checkpoint_dir) / tag / "xuanyuan_train.json").write_text(
            json.dumps({"step": step, "samples": samples, "settings": settings}, indent=2, default=str) + "\n")
        _prune(Path(checkpoint_dir), keep)
    if dist.is_initialized():
        dist.barrier()
    return tag


def _prune(checkpoint_dir: Path, keep: int) -> None:
    tags = sorted(p.name for p in checkpoint_dir.iterdir() if p.is_dir() and TAG.match(p.name))
    for old in tags[:-keep] if keep > 0 else []:
        shutil.rmtree(checkpoint_dir / old, ignore_errors=True)


def resume(engine, checkpoint_dir: str | Path, rank: int) -> tuple[int, int] | None:
    """Load the latest checkpoint into `engine`; returns (step, samples consumed) or None when there is none."""
    tag = latest_tag(checkpoint_dir)
    if tag is None:
        return None
    path, client = engine.load_checkpoint(str(checkpoint_dir), tag=tag, load_optimizer_states=True,
                                          load_lr_scheduler_states=True)
    if path is None:
        raise RuntimeError(f"{checkpoint_dir}/{tag}: DeepSpeed could not load it; delete the directory to start over")
    states = client.get("rng") or []
    if rank < len(states):
        set_rng_state(states[rank])
    return int(client["step"]), int(client["samples"])
