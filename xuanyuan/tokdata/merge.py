"""Concatenate several tokenized pairs (and their sidecars) into one, streaming."""

from __future__ import annotations

import os
from typing import Any, Sequence

from xuanyuan.tokdata.builder import PairBuilder
from xuanyuan.tokdata.layout import CHUNK_ELEMENTS, TokDataError, sidecar_path
from xuanyuan.tokdata.reader import IndexedDataset

COPY_BYTES = 16 << 20


def merge_indexed(
    prefixes: Sequence[str | os.PathLike[str]],
    out_prefix: str | os.PathLike[str],
) -> dict[str, Any]:
    """Write `out_prefix` = the documents of `prefixes`, in that order; returns {docs, tokens, inputs}.

    Token bytes, sizes and sidecar rows are copied in chunks of at most CHUNK_ELEMENTS, so
    memory does not grow with the inputs. All inputs must share one token dtype (they do when
    they were written with the same tokenizer).
    """
    if not prefixes:
        raise ValueError(f"{out_prefix}: merge_indexed needs at least one input prefix")
    datasets = [IndexedDataset(prefix) for prefix in prefixes]
    dtype = datasets[0].dtype
    for dataset in datasets:
        if dataset.dtype != dtype:
            raise TokDataError(
                f"{dataset.idx_path}: token dtype {dataset.dtype} differs from {dtype} of {datasets[0].idx_path}; "
                "merge only pairs written with the same tokenizer"
            )
        if not sidecar_path(dataset.prefix).exists():
            raise TokDataError(f"{sidecar_path(dataset.prefix)}: sidecar missing; rerun the tokenize rule for it")
    with PairBuilder(out_prefix, dtype) as builder:
        for dataset in datasets:
            _copy_pair(dataset, builder)
    return {"docs": builder.docs, "tokens": builder.tokens, "inputs": len(datasets)}


def _copy_pair(dataset: IndexedDataset, builder: PairBuilder) -> None:
    # Token chunks and size chunks need not line up: the index is rebuilt from sizes alone,
    # and documents are contiguous in both files.
    # Plain reads, not the memmap: a merge streams every page once, and mapped pages would
    # pile up in this process's RSS.
    remaining = dataset.num_tokens * dataset.dtype.itemsize
    with open(dataset.bin_path, "rb") as handle:
        while remaining:
            data = handle.read(min(remaining, COPY_BYTES))
            if not data:
                raise TokDataError(f"{dataset.bin_path}: ended {remaining} bytes early while merging; the file changed")
            builder.add_token_bytes(data)
            remaining -= len(data)
    sizes = dataset.doc_lengths
    for start in range(0, len(sizes), CHUNK_ELEMENTS):
        builder.add_sizes(sizes[start : start + CHUNK_ELEMENTS])
    rows = 0
    for row in dataset.iter_sidecar():
        builder.add_sidecar_row(row)
        rows += 1
    if rows != len(dataset):
        raise TokDataError(
            f"{sidecar_path(dataset.prefix)}: {rows} sidecar rows for {len(dataset)} documents; rerun the tokenize rule for it"
        )
