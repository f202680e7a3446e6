"""Batch encoding with a Hugging Face fast tokenizer, with no special tokens but ours."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Sequence

from tokenizers import Tokenizer

from xuanyuan.tokenizer.hf import SPECIAL_TOKENS_MAP, TOKENIZER_CONFIG, TOKENIZER_JSON

# The class name the tokenizer stage writes (xuanyuan.tokenizer.hf): tokenizer.json is then the
# whole tokenizer, as transformers loads it.
PLAIN_FAST_CLASS = "PreTrainedTokenizerFast"


class TokenizerFile:
    """A tokenizer directory of the plain fast kind (`tokenizer_class: PreTrainedTokenizerFast`, as
    the tokenizer stage writes), read with the `tokenizers` library alone.

    Why not AutoTokenizer: importing transformers (and torch under it) takes ~4 s of CPU, which was
    nearly all of a tokenize or mix-histogram job on the default corpus; the data stages need only
    the Rust tokenizer and the special ids. For this class transformers loads tokenizer.json as
    written, so both give the same pipeline (tests/tokdata/test_tokenizer_file.py).
    """

    is_fast = True

    def __init__(self, path: str | os.PathLike[str]):
        self.name_or_path = os.fspath(path)
        directory = Path(path)
        self.backend_tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_JSON))
        config = _read_json(directory / TOKENIZER_CONFIG)
        specials = {**_read_json(directory / SPECIAL_TOKENS_MAP), **config}
        self.bos_token_id = self._special_id(specials.get("bos_token"))
        self.eos_token_id = self._special_id(specials.get("eos_token"))
        self.pad_token_id = self._special_id(specials.get("pad_token"))
        self.unk_token_id = self._special_id(specials.get("unk_token"))

    def _special_id(self, token: Any) -> int | None:
        # special_tokens_map.json writes a token as a string, or as an AddedToken dict with "content".
        content = token.get("content") if isinstance(token, dict) else token
        return None if content is None else self.backend_tokenizer.token_to_id(content)

    def __len__(self) -> int:
        return self.backend_tokenizer.get_vocab_size(with_added_tokens=True)

    def batch_decode(self, sequences: Sequence[Sequence[int]], *, skip_special_tokens: bool = False,
                     clean_up_tokenization_spaces: bool = False) -> list[str]:
        if clean_up_tokenization_spaces:
            raise ValueError("TokenizerFile decodes text unchanged; clean_up_tokenization_spaces is not supported")
        return self.backend_tokenizer.decode_batch([list(ids) for ids in sequences], skip_special_tokens=skip_special_tokens)


def is_plain_fast_directory(path: str | os.PathLike[str]) -> bool:
    """Whether `path` holds tokenizer.json with `tokenizer_class: PreTrainedTokenizerFast`."""
    directory = Path(path)
    if not (directory / TOKENIZER_JSON).is_file():
        return False
    return _read_json(directory / TOKENIZER_CONFIG).get("tokenizer_class") == PLAIN_FAST_CLASS


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not valid JSON ({error}); rerun the tokenizer rule or fix the file") from None
    return value if isinstance(value, dict) else {}


def load_tokenizer(tokenizer: Any) -> Any:
    """A fast tokenizer object, loading it when given a directory: the tokenizer stage's own kind
    through `tokenizers` (TokenizerFile), any other kind through transformers' AutoTokenizer."""
    if isinstance(tokenizer, (str, os.PathLike)):
        path = os.fspath(tokenizer)
        if not os.path.isdir(path):
            raise FileNotFoundError(f"{path}: tokenizer directory missing; run the tokenizer rule first")
        if is_plain_fast_directory(path):
            return TokenizerFile(path)
        from transformers import AutoTokenizer

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
