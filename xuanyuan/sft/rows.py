"""Packed SFT rows on disk, and the sampler the trainer reads them through.

A directory holds `input_ids.npy`, `labels.npy`, `position_ids.npy` ([rows, seq_length]),
memory-mapped on read, and `rows.json` (seq_length, rows, the conversations of each row). The
sampler gives the same sample dicts as the pretraining curriculum (`xuanyuan.tokdata.PhaseSampler`),
so the trainer runs SFT unchanged: only the labels differ (-100 outside the answers).

On disk a stage's rows are compact (`write_stage_rows`): input_ids uint16 while the vocabulary has
< 65,536 ids (else int32), position_ids uint16 while seq_length <= 65,536 (else int32), labels int32
(-100 needs a sign): 8 bytes per position instead of 24 as int64. The sampler casts each sample to
int64, the dtype the model takes, so training reads the same numbers whatever the files hold
(rows packed in memory, `write_rows`, are saved as they are: int64).

Writing: rows are laid out a block at a time and appended to the .npy files with plain writes, so
no stage holds its rows in memory (and no memory map of the output grows the job's resident set).

Order: one seeded permutation of the rows (NumPy's RandomState, whose stream is frozen across
versions, so a resumed run sees the same order); steps beyond one epoch wrap around it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from xuanyuan.errors import UserError
from xuanyuan.sft.masking import IGNORE_INDEX
from xuanyuan.sft.packing import PackedRows, PackingStats, check_positions, fill_row
from xuanyuan.sft.store import StoreViews

ARRAYS = ("input_ids", "labels", "position_ids")
META = "rows.json"
BLOCK_BYTES = 1 << 20  # per int64 array of a block of rows laid out at once: a constant, not per token


class SftRowsError(UserError):
    """SFT rows missing or not of the length the training stage asks for."""


def write_rows(packed: PackedRows, out_dir: str | Path, conversation_ids: list[str]) -> Path:
    """Save rows packed in memory (their arrays as they are); `conversation_ids[i]` names the packer's input i."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ARRAYS:
        np.save(out_dir / f"{name}.npy", np.ascontiguousarray(getattr(packed, name)))
    _write_meta(out_dir, packed.stats.seq_length, ([conversation_ids[i] for i in row] for row in packed.members),
                len(packed))
    return out_dir


def _write_meta(out_dir: Path, seq_length: int, members, rows: int) -> None:
    """rows.json, one row of members at a time; the bytes of json.dumps(meta, ensure_ascii=False) + newline."""
    with open(out_dir / META, "w", encoding="utf-8") as meta:
        meta.write(f'{{"seq_length": {int(seq_length)}, "rows": {int(rows)}, "members": [')
        for k, row in enumerate(members):
            meta.write((", " if k else "") + json.dumps(row, ensure_ascii=False))
        meta.write("]}\n")


_META_HEADER = re.compile(r'\{"seq_length": (\d+), "rows": (\d+), "members": \[')


def read_meta_header(path: Path) -> dict[str, int]:
    """`seq_length` and `rows` of a rows.json from its first bytes (`_write_meta` writes them first)."""
    with open(path, encoding="utf-8") as meta:
        match = _META_HEADER.match(meta.read(256))
    if match is None:
        raise SftRowsError(f"{path}: not a rows.json written by sft_data (no seq_length/rows header); "
                           "rerun the sft_data rule")
    return {"seq_length": int(match.group(1)), "rows": int(match.group(2))}


def row_dtypes(id_dtype: np.dtype, seq_length: int) -> dict[str, np.dtype]:
    """The on-disk dtype of each array of a stage's rows (see the module docstring)."""
    positions = np.uint16 if seq_length <= 1 << 16 else np.int32
    return {"input_ids": np.dtype(id_dtype), "labels": np.dtype(np.int32), "position_ids": np.dtype(positions)}


class _NpyAppender:
    """A .npy file of a known shape whose rows are appended in order (a header, then the C-order bytes)."""

    def __init__(self, path: Path, dtype: np.dtype, shape: tuple[int, int]):
        self.path, self.dtype, self.expected = path, dtype, shape[0] * shape[1] * dtype.itemsize
        self.file = open(path, "wb")
        header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
        np.lib.format.write_array_header_1_0(self.file, header)
        self.written = 0

    def append(self, block: np.ndarray) -> None:
        data = np.ascontiguousarray(block, dtype=self.dtype)
        self.file.write(data.tobytes())  # at most one block at a time
        self.written += data.nbytes

    def close(self) -> None:
        self.file.close()
        if self.written != self.expected:
            raise RuntimeError(f"{self.path}: wrote {self.written} bytes of rows, expected {self.expected} (a bug)")


