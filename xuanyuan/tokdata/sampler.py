"""The training order: mixing phases one after another, samples shuffled within each phase.

`PhaseSampler` is every sample of every phase once. `StageCurriculum` is what one training stage
reads: its sample budget (steps x global batch) spread over the phases in proportion to their
sizes, so a stage that trains on fewer samples than the phases hold still goes through every phase
in order (the finance share rising to its last phase's), and one that trains on more repeats each
phase in place rather than starting the curriculum over.
"""

from __future__ import annotations

import bisect
import itertools
import os
import zlib
from typing import Iterator, Sequence, Union

import numpy as np

from xuanyuan.tokdata.packing import PackedSamples, Sample
from xuanyuan.tokdata.reader import IndexedDataset

DatasetLike = Union[IndexedDataset, str, os.PathLike]
PhaseInput = tuple[str, Union[DatasetLike, Sequence[DatasetLike]]]


class PhaseSampler:
    """A curriculum over phases: every sample of phase 1 (in a seeded shuffle), then phase 2, ...

    A phase is one pair or a list of pairs; each pair is packed on its own (PackedSamples), so
    a sample never spans two files (merge them first to keep their remainders). Global index
    g maps to (phase, position in the phase's permutation) by a binary search over the phase
    sizes, then to (pair, sample) likewise; nothing is materialised but one permutation per
    phase (int32/int64, O(samples)), built when the phase is first touched.

    The permutation of a phase depends only on (seed, phase name, order_key) and uses NumPy's
    RandomState, whose stream NumPy keeps frozen across versions: a run resumed after an upgrade
    sees the same order. `order_key` (the training stage) gives each stage its own shuffle, so
    stage 2 does not begin by replaying stage 1's samples in stage 1's order. `iter_from(k)`
    yields exactly samples k, k+1, ... of the full order.
    """

    def __init__(self, datasets_by_phase: Sequence[PhaseInput], seq_length: int, seed: int, order_key: str = ""):
        if not 0 <= seed < 2**32:
            raise ValueError(f"seed must be in [0, 2**32), got {seed}")
        names = [name for name, _ in datasets_by_phase]
        if len(set(names)) != len(names):
            raise ValueError(f"phase names must be unique, got {names}")
        self.seq_length = seq_length
        self.seed = seed
        self.order_key = order_key
        self.phase_names = names
        self._packs: list[list[PackedSamples]] = [
            [PackedSamples(_open(item), seq_length) for item in _as_list(datasets)] for _, datasets in datasets_by_phase
        ]
        # pack_ends[p][j]: samples in the first j+1 pairs of phase p; phase_ends likewise over phases.
        # Plain lists: bisect on a short list is ~20x faster than np.searchsorted on a scalar.
        self._pack_ends = [list(itertools.accumulate(len(pack) for pack in packs)) for packs in self._packs]
        self._phase_ends = list(itertools.accumulate(ends[-1] if ends else 0 for ends in self._pack_ends))
        self._perms: dict[int, np.ndarray] = {}
        self._len = self._phase_ends[-1] if self._phase_ends else 0

    def __len__(self) -> int:
        return self._len

    def phase_lengths(self) -> dict[str, int]:
        """Samples per phase, in curriculum order."""
        starts = [0, *self._phase_ends[:-1]]
        return {name: end - start for name, start, end in zip(self.phase_names, starts, self._phase_ends)}

    def locate(self, index: int) -> tuple[str, int, int]:
        """(phase name, pair number within the phase, sample index within that pair) of global `index`."""
        phase, pack, sample = self._locate(index)
        return self.phase_names[phase], pack, sample

    def __getitem__(self, index: int) -> Sample:
        phase, pack, sample = self._locate(index)
        return self._packs[phase][pack][sample]

    def _locate(self, index: int) -> tuple[int, int, int]:
        phase, local = self._phase_of(index)
        shuffled = int(self._permutation(phase)[local])
        pack = bisect.bisect_right(self._pack_ends[phase], shuffled)
        pack_start = self._pack_ends[phase][pack - 1] if pack else 0
        return phase, pack, shuffled - pack_start

    def sample_docs(self, index: int) -> tuple[IndexedDataset, range]:
        """The pair and the document indices in it that global sample `index` was cut from
        (their provenance is `dataset.sidecar(i)`)."""
        phase, pack, sample = self._locate(index)
        packed = self._packs[phase][pack]
        return packed.dataset, packed.sample_docs(sample)

    def __iter__(self) -> Iterator[Sample]:
        return self.iter_from(0)

    def iter_from(self, sample_index: int) -> Iterator[Sample]:
        """Samples sample_index, sample_index+1, ... to the end: resume after `sample_index` consumed."""
        if not 0 <= sample_index <= len(self):
            raise IndexError(f"resume index {sample_index} out of range (0..{len(self)})")
        return (self[index] for index in range(sample_index, len(self)))

    def _phase_of(self, index: int) -> tuple[int, int]:
        index = int(index)
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(f"sample {index} out of range ({self._len} samples in phases {self.phase_names})")
        phase = bisect.bisect_right(self._phase_ends, index)
        phase_start = self._phase_ends[phase - 1] if phase else 0
        return phase, index - phase_start

    def _permutation(self, phase: int) -> np.ndarray:
        if phase not in self._perms:
            count = self._pack_ends[phase][-1]
            # crc32 of the name, not the phase's position: inserting a phase leaves the others' order alone
            key = [self.seed, zlib.crc32(self.phase_names[phase].encode("utf-8"))]
            if self.order_key:
                key.append(zlib.crc32(self.order_key.encode("utf-8")))
            rng = np.random.RandomState(key)
            perm = np.arange(count, dtype=np.int32 if count < 2**31 else np.int64)
            rng.shuffle(perm)
            self._perms[phase] = perm
        return self._perms[phase]


