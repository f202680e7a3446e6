"""Packed SFT rows on disk, and the sampler the trainer reads them through.

A directory holds `input_ids.npy`, `labels.npy`, `position_ids.npy` (int64 [rows, seq_length]),
memory-mapped on read, and `rows.json` (seq_length, rows, the conversations of each row). The
sampler gives the same sample dicts as the pretraining curriculum (`xuanyuan.tokdata.PhaseSampler`),
so the trainer runs SFT unchanged: only the labels differ (-100 outside the answers).

Order: one seeded permutation of the rows (NumPy's RandomState, whose stream is frozen across
versions, so a resumed run sees the same order); steps beyond one epoch wrap around it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from xuanyuan.errors import UserError
from xuanyuan.sft.packing import PackedRows

ARRAYS = ("input_ids", "labels", "position_ids")
META = "rows.json"


class SftRowsError(UserError):
    """SFT rows missing or not of the length the training stage asks for."""


def write_rows(packed: PackedRows, out_dir: str | Path, conversation_ids: list[str]) -> Path:
    """Save packed rows; `conversation_ids[i]` names the packer's input conversation i."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ARRAYS:
        np.save(out_dir / f"{name}.npy", np.ascontiguousarray(getattr(packed, name), dtype=np.int64))
    meta = {
        "seq_length": int(packed.input_ids.shape[1]) if len(packed) else packed.stats.seq_length,
        "rows": len(packed),
        "members": [[conversation_ids[i] for i in row] for row in packed.members],
    }
    (out_dir / META).write_text(json.dumps(meta, ensure_ascii=False) + "\n", encoding="utf-8")
    return out_dir


class SftRows:
    """Samples of a rows directory in a seeded order: `len()`, `rows[i]` -> {input_ids, labels, position_ids}."""

    def __init__(self, directory: str | Path, seq_length: int, seed: int):
        directory = Path(directory)
        missing = [name for name in (*[f"{a}.npy" for a in ARRAYS], META) if not (directory / name).exists()]
        if missing:
            raise SftRowsError(f"{directory}: SFT rows incomplete (missing {', '.join(missing)}); rerun the sft_data rule")
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
        if meta["seq_length"] != seq_length:
            raise SftRowsError(
                f"{directory}: rows are {meta['seq_length']} tokens long but the stage trains at seq_length={seq_length}; "
                "rebuild the rows (sft_data) with the stage's seq_length"
            )
        self.arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
        self.seq_length = seq_length
        self._order = np.random.RandomState(seed).permutation(meta["rows"])

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, index: int) -> dict[str, np.ndarray]:
        row = int(self._order[index])
        return {name: np.asarray(array[row]) for name, array in self.arrays.items()}
