"""Fixed-length training samples cut from the token stream of one pair, Megatron-style."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from xuanyuan.tokdata.doc_starts import DEFAULT_STRIDE, DocStarts
from xuanyuan.tokdata.reader import IndexedDataset

Sample = dict[str, np.ndarray]


class PackedSamples:
    """Sample i is tokens [i*L, i*L + L + 1) of the .bin (L = seq_length), documents packed
    back to back; the stream's last < L+1 tokens form no sample.

    Each sample is a dict of
      input_ids     int64 [L]   tokens i*L .. i*L+L-1
      labels        int64 [L]   the next token of each position (tokens i*L+1 .. i*L+L): a
                                sample reads L+1 tokens and shares its last one with the next
      position_ids  int64 [L]   0 at the sample start and again at each document start
                                (the position after an EOS), so RoPE positions are per document
      cu_seqlens    int32 [k+1] 0, the document starts inside the sample, L: the segment
                                boundaries FlashAttention's varlen kernels take
    Document starts come from the index (DocStarts: O(log docs) per sample), never from
    scanning the tokens for EOS. Tokens and offsets are read with pread, so reading samples
    maps nothing into the process (see IndexedDataset.read_tokens).
    """

    def __init__(self, dataset: IndexedDataset, seq_length: int, *, stride: int = DEFAULT_STRIDE):
        if seq_length < 1:
            raise ValueError(f"seq_length must be >= 1, got {seq_length}")
        self.dataset = dataset
        self.seq_length = seq_length
        self._starts = DocStarts(dataset, stride)
        self._positions = np.arange(seq_length, dtype=np.int64)
        self._positions.flags.writeable = False
        self._len = max(0, (dataset.num_tokens - 1) // seq_length)  # pairs are immutable once written

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index: int) -> Sample:
        length = self.seq_length
        start = self._check(index) * length
        window = self.dataset.read_tokens(start, length + 1)
        bounds = self._starts.between(start, start + length)
        if self._starts.has_empty_docs:  # zero-length documents (foreign files) repeat a start
            bounds = sorted(set(bounds))
        bounds.insert(0, 0)
        bounds.append(length)
        cu_seqlens = np.array(bounds, dtype=np.int32)
        # one arange slice per segment: the cheapest way to restart positions per document
        positions = self._positions
        position_ids = np.concatenate([positions[: b - a] for a, b in zip(bounds, bounds[1:])])
        return {
            # two conversions, so labels never alias input_ids (masking labels in place is common)
            "input_ids": window[:-1].astype(np.int64),
            "labels": window[1:].astype(np.int64),
            "position_ids": position_ids,
            "cu_seqlens": cu_seqlens,
        }

    def __iter__(self) -> Iterator[Sample]:
        return (self[i] for i in range(len(self)))

    def sample_docs(self, index: int) -> range:
        """Indices of the documents that sample `index` has tokens of (inputs or labels)."""
        start = self._check(index) * self.seq_length
        return range(self._starts.doc_at(start), self._starts.doc_at(start + self.seq_length) + 1)

    def _check(self, index: int) -> int:
        index = int(index)
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(f"sample {index} out of range ({self._len} samples of {self.seq_length} in {self.dataset.prefix})")
        return index
