"""Batch encoding with a Hugging Face fast tokenizer, with no special tokens but ours."""

from __future__ import annotations

import os
from typing import Any, Sequence

from tokenizers import Tokenizer


def load_tokenizer(tokenizer: Any) -> Any:
    """A fast tokenizer object, loading it when given a directory."""
    if isinstance(tokenizer, (str, os.PathLike)):
        from transformers import AutoTokenizer

        path = os.fspath(tokenizer)
        if not os.path.isdir(path):
            raise FileNotFoundError(f"{path}: tokenizer directory missing; run the tokenizer rule first")
        tokenizer = AutoTokenizer.from_pretrained(path)
    if not getattr(tokenizer, "is_fast", False):
        raise TypeError(f"{type(tokenizer).__name__} is not a fast tokenizer; save it with `tokenizers` support (tokenizer.json)")
    return tokenizer


def vocab_size(tokenizer: Any) -> int:
    """Ids the tokenizer can emit, added tokens included (len(), not .vocab_size, which omits them)."""
    return len(tokenizer)


class BatchEncoder:
    """Encode lists of texts to id lists exactly like `tokenizer(texts, add_special_tokens=False,
    split_special_tokens=True)`, but through the Rust backend directly.

    Why not call the tokenizer: the transformers wrapper builds a BatchEncoding with masks and
    offsets we discard; `encode_batch_fast` skips offsets and is ~1.6x faster (bench/tokenization.py).
    Why split special tokens: a web page that contains the text "</s>" must not put an EOS in
    the middle of a document; only the writer decides where EOS (and BOS) go.
    The backend is a private copy, so the caller's tokenizer is not modified.
    """

    def __init__(self, tokenizer: Any):
        backend = tokenizer.backend_tokenizer
        self._backend = Tokenizer.from_str(backend.to_str())
        self._backend.encode_special_tokens = True
        self._fast = getattr(self._backend, "encode_batch_fast", None) or self._backend.encode_batch

    def __call__(self, texts: Sequence[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self._fast(list(texts), add_special_tokens=False)]
