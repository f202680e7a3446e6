"""Per-shard histograms: for each cell, the weight, characters and documents in each bucket.

One histogram job runs per input shard; the plan sums them. The *weight* of a document is its
size in the mix's unit (measure.py): its tokens as the tokenize stage will store them ([BOS] + ids
+ EOS, BOS per tokenize.bos) when the job is given the tokenizer, else its characters. Characters are kept beside the
weights in either case, so the report can still show character shares of a token mix. A
shard's histogram is stored *sparse* (only the buckets that hold a document), so its size
follows the shard's document count, not 2**bits.

File format (``.npz``, compressed, loads without pickle)::

    format   str     "xuanyuan.mix.histogram/2"
    unit     str     "tokens" or "chars": what `amounts` count
    seed     int64   the bucket hash seed
    bits     int64   log2 of the number of buckets
    cells    str     [n, 4]  source, lang, domain, kind, sorted
    offsets  int64   [n + 1] cell i owns entries offsets[i] .. offsets[i+1] of the arrays below
    buckets  uint32  bucket numbers, ascending within a cell
    amounts  uint64  weight (in `unit`) of the documents in that bucket
    chars    uint64  characters of the documents in that bucket (= amounts when unit is chars)
    docs     uint64  documents in that bucket
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from itertools import islice
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from xuanyuan.mix.cells import Cell, bucket_of, cell_array, cell_of, check_bits, doc_id_and_text
from xuanyuan.mix.errors import MixError
from xuanyuan.mix.measure import BATCH_DOCS, CharMeasure, Measure, check_unit, measure_for
from xuanyuan.mix.npz import save_npz
from xuanyuan.mix.cells import trainable_records

HISTOGRAM_FORMAT = "xuanyuan.mix.histogram/2"


@dataclass(frozen=True)
class CellHistogram:
    """The non-empty buckets of one cell: parallel arrays, buckets ascending."""

    buckets: np.ndarray  # uint32
    amounts: np.ndarray  # uint64, in the histogram's unit
    chars: np.ndarray  # uint64
    docs: np.ndarray  # uint64


@dataclass(frozen=True)
class Histogram:
    """The histograms of every cell of one shard, with the unit and hash parameters they were made with."""

    seed: int
    bits: int
    unit: str
    cells: Mapping[Cell, CellHistogram]

    def amount(self, cell: Cell) -> int:
        return int(self.cells[cell].amounts.sum()) if cell in self.cells else 0

    def chars(self, cell: Cell) -> int:
        return int(self.cells[cell].chars.sum()) if cell in self.cells else 0

    def docs(self, cell: Cell) -> int:
        return int(self.cells[cell].docs.sum()) if cell in self.cells else 0


def shard_histogram(
    docs: Iterable[dict[str, Any]], *, seed: int, bits: int, measure: Measure | None = None
) -> Histogram:
    """Weigh (with `measure`; characters without one), count and bucket a stream of records per cell.

    Records are measured in batches of BATCH_DOCS texts, so a tokenizer encodes them in parallel;
    only one batch of texts is held at a time.
    """
    check_bits(bits)
    measure = measure or CharMeasure()
    seen: dict[Cell, tuple[list[int], list[int], list[int]]] = defaultdict(lambda: ([], [], []))
    iterator = iter(docs)
    while batch := list(islice(iterator, BATCH_DOCS)):
        keys, texts = [], []
        for doc in batch:
            doc_id, text = doc_id_and_text(doc)
            keys.append((cell_of(doc), bucket_of(doc_id, seed=seed, bits=bits)))
            texts.append(text)
        for (cell, bucket), text, amount in zip(keys, texts, measure(texts)):
            buckets, amounts, chars = seen[cell]
            buckets.append(bucket)
            amounts.append(amount)
            chars.append(len(text))
    cells = {}
    for cell in sorted(seen):
        buckets, amounts, chars = (np.asarray(values, dtype=np.uint64) for values in seen[cell])
        order = np.argsort(buckets, kind="stable")
        unique, starts, counts = np.unique(buckets[order], return_index=True, return_counts=True)
        cells[cell] = CellHistogram(
            buckets=unique.astype(np.uint32),
            amounts=np.add.reduceat(amounts[order], starts).astype(np.uint64),
            chars=np.add.reduceat(chars[order], starts).astype(np.uint64),
            docs=counts.astype(np.uint64),
        )
    return Histogram(seed=seed, bits=bits, unit=measure.unit, cells=cells)


def histogram_shard(
    in_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    seed: int,
    bits: int,
    tokenizer: str | os.PathLike[str] | Any | None = None,
    heldout_fraction: float = 0.0,
    bos: bool = True,
) -> Histogram:
    """The histogram job: read one shard, write its histogram; errors name the shard.

    With `tokenizer` (the HF fast tokenizer directory the tokenize stage uses, or the loaded
    tokenizer) the weights are tokens, counted with a BOS per document when `bos` (tokenize.bos),
    else characters. Documents held out by id hash (`heldout_fraction`, the tokenizer stage's
    split) are not counted: no phase gets them.
    """
    measure = measure_for(tokenizer, bos=bos)
    try:
        hist = shard_histogram(trainable_records(in_path, heldout_fraction), seed=seed, bits=bits, measure=measure)
    except MixError as exc:
        raise MixError(f"{in_path}: {exc}") from None
    write_histogram(out_path, hist)
    return hist


def write_histogram(path: str | os.PathLike[str], hist: Histogram) -> None:
    """Save `hist` as a compressed .npz (format in the module docstring), atomically."""
    cells = sorted(hist.cells)
    parts = [hist.cells[cell] for cell in cells]
    offsets = np.zeros(len(cells) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(part.buckets) for part in parts])

    def joined(name: str, dtype) -> np.ndarray:
        return np.concatenate([getattr(part, name) for part in parts]).astype(dtype) if parts else np.zeros(0, dtype)

    save_npz(
        path,
        format=np.array(HISTOGRAM_FORMAT),
        unit=np.array(check_unit(hist.unit, str(path))),
        seed=np.int64(hist.seed),
        bits=np.int64(hist.bits),
        cells=cell_array(cells),
        offsets=offsets,
        buckets=joined("buckets", np.uint32),
        amounts=joined("amounts", np.uint64),
        chars=joined("chars", np.uint64),
        docs=joined("docs", np.uint64),
    )


def read_histogram(path: str | os.PathLike[str]) -> Histogram:
    """Load a histogram written by `write_histogram`; exactly what was saved."""
    with np.load(path, allow_pickle=False) as data:
        if "format" not in data or str(data["format"]) != HISTOGRAM_FORMAT:
            raise MixError(f"{path} is not a mix histogram ({HISTOGRAM_FORMAT}); rerun the mix histogram job")
        offsets = data["offsets"]
        buckets, amounts, chars, docs = data["buckets"], data["amounts"], data["chars"], data["docs"]
        cells = {}
        for i, row in enumerate(data["cells"].tolist()):
            span = slice(int(offsets[i]), int(offsets[i + 1]))
            cells[Cell(*row)] = CellHistogram(buckets[span], amounts[span], chars[span], docs[span])
        return Histogram(
            seed=int(data["seed"]), bits=int(data["bits"]), unit=check_unit(str(data["unit"]), str(path)), cells=cells
        )


@dataclass(frozen=True)
class CellTotals:
    """One cell summed over all shards: dense per-bucket arrays of length 2**bits."""

    amounts: np.ndarray  # uint64, in the histograms' unit
    chars: np.ndarray  # uint64
    docs: np.ndarray  # uint64


def sum_histograms(
    paths: Sequence[str | os.PathLike[str]], *, seed: int, bits: int, unit: str
) -> dict[Cell, CellTotals]:
    """Sum the shard histograms per cell, one file in memory at a time; all must be in `unit`.

    Memory is (cells x 2**bits x 24 bytes): 1.5 MiB per cell at the default 16 bits.
    """
    check_bits(bits)
    totals: dict[Cell, CellTotals] = {}
    for path in paths:
        hist = read_histogram(path)
        if (hist.seed, hist.bits) != (seed, bits):
            raise MixError(
                f"{path} was made with seed {hist.seed} and {hist.bits} bucket bits, but the plan uses "
                f"mix.seed {seed} and mix.hash_buckets_log2 {bits}; rerun the mix histogram jobs"
            )
        if hist.unit != unit:
            # Snakemake reruns the histograms when the config changes; this catches a stale or mixed-up set.
            raise MixError(
                f"{path}: histograms count {hist.unit} but mix.phases are in {unit}; rerun mix_histogram "
                f"({'with' if unit == 'tokens' else 'without'} the tokenizer)"
            )
        for cell, part in hist.cells.items():
            total = totals.get(cell)
            if total is None:
                total = totals[cell] = CellTotals(*(np.zeros(1 << bits, np.uint64) for _ in range(3)))
            # Buckets are unique within a cell of one file, so fancy-index += adds exactly.
            index = part.buckets.astype(np.int64)
            total.amounts[index] += part.amounts
            total.chars[index] += part.chars
            total.docs[index] += part.docs
    return dict(sorted(totals.items()))
