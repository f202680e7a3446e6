"""Which parameters a stage trains, and an exact copy of the frozen ones for bf16 runs.

Stage 1 trains only the input embeddings and the LM head. With `precision: bf16`, DeepSpeed
casts the whole module to bf16 and keeps fp32 master weights only for what the optimizer
updates: a frozen weight then exists in bf16 alone, and a model saved from the engine would
silently carry bf16-rounded copies of every frozen fp32 weight. `FrozenMaster` keeps the
frozen weights as they were before the cast (on the exporting rank only, on CPU: one copy of
the frozen part), and the export takes frozen weights from it; under ZeRO-3 it gathers them
from their partitions one at a time. `check_unchanged` is the bitwise check.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import torch
from torch import nn

from xuanyuan.train.zero3 import gathered, is_partitioned

TRAINABLE_CHOICES = ("all", "embeddings")


def embedding_parameter_names(model: nn.Module) -> set[str]:
    """Names of the input-embedding and LM-head parameters (one name when they are tied)."""
    wanted = {id(model.get_input_embeddings().weight)}
    head = model.get_output_embeddings()
    if head is not None:
        wanted.add(id(head.weight))
    return {name for name, p in model.named_parameters() if id(p) in wanted}


def set_trainable(model: nn.Module, trainable: str) -> list[str]:
    """Freeze every parameter but those `trainable` names (all | embeddings); returns the trainable names."""
    if trainable not in TRAINABLE_CHOICES:
        raise ValueError(f"trainable = {trainable!r}: use one of {', '.join(TRAINABLE_CHOICES)}")
    keep = None if trainable == "all" else embedding_parameter_names(model)
    names = []
    for name, param in model.named_parameters():
        param.requires_grad_(keep is None or name in keep)
        if param.requires_grad:
            names.append(name)
    return names


class FrozenMaster:
    """CPU copies of the frozen parameters, taken before the engine casts the model."""

    def __init__(self, tensors: Mapping[str, torch.Tensor]):
        self.tensors = dict(tensors)

    @classmethod
    def capture(cls, model: nn.Module, *, keep: bool = True, is_main: bool = True) -> "FrozenMaster":
        """Copy every frozen parameter on the exporting rank (`is_main`); `keep=False`: an empty master everywhere.

        ZeRO-3 partitioned parameters are gathered one at a time, so every rank must call with the
        same `keep`; a rank that is not `is_main` only takes part in the gathers and keeps nothing.
        """
        tensors: dict[str, torch.Tensor] = {}
        if not keep:
            return cls(tensors)
        for name, param in model.named_parameters():
            if param.requires_grad or not (is_main or is_partitioned(param)):
                continue
            with gathered([param]):
                if is_main:
                    tensors[name] = param.detach().to("cpu", copy=True)
        return cls(tensors)

    def __contains__(self, name: str) -> bool:
        return name in self.tensors

    def __getitem__(self, name: str) -> torch.Tensor:
        return self.tensors[name]

    def __len__(self) -> int:
        return len(self.tensors)


def check_unchanged(reference: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor],
                    names: Iterable[str]) -> list[str]:
    """Names among `names` whose tensor in `state` is not bitwise equal (dtype included) to `reference`."""
    changed = []
    for name in names:
        a, b = reference[name], state[name]
        if a.dtype != b.dtype or a.shape != b.shape or not torch.equal(a.cpu(), b.cpu()):
            changed.append(name)
    return changed
