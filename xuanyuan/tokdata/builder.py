"""Append documents to a new tokenized pair; the three files appear together or not at all."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from xuanyuan.shards import ShardWriter
from xuanyuan.tokdata.layout import CHUNK_ELEMENTS, bin_path, idx_path, sidecar_path, write_index


class PairBuilder:
    """Write `<prefix>.bin`, `.idx` and `.docs.jsonl.zst` in one streaming pass.

    Sizes go to a scratch file rather than a list, so memory stays flat however many
    documents are written; the index is assembled from it on `close()`. Everything is
    written under `.tmp` names and renamed at the end, the index last, so a crash never
    leaves a pair that opens.
    """

    def __init__(self, out_prefix: str | os.PathLike[str], dtype: np.dtype):
        self.dtype = np.dtype(dtype)
        self.bin_path, self.idx_path = bin_path(out_prefix), idx_path(out_prefix)
        self.bin_path.parent.mkdir(parents=True, exist_ok=True)
        self._bin_tmp = _tmp(self.bin_path)
        self._sizes_tmp = _tmp(Path(str(out_prefix) + ".sizes"))
        self._bin = open(self._bin_tmp, "wb")
        self._sizes = open(self._sizes_tmp, "wb")
        self._sidecar = ShardWriter(sidecar_path(out_prefix))
        self.docs = 0
        self.tokens = 0

    def add_batch(self, flat_tokens: np.ndarray, sizes: np.ndarray, rows: list[dict[str, Any]]) -> None:
        """Append documents given as their tokens back to back plus one size and sidecar row each."""
        if len(sizes) != len(rows) or int(np.sum(sizes, dtype=np.int64)) != len(flat_tokens):
            raise ValueError("a batch needs one size and one sidecar row per document, sizes summing to the tokens")
        self.add_token_bytes(np.ascontiguousarray(flat_tokens, dtype=self.dtype.newbyteorder("<")).tobytes())
        self.add_sizes(sizes)
        for row in rows:
            self.add_sidecar_row(row)

    def add_token_bytes(self, data: bytes) -> None:
        """Append encoded tokens; with `add_sizes` this lets a merge copy chunks that need not
        line up with document boundaries."""
        self._bin.write(data)
        self.tokens += len(data) // self.dtype.itemsize

    def add_sizes(self, sizes: np.ndarray) -> None:
        self._sizes.write(np.ascontiguousarray(sizes, dtype="<i4").tobytes())
        self.docs += len(sizes)

    def add_sidecar_row(self, row: dict[str, Any]) -> None:
        self._sidecar.write(row)

    def close(self) -> None:
        if self._sidecar.count != self.docs:
            self.abort()
            raise ValueError(f"{self.idx_path}: {self._sidecar.count} sidecar rows for {self.docs} documents")
        self._bin.close()
        self._sizes.close()
        idx_tmp = _tmp(self.idx_path)
        with open(idx_tmp, "wb") as handle:
            write_index(handle, self.dtype, self.docs, self._size_chunks)
        self._sidecar.close()
        os.replace(self._bin_tmp, self.bin_path)
        os.replace(idx_tmp, self.idx_path)
        self._sizes_tmp.unlink()

    def abort(self) -> None:
        self._bin.close()
        self._sizes.close()
        self._sidecar.abort()
        for path in (self._bin_tmp, self._sizes_tmp, _tmp(self.idx_path)):
            path.unlink(missing_ok=True)

    def _size_chunks(self) -> Iterator[np.ndarray]:
        with open(self._sizes_tmp, "rb") as handle:
            while chunk := handle.read(4 * CHUNK_ELEMENTS):
                yield np.frombuffer(chunk, dtype="<i4")

    def __enter__(self) -> "PairBuilder":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")
