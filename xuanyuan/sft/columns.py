"""Growable columns that cost bytes per value, not Python objects: what a stage keeps per conversation.

A stage keeps, for each of millions of conversations, an id and a few numbers. As Python objects
that is ~100 bytes each; here a string is its UTF-8 bytes plus an 8-byte offset, and numbers live
in `array.array`s (a view of one is a NumPy array without a copy, see `as_numpy`).
"""

from __future__ import annotations

from array import array

import numpy as np


class StringColumn:
    """Strings appended in order, read back by position."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q")

    def append(self, value: str) -> int:
        """Append `value`; its position."""
        self._data += value.encode("utf-8")
        self._ends.append(len(self._data))
        return len(self._ends) - 1

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        start = self._ends[index - 1] if index else 0
        return self._data[start:self._ends[index]].decode("utf-8")

    @property
    def nbytes(self) -> int:
        return len(self._data) + self._ends.itemsize * len(self._ends)


class Codes:
    """Small integer codes for the few distinct labels (source, language, cell) of many conversations."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self.names: list[str] = []

    def code(self, name: str) -> int:
        if name not in self._codes:
            self._codes[name] = len(self.names)
            self.names.append(name)
        return self._codes[name]


def as_numpy(values: array, dtype: np.dtype | type) -> np.ndarray:
    """A read-only NumPy view of an array.array (no copy; the array can't grow while the view lives)."""
    view = np.frombuffer(values, dtype=dtype) if len(values) else np.zeros(0, dtype=dtype)
    view.flags.writeable = False
    return view
