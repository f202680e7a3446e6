"""The stand-in + expansion on ../shared/data/pretrain_corpus (see its README); skips elsewhere.

Config defaults throughout (stand-in 3,000 pieces, 3,000 added characters). The stand-in is
trained on the English files, the characters counted on the Chinese files, both without the
held-out documents; the checks run on held-out documents only. A few seconds.
"""

import json
import warnings

import pytest

from tests.tokenizer.helpers import schema_defaults
from xuanyuan.tokenizer import TokenizerSettings, build_tokenizer, compression_stats, is_heldout, processor

transformers = pytest.importorskip("transformers")


def _heldout(path, fraction):
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return [r["text"] for r in records if is_heldout(r["id"], fraction)]


def test_expansion_on_the_real_corpus(shared_data, tmp_path):
    corpus = shared_data / "pretrain_corpus"
    settings = TokenizerSettings.from_config(schema_defaults())
    shards = sorted(corpus.glob("*.jsonl"))
    meta = build_tokenizer(shards, tmp_path / "tok", settings=settings, standin_dir=tmp_path / "standin")
    assert meta["added_chars_count"] == settings.add_chars
    base, merged = processor(tmp_path / "standin" / "tokenizer.model"), processor(tmp_path / "tok" / "tokenizer.model")

    thucnews = _heldout(corpus / "zh_thucnews_cnews.jsonl", settings.heldout_fraction)
    assert len(thucnews) >= 20
    before = compression_stats(base.encode, thucnews, settings.cjk_ranges)
    after = compression_stats(merged.encode, thucnews, settings.cjk_ranges)
    assert before["tokens_per_zh_char"] > 2.9  # the stand-in spells Chinese in UTF-8 bytes
    assert after["tokens_per_zh_char"] <= 1.05

    english = [text for name in ("en_fin_news_reuters21578", "en_web_c4", "en_wiki")
               for text in _heldout(corpus / f"{name}.jsonl", settings.heldout_fraction)]
    assert len(english) >= 100
    assert [merged.encode(t) for t in english] == [base.encode(t) for t in english]
    assert compression_stats(merged.encode, english, settings.cjk_ranges) == compression_stats(
        base.encode, english, settings.cjk_ranges
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = transformers.AutoTokenizer.from_pretrained(str(tmp_path / "tok"))
    for text in thucnews + english[:50]:
        assert fast.encode(text, add_special_tokens=False) == merged.encode(text)