def write_stage_rows(views: StoreViews, order: Sequence[int], plan: Sequence[Sequence[int]], seq_length: int,
                     pad_id: int, out_dir: str | Path, id_of: Callable[[int], str]) -> PackingStats:
    """Write the rows of `plan` (positions in `order`, which holds store indices) to `out_dir`; their stats.

    `id_of(store_index)` names a conversation in rows.json. Same layout as `pack_conversations`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    order = np.asarray(order, dtype=np.int64)
    positions = views.lengths(order) - 1
    check_positions(positions, seq_length, lambda i: repr(id_of(int(order[i]))))
    dtypes = row_dtypes(views.ids.dtype, seq_length)
    files = {name: _NpyAppender(out_dir / f"{name}.npy", dtypes[name], (len(plan), seq_length)) for name in ARRAYS}
    block = max(1, BLOCK_BYTES // (8 * seq_length))
    ramp = np.arange(seq_length, dtype=np.int64)
    learned = 0
    try:
        for first in range(0, len(plan), block):
            rows = plan[first:first + block]
            input_ids = np.full((len(rows), seq_length), pad_id, dtype=np.int64)
            labels = np.full((len(rows), seq_length), IGNORE_INDEX, dtype=np.int64)
            position_ids = np.zeros((len(rows), seq_length), dtype=np.int64)
            for r, members in enumerate(rows):
                pieces = []
                for position in members:
                    ids, mask = views.tokens(int(order[position]))
                    learned += int(np.count_nonzero(mask[1:]))
                    # int64 before the where: a Python -100 next to uint16 ids would wrap to 65436.
                    targets = np.where(mask[1:] != 0, ids[1:].astype(np.int64), np.int64(IGNORE_INDEX))
                    pieces.append((ids[:-1], targets))
                fill_row(input_ids[r], labels[r], position_ids[r], pieces, ramp)
            for name, values in (("input_ids", input_ids), ("labels", labels), ("position_ids", position_ids)):
                files[name].append(values)
    finally:
        for appender in files.values():
            appender.file.close()
    for appender in files.values():
        appender.close()
    _write_meta(out_dir, seq_length, ([id_of(int(order[p])) for p in members] for members in plan), len(plan))
    return PackingStats(conversations=len(order), seq_length=seq_length, rows=len(plan),
                        positions=int(positions.sum()), learned=learned)


class SftRows:
    """Samples of a rows directory in a seeded order: `len()`, `rows[i]` -> {input_ids, labels, position_ids} (int64)."""

    def __init__(self, directory: str | Path, seq_length: int, seed: int):
        directory = Path(directory)
        missing = [name for name in (*[f"{a}.npy" for a in ARRAYS], META) if not (directory / name).exists()]
        if missing:
            raise SftRowsError(f"{directory}: SFT rows incomplete (missing {', '.join(missing)}); rerun the sft_data rule")
        # Only the header of rows.json: its member lists name every conversation of the stage (hundreds
        # of MB for the recipe's SFT), which every training rank would otherwise parse and hold.
        meta = read_meta_header(directory / META)
        if meta["seq_length"] != seq_length:
            raise SftRowsError(
                f"{directory}: rows are {meta['seq_length']} tokens long but the stage trains at seq_length={seq_length}; "
                "rebuild the rows (sft_data) with the stage's seq_length"
            )
        self.arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
        shapes = {name: array.shape for name, array in self.arrays.items()}
        if any(shape != (meta["rows"], seq_length) for shape in shapes.values()):
            raise SftRowsError(f"{directory}: arrays {shapes} do not match rows.json ({meta['rows']} rows of "
                               f"{seq_length}); rerun the sft_data rule")
        self.seq_length = seq_length
        self._order = np.random.RandomState(seed).permutation(meta["rows"])

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, index: int) -> dict[str, np.ndarray]:
        row = int(self._order[index])
        # int64 whatever the file holds: the model's ids and the loss's labels are int64 (a copy only when cast).
        return {name: np.asarray(array[row], dtype=np.int64) for name, array in self.arrays.items()}
