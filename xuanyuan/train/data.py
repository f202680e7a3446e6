"""Micro-batches for one rank from the curriculum sampler, by global sample index (resumable, rank-count aware).

Layout: micro-batch group g (optimizer step s, micro-step m: g = s*G + m) covers global samples
[g*W*B, (g+1)*W*B); rank r of W takes the B samples starting at g*W*B + r*B. A checkpoint stores
the number of samples consumed by all ranks, so a resumed run continues from the next one.
A pretraining stage reads exactly its budget (steps x global batch) through `StageCurriculum`:
every mixing phase in order, each its share of the budget (subsampled or repeated in place); the
trainer logs the plan. SFT rows start over when the steps need more than one pass (epochs). `model_inputs` turns a collated batch into the model's keyword arguments,
with the document boundaries that keep attention inside each packed document (train/attention.py).
"""

from __future__ import annotations

from typing import Any, Iterator, Protocol, Sequence

import numpy as np
import torch

from xuanyuan.tokdata import PhaseSampler, StageCurriculum
from xuanyuan.train.attention import packed_attention_inputs

BATCH_KEYS = ("input_ids", "labels", "position_ids")


def open_sampler(data: Sequence[tuple[str, Sequence[str]]], seq_length: int, seed: int,
                 order_key: str = "") -> PhaseSampler:
    """The curriculum over `[(phase, [prefix, ...]), ...]` at `seq_length` tokens per sample
    (`order_key`: the stage, whose own shuffle of each phase it is)."""
    if not data:
        raise ValueError("no training data: give at least one (phase, [prefix]) pair")
    return PhaseSampler([(phase, list(prefixes)) for phase, prefixes in data], seq_length, seed, order_key)


def open_training_data(job, seq_length: int, seed: int, samples: int):
    """What a job trains on: its SFT rows when it has them, else its stage's `samples` over the curriculum."""
    if job.sft_rows is not None:
        from xuanyuan.sft.rows import SftRows

        return SftRows(job.sft_rows, seq_length, seed)
    return StageCurriculum(open_sampler(job.data, seq_length, seed, order_key=job.stage), samples)


def collate(samples: Sequence[dict[str, np.ndarray]]) -> dict[str, torch.Tensor]:
    """Stack samples into a batch of int64 tensors (input_ids, labels, position_ids)."""
    return {key: torch.from_numpy(np.stack([s[key] for s in samples])) for key in BATCH_KEYS}


def model_inputs(batch: dict[str, torch.Tensor], *, attn_implementation: str, dtype: torch.dtype,
                 device: torch.device | str) -> dict[str, Any]:
    """Keyword arguments of `model(...)` for a collated batch: tokens, per-document positions, and the
    document boundaries in the form `attn_implementation` takes (a mask, or flash varlen offsets)."""
    inputs = {"input_ids": batch["input_ids"].to(device), "position_ids": batch["position_ids"].to(device),
              "use_cache": False}
    # From the CPU positions: the flash offsets' max length is then an int without a device sync.
    inputs.update(packed_attention_inputs(batch["position_ids"], attn_implementation, dtype=dtype, device=device))
    return inputs


class Samples(Protocol):
    """A pretraining curriculum (PhaseSampler) or SFT rows (SftRows): indexable sample dicts."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> dict[str, np.ndarray]: ...


def rank_batches(sampler: Samples, *, micro_batch: int, world_size: int, rank: int,
                 start_sample: int) -> Iterator[dict[str, torch.Tensor]]:
    """Endless micro-batches of this rank, starting at global sample `start_sample` (a multiple of W*B)."""
    per_group = micro_batch * world_size
    if start_sample % per_group:
        raise ValueError(f"start sample {start_sample} is not a multiple of micro_batch*world_size = {per_group}")
    total = len(sampler)
    if total == 0:
        raise ValueError("the training data has no sample of this length; use a shorter seq_length or more data")
    group = start_sample // per_group
    while True:
        first = group * per_group + rank * micro_batch
        yield collate([sampler[(first + j) % total] for j in range(micro_batch)])
        group += 1
