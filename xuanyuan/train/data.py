"""Micro-batches for one rank from the curriculum sampler, by global sample index (resumable, rank-count aware).

Layout: optimizer step s covers the global samples [s*N, (s+1)*N) of the global batch N, in slots of
B samples (the micro-batch): slot k = m*W + r is micro-step m of rank r of W and takes the samples
starting at s*N + k*B. With N = B x grad_accum x W that is every slot. A run resumed at another world
size keeps its checkpoint's N (xuanyuan.train.checkpoint.global_batch_to_resume); when W x B does not
divide it, the step has ceil(N / (W*B)) micro-steps and the slots past its N samples are padding:
a real sample with every label ignored, so it adds nothing to the loss or the gradient (its weight
in the trainer's token mean is 0). A checkpoint stores the number of samples consumed by all
ranks, so a resumed run continues from the next one.
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
IGNORE_INDEX = -100
"""A label the loss ignores (Hugging Face's default; xuanyuan.train.loss)."""
PADDING = "padding"
"""Key present in a padding micro-batch (one that fills a slot past the step's global batch)."""


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


def micro_steps(global_batch: int, micro_batch: int, world_size: int) -> int:
    """Micro-steps per optimizer step that cover `global_batch` samples with `world_size` ranks of
    `micro_batch` (the last one partly padding when they do not divide it)."""
    if global_batch % micro_batch:
        raise ValueError(f"a global batch of {global_batch} samples is not a whole number of micro-batches of "
                         f"{micro_batch}")
    return -(-global_batch // (micro_batch * world_size))


def rank_batches(sampler: Samples, *, micro_batch: int, world_size: int, rank: int, start_sample: int,
                 global_batch: int) -> Iterator[dict[str, torch.Tensor]]:
    """Endless micro-batches of this rank, `micro_steps(...)` per optimizer step, from global sample
    `start_sample` (a multiple of `global_batch`); a padding one carries the key PADDING."""
    if start_sample % global_batch:
        raise ValueError(f"start sample {start_sample} is not a multiple of the global batch {global_batch}")
    total = len(sampler)
    if total == 0:
        raise ValueError("the training data has no sample of this length; use a shorter seq_length or more data")
    steps, slots = start_sample // global_batch, global_batch // micro_batch
    per_step = micro_steps(global_batch, micro_batch, world_size)
    while True:
        for micro_step in range(per_step):
            slot = micro_step * world_size + rank
            first = steps * global_batch + min(slot, slots - 1) * micro_batch
            batch = collate([sampler[(first + j) % total] for j in range(micro_batch)])
            if slot >= slots:
                # The step's last real samples, with nothing to learn from them: the forward and
                # backward run (every rank must take part in each micro-step's collectives) and add 0.
                batch["labels"] = torch.full_like(batch["labels"], IGNORE_INDEX)
                batch[PADDING] = torch.ones((), dtype=torch.bool)
            yield batch
        steps += 1
