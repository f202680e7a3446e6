"""Tokenized conversations of a stage, a few bytes per token: what the mix and the packer read.

Token ids go into one growing buffer (uint16 while the vocabulary has < 65,536 ids, else int32),
the learned-token mask into another (one byte per token), with per-conversation offsets, a code of
the conversation's mix key and its learned count. At 10M conversations of ~470 tokens that is
~3 bytes per token instead of ~47 as two Python int lists per conversation, and no text is kept.
Entry i is kept conversation i of the ingestion (`IngestResult.ids[i]` is its id); one that does
not fit max_length has no tokens and `fits[i]` False, so it never reaches the mix.
"""

from __future__ import annotations

from array import array
from typing import Sequence

import numpy as np

from xuanyuan.sft.columns import Codes, as_numpy
from xuanyuan.sft.masking import IGNORE_INDEX, TokenizedConversation

UINT16_IDS = 1 << 16


def id_typecode(vocab_size: int) -> tuple[str, np.dtype]:
    """array.array typecode and NumPy dtype that hold every id of a vocabulary."""
    return ("H", np.dtype(np.uint16)) if vocab_size <= UINT16_IDS else ("i", np.dtype(np.int32))


class TokenStore:
    """Append tokenized conversations (or a dropped one) in ingestion order; read them back as NumPy views."""

    def __init__(self, vocab_size: int):
        typecode, self.id_dtype = id_typecode(vocab_size)
        self._ids = array(typecode)
        self._mask = array("B")
        self._ends = array("q")
        self._learned = array("i")
        self._keys = array("i")
        self.keys = Codes()

    def add(self, tokenized: TokenizedConversation | None, key: str) -> int:
        """Keep one conversation's tokens (None: it did not fit, no tokens) under mix key `key`; its position."""
        if tokenized is not None:
            self._ids.extend(tokenized.input_ids)  # OverflowError if an id does not fit: never silently wrapped
            self._mask.extend(map(IGNORE_INDEX.__ne__, tokenized.labels))
            self._learned.append(tokenized.learned)
        else:
            self._learned.append(-1)  # marks "did not fit"; no token is learned from it
        self._ends.append(len(self._ids))
        self._keys.append(self.keys.code(key))
        return len(self._ends) - 1

    def __len__(self) -> int:
        return len(self._ends)

    def views(self) -> "StoreViews":
        """Read-only NumPy views of the columns (the store can't grow while they live)."""
        return StoreViews(self)

    @property
    def nbytes(self) -> int:
        return sum(a.itemsize * len(a) for a in (self._ids, self._mask, self._ends, self._learned, self._keys))


class StoreViews:
    """The store's columns as arrays: tokens and mask of conversation i, lengths, keys, which fit."""

    def __init__(self, store: TokenStore):
        self.ids = as_numpy(store._ids, store.id_dtype)
        self.mask = as_numpy(store._mask, np.uint8)
        self.ends = as_numpy(store._ends, np.int64)
        self.learned = as_numpy(store._learned, np.dtype(f"i{store._learned.itemsize}"))
        self.keys = as_numpy(store._keys, np.dtype(f"i{store._keys.itemsize}"))
        self.key_names = store.keys.names
        self.starts = np.concatenate([np.zeros(1, np.int64), self.ends[:-1]])
        self.fits = self.learned >= 0

    def lengths(self, indices: Sequence[int] | np.ndarray) -> np.ndarray:
        """Tokens of the conversations at `indices` (int64)."""
        indices = np.asarray(indices, dtype=np.int64)
        return self.ends[indices] - self.starts[indices]

    def tokens(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, learned mask) of conversation `index`."""
        start, end = int(self.starts[index]), int(self.ends[index])
        return self.ids[start:end], self.mask[start:end]

    def key(self, index: int) -> str:
        return self.key_names[int(self.keys[index])]
