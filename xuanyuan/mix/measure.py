"""How much a document weighs in the mix: its characters, or its tokens as the model will see them.

The mix plans in one *unit* (`mix.phases` give each phase ``tokens:`` or ``chars:``). Every
document's weight in that unit is measured here, once per histogram job and again in the apply
jobs, so both count exactly alike:

- ``chars``: ``len(text)`` (code points);
- ``tokens``: ``len(ids) + 1``, the document's token ids plus the one EOS that
  `xuanyuan.tokdata.tokenize_documents` appends (the pipeline writes no BOS). The ids come from
  `xuanyuan.tokdata.encoding.BatchEncoder` over `load_tokenizer`, the very pieces the tokenize
  stage encodes with, so the planned token counts are the counts in the ``.bin`` files.

A measure takes a batch of texts and returns their weights: the Hugging Face fast tokenizer
encodes a batch in parallel in Rust, one text at a time it would be several times slower.
"""

from __future__ import annotations

import os
from typing import Any, Protocol, Sequence

TOKENS, CHARS = "tokens", "chars"
UNITS: tuple[str, ...] = (TOKENS, CHARS)
# Tokens the tokenize stage adds to every document: its EOS (tokenize_documents with bos_id=None).
SPECIAL_TOKENS_PER_DOC = 1
BATCH_DOCS = 512  # texts per tokenizer call: large enough for the Rust thread pool, small in memory


class Measure(Protocol):
    """Weights of a batch of texts in `unit`."""

    unit: str

    def __call__(self, texts: Sequence[str]) -> list[int]: ...


class CharMeasure:
    """Characters (code points) per text."""

    unit = CHARS

    def __call__(self, texts: Sequence[str]) -> list[int]:
        return [len(text) for text in texts]


class TokenMeasure:
    """Tokens per text exactly as the tokenize stage stores the document: ids + EOS."""

    unit = TOKENS

    def __init__(self, tokenizer: Any):
        # Imported here: a character mix must not need transformers/tokenizers at all.
        from xuanyuan.tokdata.encoding import BatchEncoder, load_tokenizer

        self._encode = BatchEncoder(load_tokenizer(tokenizer))

    def __call__(self, texts: Sequence[str]) -> list[int]:
        return [len(ids) + SPECIAL_TOKENS_PER_DOC for ids in self._encode(texts)]


def measure_for(tokenizer: str | os.PathLike[str] | Any | None) -> Measure:
    """Tokens with `tokenizer` (a fast tokenizer or its directory), characters without one."""
    return CharMeasure() if tokenizer is None else TokenMeasure(tokenizer)


def check_unit(unit: str, where: str) -> str:
    """`unit` if it is one of UNITS, else a ValueError naming `where` it came from."""
    if unit not in UNITS:
        raise ValueError(f"{where}: unknown mix unit {unit!r}; expected one of {', '.join(UNITS)}")
    return unit
