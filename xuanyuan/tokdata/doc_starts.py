"""Find the documents around a token position in O(log docs), with almost nothing in RAM."""

from __future__ import annotations

import bisect
import sys
from array import array

import numpy as np

from xuanyuan.tokdata.layout import CHUNK_ELEMENTS
from xuanyuan.tokdata.reader import IndexedDataset

DEFAULT_STRIDE = 256


class DocStarts:
    """A two-level search over the byte pointers where documents start.

    Level 1: every `stride`-th pointer, held in RAM (docs/stride values), built on first use
    by one sequential read of the index. Level 2: one pread of the few blocks the query falls
    in. So a lookup is two short binary searches and ~2 KB read, and the index is never mapped.

    Why not np.searchsorted on the index memmap: Megatron's layout puts the int64 pointers at
    byte 34 + 4N, never 8-byte aligned, and numpy copies an unaligned array in full before
    searching it (14 ms per call for 10M documents). Why plain lists and `array` with bisect
    rather than numpy for both levels: a query is a handful of scalar comparisons, where each
    numpy call costs more than the whole Python search (bench/tokenization.py measures the loader).
    """

    def __init__(self, dataset: IndexedDataset, stride: int = DEFAULT_STRIDE):
        if stride < 1:
            raise ValueError(f"stride must be >= 1, got {stride}")
        self.dataset = dataset
        self.stride = stride
        self._itemsize = dataset.dtype.itemsize
        self._coarse: list[int] | None = None
        self._has_empty_docs = False
        self._cached: tuple[int, int, array] | None = None  # (first doc, stop doc, pointers)

    @property
    def has_empty_docs(self) -> bool:
        """True when some document has no tokens (never in our files: every one has its EOS)."""
        self._coarse_pointers()
        return self._has_empty_docs

    def between(self, low: int, high: int) -> list[int]:
        """Offsets s - low of the document starts s with low < s < high, ascending (token units)."""
        coarse = self._coarse_pointers()
        low_b, high_b = low * self._itemsize, high * self._itemsize
        first_block = max(bisect.bisect_right(coarse, low_b) - 1, 0)
        stop_block = bisect.bisect_left(coarse, high_b)
        pointers = self._read(first_block * self.stride, stop_block * self.stride)
        found = pointers[bisect.bisect_right(pointers, low_b) : bisect.bisect_left(pointers, high_b)]
        return [(pointer - low_b) // self._itemsize for pointer in found]

    def doc_at(self, position: int) -> int:
        """Index of the document that token `position` belongs to (the last start <= position)."""
        target = position * self._itemsize
        first = max(bisect.bisect_right(self._coarse_pointers(), target) - 1, 0) * self.stride
        return first + bisect.bisect_right(self._read(first, first + self.stride), target) - 1

    def _coarse_pointers(self) -> list[int]:
        if self._coarse is None:
            # a chunk length that is a multiple of the stride keeps [::stride] on global multiples
            chunk = max(self.stride, CHUNK_ELEMENTS // self.stride * self.stride)
            coarse: list[int] = []
            previous = None
            for first in range(0, len(self.dataset), chunk):
                pointers = np.frombuffer(self.dataset.read_doc_pointers(first, first + chunk), dtype="<i8")
                joined = pointers if previous is None else np.concatenate(([previous], pointers))
                self._has_empty_docs |= bool((joined[1:] == joined[:-1]).any())
                previous = int(pointers[-1])
                coarse.extend(pointers[:: self.stride].tolist())
            self._coarse = coarse
        return self._coarse

    def _read(self, first: int, stop: int) -> array:
        # Consecutive samples mostly fall in the same blocks: keep the last read.
        cached = self._cached
        if cached is not None and cached[0] <= first and stop <= cached[1]:
            return cached[2][first - cached[0] : stop - cached[0]]
        pointers = array("q", self.dataset.read_doc_pointers(first, stop))
        if sys.byteorder != "little":  # the index is little-endian on every platform
            pointers.byteswap()
        self._cached = (first, first + len(pointers), pointers)
        return pointers
