"""Stop a run whose loss or gradient norm is no longer finite, before it writes another checkpoint.

fp32 and bf16 have no loss scaler whose overflows are routine, as fp16's are: a non-finite gradient
there means the run is diverging. DeepSpeed meets one differently by path: its BF16 and ZeRO
optimizers skip the step (the weights stay finite, the step trains nothing, and a run whose every
step overflows looks alive while it learns nothing), and without ZeRO the update makes every weight
NaN. Left running, the trainer would checkpoint such weights, point `latest` at them, prune the
older good checkpoints (`keep_checkpoints`) and export the result.

So the trainer keeps each step's loss and gradient norm on the device and checks them when it reads
losses anyway: at a log and before every checkpoint, which costs no extra wait for the device. A
non-finite value on any rank stops every rank with `TrainingDiverged`, which names the step and says
what to change. Retrying as it is would not help: a resumed run replays the same samples in order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch

from xuanyuan.errors import UserError
from xuanyuan.train.checkpoint import TAG
from xuanyuan.train.distributed import all_ranks
from xuanyuan.train.job import SFT_STAGE_KEYS


class TrainingDiverged(UserError):
    """The loss or the gradient norm of a step is NaN or infinite; no checkpoint was written after it."""


def stage_section(stage: str) -> str:
    """Where a stage's schedule sits in the config (for messages)."""
    return f"sft.{SFT_STAGE_KEYS[stage]}.train" if stage in SFT_STAGE_KEYS else f"pretrain.{stage}"


@dataclass
class DivergenceGuard:
    """The losses and gradient norms of the steps not yet checked, left on the device until a check reads them."""

    stage: str
    checkpoint_dir: str
    metrics_path: str
    pending: list[tuple[int, torch.Tensor, Any]] = field(default_factory=list)

    def add(self, step: int, loss: torch.Tensor, grad_norm: Any) -> None:
        """`grad_norm`: the engine's global norm of the step (a tensor, a float, or None without one).
        Kept as it is: DeepSpeed assigns a new value every step, so no copy is needed."""
        self.pending.append((step, loss, grad_norm))

    def check(self, step: int, latest: str | None) -> list[tuple[int, float, float | None]]:
        """Raise TrainingDiverged if the loss or the gradient norm of a pending step is not finite on any
        rank. All ranks call it at the same steps (it gathers over ranks); `step` is the last one trained.
        Returns each pending step's (step, loss averaged over the ranks, gradient norm), read on the host."""
        pending, self.pending = self.pending, []
        if not pending:
            return []
        losses = torch.stack([loss for _, loss, _ in pending]).tolist()  # one copy from the device
        norms = [float(norm) if norm is not None else None for _, _, norm in pending]
        first_here = next(((at, loss, norm) for (at, _, _), loss, norm in zip(pending, losses, norms)
                           if not math.isfinite(loss) or (norm is not None and not math.isfinite(norm))), None)
        # Every rank learns the first bad step anywhere, so all of them stop at this same check.
        gathered = all_ranks((first_here, losses))
        bad = [found for found, _ in gathered if found is not None]
        if bad:
            raise TrainingDiverged(self.message(step, *min(bad, key=lambda found: found[0]), latest))
        # Each rank's loss is its share of the step's token mean; their mean is the step's (Trainer.train_step).
        means = [math.fsum(values) / len(values) for values in zip(*(rank_losses for _, rank_losses in gathered))]
        return [(at, loss, norm) for (at, _, _), loss, norm in zip(pending, means, norms)]

    def message(self, step: int, first: int, loss: float, grad_norm: float | None, latest: str | None) -> str:
        what = f"the loss of step {first} is {loss}" + (f" and its gradient norm {grad_norm}"
                                                          if grad_norm is not None else "")
        kept = (f"The checkpoints in {self.checkpoint_dir} are kept as they were: `latest` names {latest}"
                if latest is not None else f"No checkpoint of this stage was written ({self.checkpoint_dir} has none)")
        section = stage_section(self.stage)
        named = TAG.match(latest or "")
        rewind = (f"To go on from {latest}, add to {section}.restarts an entry {{from_step: {int(named.group(1))}, "
                  "skip_steps: <steps whose samples to pass over>, lr_scale: <e.g. 0.5>}; or " if named else "")
        return (f"training {self.stage} diverged: {what}; stopped at step {step} without writing "
                f"a checkpoint or exporting. {kept}. Rerunning as it is would replay the same samples and "
                f"diverge again. {rewind}lower {section}.lr, lengthen {section}.warmup_steps or lower "
                f"pretrain.grad_clip (a changed schedule trains the stage again from step 0). {self.metrics_path} "
                "has the losses up to here.")
