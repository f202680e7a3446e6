"""How much a document weighs in the mix: its characters, or its tokens as the model will see them.

The mix plans in one *unit* (`mix.phases` give each phase ``tokens:`` or ``chars:``). Every
document's weight in that unit is measured here, once per histogram job and again in the apply
jobs, so both count exactly alike:

- ``chars``: ``len(text)`` (code points);
- ``tokens``: ``len(ids) + 2``, the document's token ids plus the BOS and EOS that
  `xuanyuan.tokdata.tokenize_documents` puts around them (``len(ids) + 1`` with
  ``tokenize.bos: false``: EOS only; `xuanyuan.tokdata.special_tokens_per_doc`). The ids come from
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
    """Tokens per text exactly as the tokenize stage stores the document: [BOS] + ids + EOS.

    `bos` is config tokenize.bos, the switch the tokenize stage is given too.
    """

    unit = TOKENS

    def __init__(self, tokenizer: Any, *, bos: bool = True):
        # Imported here: a character mix must not need transformers/tokenizers at all.
        from xuanyuan.tokdata.encoding import BatchEncoder, load_tokenizer
        from xuanyuan.tokdata.specials import document_bos_id, special_tokens_per_doc

        tokenizer = load_tokenizer(tokenizer)
        document_bos_id(tokenizer, bos)  # a tokenizer without BOS fails here, as the tokenize stage would
        self._encode = BatchEncoder(tokenizer)
        self.special_tokens_per_doc = special_tokens_per_doc(bos)

    def __call__(self, texts: Sequence[str]) -> list[int]:
        return [len(ids) + self.special_tokens_per_doc for ids in self._encode(texts)]


def measure_for(tokenizer: str | os.PathLike[str] | Any | None, *, bos: bool = True) -> Measure:
    """Tokens with `tokenizer` (a fast tokenizer or its directory; `bos` = tokenize.bos), characters without one."""
    return CharMeasure() if tokenizer is None else TokenMeasure(tokenizer, bos=bos)


def check_unit(unit: str, where: str) -> str:
    """`unit` if it is one of UNITS, else a ValueError naming `where` it came from."""
    if unit not in UNITS:
        raise ValueError(f"{where}: unknown mix unit {unit!r}; expected one of {', '.join(UNITS)}")
    return unit
