"""The byte layout of a tokenized pair: `<prefix>.bin`, `<prefix>.idx`, `<prefix>.docs.jsonl.zst`.

The index follows Megatron-LM's published MMapIndexedDataset layout (version 1), so Megatron's
`IndexedDataset` can open our files and we can open theirs. All integers little-endian:

    offset          size      field
    0               9         magic b"MMIDIDX\\x00\\x00"
    9               8         version, uint64 = 1
    17              1         dtype code, uint8 (Megatron's codes, DTYPE_CODES below)
    18              8         sequence count N, uint64 (one sequence per document here)
    26              8         document count D, uint64 (= N + 1: Megatron stores boundaries)
    34              4 N       sizes: tokens per document incl. its EOS, int32
    34 + 4N         8 N       pointers: byte offset of each document in .bin, int64
    34 + 12N        8 D       document index 0, 1, ..., N, int64

The .bin holds the token ids of all documents back to back, in index order, with no gaps.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

import numpy as np

from xuanyuan.errors import UserError

MAGIC = b"MMIDIDX\x00\x00"
VERSION = 1
HEADER_STRUCT = struct.Struct("<9sQBQQ")
HEADER_BYTES = HEADER_STRUCT.size  # 34

# Megatron's DType codes. There is no unsigned 32-bit code: vocabularies of 65,536 or more are
# written as int32 (what Megatron itself does), which holds every id a real vocabulary has.
DTYPE_CODES: dict[int, np.dtype] = {
    1: np.dtype(np.uint8),
    2: np.dtype(np.int8),
    3: np.dtype(np.int16),
    4: np.dtype(np.int32),
    5: np.dtype(np.int64),
    6: np.dtype(np.float64),
    7: np.dtype(np.float32),
    8: np.dtype(np.uint16),
}
CODE_OF_DTYPE = {dtype: code for code, dtype in DTYPE_CODES.items()}

UINT16_VOCAB_LIMIT = 1 << 16
BIN_SUFFIX, IDX_SUFFIX, SIDECAR_SUFFIX = ".bin", ".idx", ".docs.jsonl.zst"

# Arrays are streamed in pieces of this many elements so that merging or finishing an index
# never needs an array of every document in RAM.
CHUNK_ELEMENTS = 1 << 20


class TokDataError(UserError):
    """A tokenized-data file is missing, corrupt or inconsistent; the message names the file."""


def bin_path(prefix: str | os.PathLike[str]) -> Path:
    return Path(str(prefix) + BIN_SUFFIX)


def idx_path(prefix: str | os.PathLike[str]) -> Path:
    return Path(str(prefix) + IDX_SUFFIX)


def sidecar_path(prefix: str | os.PathLike[str]) -> Path:
    return Path(str(prefix) + SIDECAR_SUFFIX)


def token_dtype(vocab_size: int) -> np.dtype:
    """uint16 while every id fits (vocab < 65,536), else int32 (Megatron has no uint32 code)."""
    if vocab_size <= 0:
        raise ValueError(f"vocab_size must be positive, got {vocab_size}")
    if vocab_size < UINT16_VOCAB_LIMIT:
        return np.dtype(np.uint16)
    if vocab_size <= np.iinfo(np.int32).max:
        return np.dtype(np.int32)
    raise ValueError(f"vocab_size {vocab_size} does not fit int32 token ids")


@dataclass(frozen=True)
class IndexLayout:
    """Where each array of an index with `docs` documents starts, in bytes."""

    docs: int

    @property
    def sizes_offset(self) -> int:
        return HEADER_BYTES

    @property
    def pointers_offset(self) -> int:
        return HEADER_BYTES + 4 * self.docs

    @property
    def doc_index_offset(self) -> int:
        return HEADER_BYTES + 12 * self.docs

    @property
    def total_bytes(self) -> int:
        return self.doc_index_offset + 8 * (self.docs + 1)


def pack_header(dtype: np.dtype, docs: int) -> bytes:
    return HEADER_STRUCT.pack(MAGIC, VERSION, CODE_OF_DTYPE[np.dtype(dtype)], docs, docs + 1)


def write_index(
    handle: BinaryIO,
    dtype: np.dtype,
    docs: int,
    size_chunks: Callable[[], Iterable[np.ndarray]],
) -> None:
    """Write a complete index for `docs` documents whose sizes (tokens incl. EOS) come from
    `size_chunks()`; it is called twice (sizes, then pointers), so sizes are never all in RAM."""
    itemsize = np.dtype(dtype).itemsize
    handle.write(pack_header(dtype, docs))
    seen = 0
    for chunk in size_chunks():
        handle.write(np.ascontiguousarray(chunk, dtype="<i4").tobytes())
        seen += len(chunk)
    if seen != docs:
        raise ValueError(f"index writer got {seen} sizes for {docs} documents")
    offset = 0  # running byte offset carried from one chunk to the next
    for chunk in size_chunks():
        nbytes = np.asarray(chunk, dtype=np.int64) * itemsize
        ends = np.cumsum(nbytes) + offset
        handle.write((ends - nbytes).astype("<i8").tobytes())
        if len(ends):
            offset = int(ends[-1])
    for start in range(0, docs + 1, CHUNK_ELEMENTS):
        handle.write(np.arange(start, min(docs + 1, start + CHUNK_ELEMENTS), dtype="<i8").tobytes())
