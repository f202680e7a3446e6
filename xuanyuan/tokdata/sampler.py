"""The training order: mixing phases one after another, samples shuffled within each phase."""

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

    The permutation of a phase depends only on (seed, phase name) and uses NumPy's RandomState,
    whose stream NumPy keeps frozen across versions: a run resumed after an upgrade sees the
    same order. `iter_from(k)` yields exactly samples k, k+1, ... of the full order.
    """

    def __init__(self, datasets_by_phase: Sequence[PhaseInput], seq_length: int, seed: int):
        if not 0 <= seed < 2**32:
            raise ValueError(f"seed must be in [0, 2**32), got {seed}")
        names = [name for name, _ in datasets_by_phase]
        if len(set(names)) != len(names):
            raise ValueError(f"phase names must be unique, got {names}")
        self.seq_length = seq_length
        self.seed = seed
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
            rng = np.random.RandomState([self.seed, zlib.crc32(self.phase_names[phase].encode("utf-8"))])
            perm = np.arange(count, dtype=np.int32 if count < 2**31 else np.int64)
            rng.shuffle(perm)
            self._perms[phase] = perm
        return self._perms[phase]


def _as_list(datasets: DatasetLike | Sequence[DatasetLike]) -> list[DatasetLike]:
    if isinstance(datasets, (IndexedDataset, str, os.PathLike)):
        return [datasets]
    return list(datasets)


def _open(item: DatasetLike) -> IndexedDataset:
    return item if isinstance(item, IndexedDataset) else IndexedDataset(item)
