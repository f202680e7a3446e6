"""Each bf16 gradient into DeepSpeed's fp32 accumulation buffer in one pass, and no zeroing of the buffer.

DeepSpeed's BF16 optimizer (our `precision: bf16` under ZeRO-1, in any number of processes) keeps
an fp32 gradient buffer beside the bf16 model. As it ships, it adds each micro-batch's gradient in
as `buffer.add_(grad.to(fp32))`: a cast into a fresh fp32 tensor, then an add that reads it back
(18 bytes per parameter); and it zeroes the whole buffer after every step, twice (in its step and
again in the engine's zero_grad: 8 bytes). Here the first gradient of a step is copied into the
buffer, widened in the same pass (6 bytes), later ones are added with the widening inside the add
(10 bytes), and the buffer is never zeroed: the step's first copy overwrites it. One optimizer step
of one micro-batch moves 52 bytes per parameter instead of 72 (bench/optimizer_traffic.py), on the
70B-shaped slice 81 GB less per step.

The weights are bit for bit DeepSpeed's: widening bf16 to fp32 is exact, so a copy equals zero
plus the gradient and the fused add equals the add of the cast (tests/train/test_bf16_accumulation.py).
A parameter that got no gradient in a step (a branch the batch did not take) is zeroed before its
buffer is read, by the reduction or the step, as DeepSpeed's zeroed buffer would read.

One difference is visible from outside: between a step and the next backward the buffer still holds
the last step's gradients, where DeepSpeed's reads zero (`deepspeed.utils.safe_get_full_grad` at
that moment, which the trainer never calls).
"""

from __future__ import annotations

import logging

import torch
from deepspeed.runtime.bf16_optimizer import BF16_Optimizer

log = logging.getLogger(__name__)

# What the subclass relies on in DeepSpeed's BF16 optimizer (0.19): checked, so that a DeepSpeed
# without them keeps its own accumulation instead of breaking.
RELIED_ON = ("_update_hp_grad", "clear_hp_grads", "get_grads_for_reduction", "fp32_groups_gradients",
             "fp32_groups_has_gradients", "grad_acc_dtype", "has_moe_layers")


class CopyFirstBF16Optimizer(BF16_Optimizer):
    """DeepSpeed's BF16 optimizer with the accumulation of this module's docstring.

    `_hp_grad_current[i][j]`: whether parameter j of group i's fp32 gradient belongs to this step
    (written by a gradient, or zeroed because none came). DeepSpeed's own `fp32_groups_has_gradients`
    keeps its meaning (a gradient came), which its norm reads.
    """

    _hp_grad_current: list[list[bool]]

    def _forget_hp_grads(self) -> None:
        self._hp_grad_current = [[False] * len(group) for group in self.fp32_groups_gradients]

    @torch.no_grad()
    def _update_hp_grad(self, lp, group_idx, param_idx, clear_lp_grads):
        if lp.grad is None:
            return
        hp_grad = self.fp32_groups_gradients[group_idx][param_idx]
        grad = lp.grad.data.view(hp_grad.shape)
        if self._hp_grad_current[group_idx][param_idx]:
            hp_grad.add_(grad)  # a mixed-dtype add widens the bf16 values inside the kernel
        else:
            hp_grad.copy_(grad)  # the step's first gradient: the buffer's old content is dead
        self._hp_grad_current[group_idx][param_idx] = True
        self.fp32_groups_has_gradients[group_idx][param_idx] = True
        lp._hp_grad = hp_grad
        if clear_lp_grads:
            lp.grad.zero_()

    @torch.no_grad()
    def zero_hp_grads_without_gradient(self) -> None:
        """Zero the fp32 gradients of the parameters no micro-batch of this step reached."""
        for group, current in zip(self.fp32_groups_gradients, self._hp_grad_current):
            stale = [grad for grad, is_current in zip(group, current) if not is_current]
            if stale:
                torch._foreach_zero_(stale)
            current[:] = [True] * len(current)

    def clear_hp_grads(self):
        """Forget the gradients instead of zeroing them: the next step's first copy overwrites each."""
        self._forget_hp_grads()
        for i, group in enumerate(self.fp32_groups_gradients):
            self.fp32_groups_has_gradients[i] = [False] * len(group)

    def get_grads_for_reduction(self):
        self.zero_hp_grads_without_gradient()
        return super().get_grads_for_reduction()

    def step(self, closure=None):
        self.zero_hp_grads_without_gradient()
        return super().step(closure)


def accumulate_by_copy_first(engine) -> bool:
    """Switch a DeepSpeed engine's BF16 optimizer to CopyFirstBF16Optimizer, where it applies: the plain
    BF16 optimizer (no mixture of experts, no expert-parallel folding, no Muon) accumulating in fp32,
    before the first backward. Returns whether it was switched."""
    optimizer = engine.optimizer
    if type(optimizer) is not BF16_Optimizer:
        return False
    missing = [name for name in RELIED_ON if not hasattr(optimizer, name)]
    if missing:
        log.warning("DeepSpeed's BF16 optimizer lacks %s: keeping its own gradient accumulation", ", ".join(missing))
        return False
    if optimizer.grad_acc_dtype is not torch.float32:
        return False
    if optimizer.has_moe_layers or getattr(optimizer, "autoep_folding_tp_group", None) is not None \
            or getattr(optimizer, "_uses_muon", False):
        return False
    if any(any(flags) for flags in optimizer.fp32_groups_has_gradients):
        raise RuntimeError("accumulate_by_copy_first must be called before the first backward")
    optimizer.__class__ = CopyFirstBF16Optimizer  # the same object and buffers: DeepSpeed's hooks call our methods
    optimizer._forget_hp_grads()
    log.info("bf16 gradients are copied, then added, into DeepSpeed's fp32 buffer (xuanyuan.train.bf16_accumulation)")
    return True
