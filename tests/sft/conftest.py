"""A tiny Llama-2-style tokenizer for the SFT tests, built once per session from the project's own code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tokenizer.helpers import chinese_docs, english_docs
from xuanyuan.sft import SYSTEM_MESSAGE, SegmentEncoder
from xuanyuan.tokenizer import count_cjk_chars, expand_tokenizer, parse_cjk_ranges, train_standin, write_hf_tokenizer

RANGES = parse_cjk_ranges([["4E00", "9FFF"], ["3400", "4DBF"], ["F900", "FAFF"]])
VOCAB = 600  # small enough to train in a second, large enough for word pieces like "▁Human"
ADD_CHARS = 400  # every Chinese character of the texts below becomes a piece (character granularity, as in the recipe)
ZH_TEXTS = (SYSTEM_MESSAGE, "什么是市盈率？", "市盈率是股价除以每股收益。", "举个例子。", "股价二十元，每股收益两元，市盈率为十倍。")


@pytest.fixture(scope="session")
def tokenizer_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sft_tokenizer")
    # "Human"/"Assistant" appear in the English text so the stand-in has pieces for them.
    english = english_docs() + ["Human: hello Assistant: hi there"] * 50
    base = train_standin(english, root / "standin", vocab_size=VOCAB, character_coverage=1.0, max_sentences=5000)
    counts = count_cjk_chars(list(chinese_docs()) + list(ZH_TEXTS), RANGES)
    expansion = expand_tokenizer(base, counts, root / "merged" / "tokenizer.model", add_chars=ADD_CHARS, min_char_freq=1)
    write_hf_tokenizer(expansion.model_path, root / "merged")
    return root / "merged"


@pytest.fixture(scope="session")
def hf_tokenizer(tokenizer_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tokenizer_dir)


@pytest.fixture(scope="session")
def encoder(hf_tokenizer) -> SegmentEncoder:
    return SegmentEncoder(hf_tokenizer)
