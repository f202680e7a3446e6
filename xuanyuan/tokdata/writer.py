"""Tokenize a stream of documents into a `.bin`/`.idx` pair plus its provenance sidecar."""

from __future__ import annotations

import itertools
import os
from typing import Any, Iterable, Iterator

import numpy as np

from xuanyuan.tokdata.builder import PairBuilder
from xuanyuan.tokdata.encoding import BatchEncoder, load_tokenizer, vocab_size
from xuanyuan.tokdata.layout import token_dtype
from xuanyuan.tokdata.sidecar import sidecar_row
from xuanyuan.tokdata.stats import TokenStats


def tokenize_documents(
    records: Iterable[dict[str, Any]],
    tokenizer: Any,
    out_prefix: str | os.PathLike[str],
    *,
    batch_docs: int,
    eos_id: int,
    bos_id: int | None = None,
) -> dict[str, Any]:
    """Write `<out_prefix>.bin/.idx/.docs.jsonl.zst` for `records` and return their stats.

    Every document becomes `[bos_id] + ids(text) + [eos_id]`, even when its text encodes to
    nothing, so document k of the pair is record k of the input (the sidecar stays aligned
    and counts match the mix). The pipeline passes `bos_id=document_bos_id(tokenizer, tokenize.bos)`
    (specials.py). `tokenizer` is a fast tokenizer or its directory; the token dtype follows its
    full vocabulary (layout.token_dtype).
    """
    if batch_docs < 1:
        raise ValueError(f"batch_docs must be >= 1, got {batch_docs}")
    tokenizer = load_tokenizer(tokenizer)
    vocab = vocab_size(tokenizer)
    for name, special in (("eos_id", eos_id), ("bos_id", bos_id)):
        if special is not None and not 0 <= special < vocab:
            raise ValueError(f"{name}={special} is outside the tokenizer's vocabulary of {vocab}")
    dtype = token_dtype(vocab)
    encode = BatchEncoder(tokenizer)
    stats = TokenStats()
    prefix_ids = [] if bos_id is None else [bos_id]
    with PairBuilder(out_prefix, dtype) as builder:
        for batch in _batches(records, batch_docs):
            id_lists = encode([_text_of(record, out_prefix) for record in batch])
            sizes = np.fromiter((len(ids) + len(prefix_ids) + 1 for ids in id_lists), dtype=np.int64, count=len(batch))
            flat = np.fromiter(
                itertools.chain.from_iterable(itertools.chain(prefix_ids, ids, (eos_id,)) for ids in id_lists),
                dtype=np.int64,
                count=int(sizes.sum()),
            )
            if len(flat) and int(flat.max()) >= vocab:  # a tokenizer/vocab mismatch, not data
                raise ValueError(f"{out_prefix}: token id {int(flat.max())} >= vocabulary size {vocab}")
            rows = [sidecar_row(record) for record in batch]
            builder.add_batch(flat, sizes, rows)
            for record, row, ids, size in zip(batch, rows, id_lists, sizes):
                stats.add(row, int(size), len(record["text"]), empty=not ids)
    return stats.as_dict(
        dtype=dtype.name,
        vocab_size=vocab,
        eos_id=eos_id,
        bos_id=bos_id,
        text_tokens=stats.tokens - stats.docs * (len(prefix_ids) + 1),
    )


def _batches(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _text_of(record: dict[str, Any], out_prefix: Any) -> str:
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError(f"{out_prefix}: record {record.get('id')!r} has no text string; fix the stage that wrote it")
    return text
