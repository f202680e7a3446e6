"""Open a tokenized pair: numpy memmaps for documents, pread for samples; nothing is loaded whole."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from xuanyuan.tokdata.layout import (
    DTYPE_CODES,
    HEADER_BYTES,
    HEADER_STRUCT,
    MAGIC,
    VERSION,
    IndexLayout,
    TokDataError,
    bin_path,
    idx_path,
    sidecar_path,
)
from xuanyuan.tokdata.sidecar import SidecarTable, iter_sidecar

_FIX = "rerun the tokenize rule that wrote it (or check the prefix)"


class IndexedDataset:
    """One `<prefix>.bin`/`.idx` pair; document i is `doc(i)`, its tokens including the EOS.

    Nothing is read at open time beyond the 34-byte header and the last pointer (to check
    that .bin is complete). The object pickles as its prefix, so DataLoader workers started
    with "spawn" reopen the files instead of receiving a copy of them.
    """

    def __init__(self, prefix: str | os.PathLike[str]):
        self.prefix = str(prefix)
        self.idx_path, self.bin_path = idx_path(prefix), bin_path(prefix)
        self._sidecar: SidecarTable | None = None
        self._open()

    def _open(self) -> None:
        header = _read_header(self.idx_path)
        _magic, version, code, docs, doc_count = header
        if version != VERSION:
            raise TokDataError(f"{self.idx_path}: index version {version}, only version {VERSION} is supported; {_FIX}")
        if code not in DTYPE_CODES:
            raise TokDataError(f"{self.idx_path}: unknown dtype code {code}; {_FIX}")
        layout = IndexLayout(docs)
        actual = self.idx_path.stat().st_size
        needed = layout.doc_index_offset + 8 * doc_count
        if actual < needed:
            raise TokDataError(
                f"{self.idx_path}: truncated index ({actual} bytes, {needed} needed for {docs} documents); {_FIX}"
            )
        self.dtype = DTYPE_CODES[code]
        index = np.memmap(self.idx_path, dtype=np.uint8, mode="r")
        # Views into the one map, no copy. Element access is fine although Megatron's arrays are
        # unaligned; searches must not run on them (see read_doc_starts).
        self._sizes = np.frombuffer(index, dtype="<i4", count=docs, offset=layout.sizes_offset)
        self._pointers = np.frombuffer(index, dtype="<i8", count=docs, offset=layout.pointers_offset)
        self._tokens = _open_bin(self.bin_path, self.dtype, self._expected_bin_bytes())
        self._bin_file = open(self.bin_path, "rb", buffering=0)
        self._idx_file = open(self.idx_path, "rb", buffering=0)
        self._pointers_offset = layout.pointers_offset

    def _expected_bin_bytes(self) -> int:
        if not len(self._sizes):
            return 0
        return int(self._pointers[-1]) + int(self._sizes[-1]) * self.dtype.itemsize

    # --- documents -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._sizes)

    def doc(self, index: int) -> np.ndarray:
        """Tokens of document `index` (EOS last): a read-only view of the memmap, not a copy."""
        index = self._check(index)
        start = int(self._pointers[index]) // self.dtype.itemsize
        return self._tokens[start : start + int(self._sizes[index])]

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self.doc(i) for i in range(len(self)))

    def read_tokens(self, start: int, count: int) -> np.ndarray:
        """A private copy of tokens [start, start + count) of the stream, read with pread.

        Why not slice the memmap: every page a memmap touches stays mapped into this process
        and counts in its RSS (and in the OOM killer's score) until the map is dropped, so
        random sampling would make a trainer look as large as the file. pread copies the
        same bytes from the page cache, is as fast for sample-sized reads, and is safe in
        forked DataLoader workers (it does not move a shared file position).
        """
        nbytes = count * self.dtype.itemsize
        data = os.pread(self._bin_file.fileno(), nbytes, start * self.dtype.itemsize)
        if len(data) != nbytes:
            raise TokDataError(
                f"{self.bin_path}: read {len(data)} of {nbytes} bytes at token {start}; the file changed after it was opened"
            )
        return np.frombuffer(data, dtype=self.dtype.newbyteorder("<"))

    def read_doc_starts(self, first: int, stop: int) -> np.ndarray:
        """Token offsets (int64, aligned private copy) where documents first..stop-1 start, read with pread.

        Use this rather than searching `doc_offsets`: Megatron's layout puts the pointers at
        byte 34 + 4N, never 8-byte aligned, and numpy copies an unaligned array in full before
        np.searchsorted (14 ms per call for 10M documents).
        """
        return np.frombuffer(self.read_doc_pointers(first, stop), dtype="<i8") // self.dtype.itemsize

    def read_doc_pointers(self, first: int, stop: int) -> bytes:
        """The raw little-endian int64 byte pointers of documents first..stop-1 (pread, no map)."""
        first, stop = max(0, first), min(len(self), stop)
        if stop <= first:
            return b""
        nbytes = 8 * (stop - first)
        data = os.pread(self._idx_file.fileno(), nbytes, self._pointers_offset + 8 * first)
        if len(data) != nbytes:
            raise TokDataError(f"{self.idx_path}: read {len(data)} of {nbytes} bytes; the file changed after it was opened")
        return data

    @property
    def doc_lengths(self) -> np.ndarray:
        """Tokens per document incl. EOS (int32 memmap view, unaligned like every Megatron index)."""
        return self._sizes

    @property
    def doc_offsets(self) -> np.ndarray:
        """Byte offset of each document in .bin (int64 memmap view, unaligned: slice it before
        searching, or use `read_doc_starts`); token offset = byte // itemsize."""
        return self._pointers

    @property
    def num_tokens(self) -> int:
        return len(self._tokens)

    @property
    def tokens(self) -> np.ndarray:
        """The whole .bin as one flat read-only token array (memmap; slicing reads only that range)."""
        return self._tokens

    # --- provenance --------------------------------------------------------------------------
    def sidecar(self, index: int) -> dict[str, Any]:
        """`{id, source, lang, domain, phase, copy}` of document `index`; the sidecar is loaded
        into compact columns on the first call (O(documents), never O(tokens))."""
        index = self._check(index)
        if self._sidecar is None:
            path = sidecar_path(self.prefix)
            if not path.exists():
                raise TokDataError(f"{path}: sidecar missing for {self.prefix}; {_FIX}")
            table = SidecarTable(path)
            if len(table) != len(self):
                raise TokDataError(f"{path}: {len(table)} sidecar rows for {len(self)} documents in {self.idx_path}; {_FIX}")
            self._sidecar = table
        return self._sidecar[index]

    def iter_sidecar(self) -> Iterator[dict[str, Any]]:
        """Stream the sidecar rows in document order without loading them."""
        path = sidecar_path(self.prefix)
        if not path.exists():
            raise TokDataError(f"{path}: sidecar missing for {self.prefix}; {_FIX}")
        return iter_sidecar(path)

    # --- checks --------------------------------------------------------------------------------
    def verify(self, chunk: int = 1 << 20) -> None:
        """Full check that documents are contiguous and in order (reads the whole index, in chunks)."""
        expected = 0
        for start in range(0, len(self), chunk):
            sizes = np.asarray(self._sizes[start : start + chunk], dtype=np.int64) * self.dtype.itemsize
            pointers = np.asarray(self._pointers[start : start + chunk])
            starts = np.concatenate(([expected], expected + np.cumsum(sizes)[:-1]))
            bad = np.flatnonzero(pointers != starts)
            if len(bad) or (sizes < 0).any():
                at = start + (int(bad[0]) if len(bad) else 0)
                raise TokDataError(f"{self.idx_path}: document {at} is not contiguous with the previous one; {_FIX}")
            expected = int(starts[-1] + sizes[-1])
        if expected != self.num_tokens * self.dtype.itemsize:
            raise TokDataError(f"{self.bin_path}: size does not match the index {self.idx_path}; {_FIX}")

    def _check(self, index: int) -> int:
        index = int(index)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"document {index} out of range for {self.prefix} ({len(self)} documents)")
        return index

    def __getstate__(self) -> dict[str, Any]:
        return {"prefix": self.prefix}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["prefix"])

    def __repr__(self) -> str:
        return f"IndexedDataset({self.prefix!r}, docs={len(self)}, tokens={self.num_tokens}, dtype={self.dtype})"


def _read_header(path: Path) -> tuple:
    if not path.exists():
        raise TokDataError(f"{path}: index file missing; {_FIX}")
    with open(path, "rb") as handle:
        raw = handle.read(HEADER_BYTES)
    if raw[: len(MAGIC)] != MAGIC:
        raise TokDataError(f"{path}: not a Megatron-style index (magic {raw[:len(MAGIC)]!r}, expected {MAGIC!r}); {_FIX}")
    if len(raw) < HEADER_BYTES:
        raise TokDataError(f"{path}: truncated index header ({len(raw)} of {HEADER_BYTES} bytes); {_FIX}")
    return HEADER_STRUCT.unpack(raw)


def _open_bin(path: Path, dtype: np.dtype, expected_bytes: int) -> np.ndarray:
    if not path.exists():
        raise TokDataError(f"{path}: token file missing; {_FIX}")
    actual = path.stat().st_size
    if actual != expected_bytes:
        what = "truncated" if actual < expected_bytes else "longer than its index says"
        raise TokDataError(f"{path}: {what} ({actual} bytes, the index expects {expected_bytes}); {_FIX}")
    if actual == 0:  # mmap refuses empty files; an empty pair is still a valid pair
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype.newbyteorder("<"), mode="r")
