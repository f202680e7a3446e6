"""The learning-rate schedule: linear warmup, then cosine or linear decay to `min_lr_ratio`, or constant.

Ours rather than DeepSpeed's `WarmupCosineLR`/`WarmupDecayLR`/`WarmupLR`: those start at iteration -1
and warm up as iteration / warmup, so the first two optimizer steps of every stage ran at lr 0 (the
first one even with `warmup_steps: 0`), the cosine never applied the peak lr, and `WarmupLR` and
`WarmupDecayLR` refuse `warmup_steps: 0` inside `deepspeed.initialize` (after a 70B model has loaded).

`lr_factor(k)` is the factor of the peak lr that optimizer step k (0-based) applies:
- warmup, k < W: (k + 1) / W, so step 1 already trains and step W is at the peak;
- then, over the D = steps - W remaining steps, t = (k - W) / (D - 1) runs from 0 to 1:
  cosine: r + (1 - r)(1 + cos(pi t)) / 2; linear: 1 - (1 - r) t; constant: 1; r = min_lr_ratio.
  The first step after warmup is at the peak and the last step at r exactly.
A stage's restarts multiply it from their steps on (StageSettings.lr_scale).
`torch.optim.lr_scheduler.LambdaLR` applies it; DeepSpeed steps it at each accumulation boundary and
saves and restores its state with the checkpoint.
"""

from __future__ import annotations

import math
from typing import Callable

SCHEDULERS = ("cosine", "linear", "constant")


def lr_factor(step: int, *, steps: int, warmup: int, kind: str, min_ratio: float) -> float:
    """The factor of the peak lr at optimizer step `step` (0-based) of `steps`."""
    if kind not in SCHEDULERS:
        raise ValueError(f"pretrain.scheduler = {kind!r}: use one of {', '.join(SCHEDULERS)}")
    warmup = min(warmup, steps)
    if step < warmup:
        return (step + 1) / warmup
    if kind == "constant":
        return 1.0
    decay_steps = steps - warmup
    t = min(1.0, (step - warmup) / max(decay_steps - 1, 1))
    if kind == "cosine":
        return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * t))
    return 1.0 - (1.0 - min_ratio) * t


def lr_schedule(train, stage) -> Callable:
    """`optimizer -> LambdaLR` for `deepspeed.initialize(lr_scheduler=...)`, which calls it with the optimizer it built."""
    from torch.optim.lr_scheduler import LambdaLR

    kind, steps, warmup, min_ratio = train.scheduler, stage.steps, stage.warmup_steps, stage.min_lr_ratio
    lr_factor(0, steps=steps, warmup=warmup, kind=kind, min_ratio=min_ratio)  # a bad kind fails before the engine

    def factor(step: int) -> float:
        # A restart's lr_scale multiplies the schedule from its step on (StageSettings.restarts).
        return lr_factor(step, steps=steps, warmup=warmup, kind=kind, min_ratio=min_ratio) * stage.lr_scale(step)

    return lambda optimizer: LambdaLR(optimizer, factor)
