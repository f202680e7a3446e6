"""Session-wide tiny tokenizers: trained once, shared read-only by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.tokenizer.helpers import chinese_docs, english_docs
from xuanyuan.tokenizer import (
    ExpansionResult,
    count_cjk_chars,
    expand_tokenizer,
    parse_cjk_ranges,
    train_standin,
    write_hf_tokenizer,
)

RANGES = parse_cjk_ranges([["4E00", "9FFF"], ["3400", "4DBF"], ["F900", "FAFF"]])
VOCAB = 600
ADD = 60  # fewer than the distinct characters of chinese_docs(), so some stay byte-encoded


@dataclass(frozen=True)
class Tiny:
    base: Path          # stand-in tokenizer.model
    merged: Path        # expanded tokenizer.model
    base_hf: Path       # HF directory of the base
    merged_hf: Path     # HF directory of the expanded model
    expansion: ExpansionResult


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Tiny:
    root = tmp_path_factory.mktemp("tokenizer")
    base = train_standin(english_docs(), root / "standin", vocab_size=VOCAB, character_coverage=1.0, max_sentences=5000)
    counts = count_cjk_chars(chinese_docs(), RANGES)
    expansion = expand_tokenizer(base, counts, root / "merged" / "tokenizer.model", add_chars=ADD, min_char_freq=2)
    write_hf_tokenizer(base, root / "base_hf")
    write_hf_tokenizer(expansion.model_path, root / "merged")
    return Tiny(base, expansion.model_path, root / "base_hf", root / "merged", expansion)
