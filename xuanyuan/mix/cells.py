"""Cells and buckets: the two keys the whole mix stage is built on.

A *cell* is the (source, lang, domain, kind) of a document: the unit the plan gives a share of
each phase to. A *bucket* is the top `bits` bits of the 64-bit blake2b hash (``digest_size=8``,
read big-endian) of ``f"{seed}:{id}"``. Ordering a cell's documents by bucket gives every job the
same pseudo-random order without any job seeing the whole cell; changing `seed` reshuffles it.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Iterator, Mapping, NamedTuple, Sequence

import numpy as np

from xuanyuan.mix.errors import MixError

MAX_BITS = 32  # buckets are stored as uint32


class Cell(NamedTuple):
    source: str
    lang: str
    domain: str
    kind: str


ATTRIBUTES: tuple[str, ...] = Cell._fields


def check_bits(bits: int) -> int:
    """`bits` as an int in 1..MAX_BITS, else a MixError."""
    if not isinstance(bits, int) or not 1 <= bits <= MAX_BITS:
        raise MixError(f"mix.hash_buckets_log2 is {bits!r}; it must be an integer from 1 to {MAX_BITS}")
    return bits


def bucket_of(doc_id: str, *, seed: int, bits: int) -> int:
    """The document's bucket in 0 .. 2**bits - 1."""
    digest = hashlib.blake2b(f"{seed}:{doc_id}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> (64 - bits)


def cell_of(doc: Mapping[str, Any]) -> Cell:
    """The document's cell; a record without one of the four keys is a MixError naming it."""
    values = []
    for attribute in ATTRIBUTES:
        value = doc.get(attribute)
        if not isinstance(value, str) or not value:
            raise MixError(
                f"document {doc.get('id')!r} has {attribute}={value!r}; every record needs a non-empty "
                f"string {attribute!r} (the mix cells are source, lang, domain, kind)"
            )
        values.append(value)
    return Cell(*values)


def doc_id_and_text(doc: Mapping[str, Any]) -> tuple[str, str]:
    """The record's id and text, checked to be strings."""
    doc_id, text = doc.get("id"), doc.get("text")
    if not isinstance(doc_id, str) or not isinstance(text, str):
        raise MixError(f"record {doc_id!r} needs a string 'id' and a string 'text'")
    return doc_id, text


def attribute_totals(cells: Sequence[Cell], amounts: Sequence[float], attribute: str) -> dict[str, float]:
    """Sum `amounts` (one per cell) by the cells' value of `attribute`, values sorted."""
    column = ATTRIBUTES.index(attribute)
    totals: dict[str, float] = {}
    for cell, amount in zip(cells, amounts):
        totals[cell[column]] = totals.get(cell[column], 0) + amount
    return dict(sorted(totals.items()))


def cell_array(cells: Sequence[Cell]) -> np.ndarray:
    """Cells as an [n, 4] str array (for .npz files, which must load without pickle)."""
    return np.array([list(cell) for cell in cells], dtype=str).reshape(len(cells), len(ATTRIBUTES))


def trainable_records(
    path: str | os.PathLike[str], heldout_fraction: float, count: Any = None
) -> Iterator[dict[str, Any]]:
    """The shard's records minus the held-out ones (tokenizer.heldout_fraction, by id hash).

    Held-out documents feed the tokenizer's compression table and the perplexity table; keeping
    them out of every phase means no model ever trains on the text it is evaluated on. With
    `count` (a heldout.HeldOutCount) every record read is counted per cell, held out or not.
    """
    from xuanyuan.shards import read_records
    from xuanyuan.tokenizer.heldout import is_heldout

    for record in read_records(path):
        held_out = bool(heldout_fraction) and is_heldout(record["id"], heldout_fraction)
        if count is not None:
            count.add(cell_of(record), len(doc_id_and_text(record)[1]), held_out)
        if not held_out:
            yield record
