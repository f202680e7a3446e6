"""The provenance sidecar `<prefix>.docs.jsonl.zst`: line k describes document k of the pair.

Each line is `{"id", "source", "lang", "domain", "phase", "copy"}` (phase and copy from the
record's meta["mix"], null when the record was not mixed). It is an ordinary shard, readable
with `xuanyuan.shards.read_records` or `zstdcat`, so concatenating the files of several pairs
(zstd frames may follow each other) is the sidecar of the merged pair.
"""

from __future__ import annotations

import os
from array import array
from typing import Any, Iterator

import numpy as np

from xuanyuan.shards import read_records

SIDECAR_FIELDS = ("id", "source", "lang", "domain", "phase", "copy")
_CATEGORICAL = ("source", "lang", "domain", "phase")


def sidecar_row(record: dict[str, Any]) -> dict[str, Any]:
    """The sidecar line for one input record."""
    mix = (record.get("meta") or {}).get("mix") or {}
    return {
        "id": record["id"],
        "source": record.get("source"),
        "lang": record.get("lang"),
        "domain": record.get("domain"),
        "phase": mix.get("phase"),
        "copy": mix.get("copy"),
    }


def iter_sidecar(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Stream the sidecar rows in document order."""
    return read_records(path)


class SidecarTable:
    """All rows of one sidecar in compact columns, for O(1) lookup by document index.

    Ids are one UTF-8 byte buffer plus offsets and the other fields category codes, so a
    million documents cost tens of MB rather than a dict per document.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = path
        # typed arrays while loading: a list of Python ints would cost ~36 bytes per value
        id_bytes = bytearray()
        id_ends = array("q")
        codes = {name: array("i") for name in _CATEGORICAL}
        self._values: dict[str, list[Any]] = {name: [] for name in _CATEGORICAL}
        lookup: dict[str, dict[Any, int]] = {name: {} for name in _CATEGORICAL}
        copies = array("q")
        for row in iter_sidecar(path):
            id_bytes += str(row["id"]).encode("utf-8")
            id_ends.append(len(id_bytes))
            for name in _CATEGORICAL:
                value = row.get(name)
                code = lookup[name].setdefault(value, len(lookup[name]))
                if code == len(self._values[name]):
                    self._values[name].append(value)
                codes[name].append(code)
            # -1 stands for "no copy number" (a record that did not pass through mix)
            copies.append(-1 if row.get("copy") is None else int(row["copy"]))
        self._ids = bytes(id_bytes)
        self._id_ends = _as_numpy(id_ends)
        self._codes = {name: _as_numpy(values) for name, values in codes.items()}
        self._copies = _as_numpy(copies)

    def __len__(self) -> int:
        return len(self._id_ends)

    def __getitem__(self, index: int) -> dict[str, Any]:
        start = int(self._id_ends[index - 1]) if index > 0 else 0
        row: dict[str, Any] = {"id": self._ids[start : int(self._id_ends[index])].decode("utf-8")}
        for name in _CATEGORICAL:
            row[name] = self._values[name][self._codes[name][index]]
        copy = int(self._copies[index])
        row["copy"] = None if copy < 0 else copy
        return {name: row[name] for name in SIDECAR_FIELDS}


def _as_numpy(values: array) -> np.ndarray:
    """The typed array as numpy without a copy (frombuffer refuses an empty buffer)."""
    dtype = np.int64 if values.typecode == "q" else np.intc
    return np.frombuffer(values, dtype=dtype) if len(values) else np.zeros(0, dtype=dtype)
