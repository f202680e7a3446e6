"""Decode a pair back to text, document by document, for the round-trip check."""

from __future__ import annotations

import os
from typing import Any, Iterator

import numpy as np

from xuanyuan.tokdata.encoding import load_tokenizer
from xuanyuan.tokdata.layout import TokDataError
from xuanyuan.tokdata.reader import IndexedDataset


def detokenize_all(
    prefix: str | os.PathLike[str],
    tokenizer: Any,
    *,
    batch_docs: int = 256,
) -> Iterator[tuple[str, str]]:
    """Yield (doc id, decoded text) for every document of `prefix`, in order, streaming.

    The writer encodes with special tokens split as plain text, so the only special ids in
    the .bin are the BOS/EOS it added; decoding with `skip_special_tokens` removes exactly
    those. The text equals the input after the tokenizer's normalisation (identical for a
    lossless byte-fallback or byte-level tokenizer).
    """
    tokenizer = load_tokenizer(tokenizer)
    dataset = IndexedDataset(prefix)
    rows = dataset.iter_sidecar()
    for start in range(0, len(dataset), batch_docs):
        stop = min(len(dataset), start + batch_docs)
        texts = tokenizer.batch_decode(
            _read_docs(dataset, start, stop),
            skip_special_tokens=True,
            clean_up_tokenization_spaces=False,
        )
        for index, text in zip(range(start, stop), texts):
            row = next(rows, None)
            if row is None:
                raise TokDataError(f"{dataset.prefix}: sidecar ends at document {index} of {len(dataset)}")
            yield row["id"], text


def _read_docs(dataset: IndexedDataset, start: int, stop: int) -> list[list[int]]:
    """Documents start..stop-1 as id lists, from one pread (a full pass through the memmap
    would leave the whole file mapped in this process)."""
    first = int(dataset.read_doc_starts(start, start + 1)[0])
    sizes = np.asarray(dataset.doc_lengths[start:stop], dtype=np.int64)
    tokens = dataset.read_tokens(first, int(sizes.sum())).tolist()
    ends = np.cumsum(sizes).tolist()
    return [tokens[end - size : end] for end, size in zip(ends, sizes.tolist())]