def proportional_quotas(sizes: Sequence[int], total: int) -> list[int]:
    """`total` split in proportion to `sizes` (largest remainder, ties to the earlier phase); sums to total.

    A phase with samples gets at least one when the total allows, so no phase of the curriculum is
    skipped by rounding. When total == sum(sizes) every quota is its size.
    """
    whole = sum(sizes)
    if whole == 0:
        return [0] * len(sizes)
    exact = [size * total / whole for size in sizes]
    quotas = [int(x) for x in exact]
    by_remainder = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - quotas[i]), i))
    for i in by_remainder[:total - sum(quotas)]:
        quotas[i] += 1
    for i, size in enumerate(sizes):  # a non-empty phase rounded to 0 takes one from the largest quota
        if size and not quotas[i] and total >= sum(1 for s in sizes if s):
            donor = max(range(len(quotas)), key=lambda j: (quotas[j], -j))
            quotas[donor] -= 1
            quotas[i] = 1
    return quotas


class StageCurriculum:
    """One stage's `samples` read over the sampler's phases in order, each phase's share proportional to its size.

    Global index g of the stage falls in phase p when it is among p's quota (`proportional_quotas`);
    its position in the phase wraps around the phase's shuffle when the quota exceeds the phase
    (the phase repeated in place). With samples == len(sampler) the order is the sampler's own.
    """

    def __init__(self, sampler: PhaseSampler, samples: int):
        if samples < 0:
            raise ValueError(f"a stage reads a non-negative number of samples, got {samples}")
        self.sampler = sampler
        lengths = list(sampler.phase_lengths().values())
        self.quotas = proportional_quotas(lengths, samples)
        self._lengths = lengths
        self._quota_ends = list(itertools.accumulate(self.quotas))
        self._phase_starts = [0, *itertools.accumulate(lengths)][:-1]
        self._len = samples if sum(lengths) else 0

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index: int) -> Sample:
        index = int(index)
        if not 0 <= index < self._len:
            raise IndexError(f"sample {index} out of range (the stage reads {self._len})")
        phase = bisect.bisect_right(self._quota_ends, index)
        local = index - (self._quota_ends[phase - 1] if phase else 0)
        return self.sampler[self._phase_starts[phase] + local % self._lengths[phase]]

    def plan(self) -> dict[str, dict[str, float]]:
        """Per phase: samples it holds, samples the stage reads from it, and how many passes that is."""
        return {name: {"samples": size, "read": quota, "epochs": round(quota / size, 4) if size else 0.0}
                for name, size, quota in zip(self.sampler.phase_names, self._lengths, self.quotas)}


def _as_list(datasets: DatasetLike | Sequence[DatasetLike]) -> list[DatasetLike]:
    if isinstance(datasets, (IndexedDataset, str, os.PathLike)):
        return [datasets]
    return list(datasets)


def _open(item: DatasetLike) -> IndexedDataset:
    return item if isinstance(item, IndexedDataset) else IndexedDataset(item)
