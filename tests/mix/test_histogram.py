import random

import numpy as np
import pytest

from xuanyuan.mix import (
    Cell, MixError, TokenMeasure, bucket_of, histogram_shard, read_histogram, shard_histogram, write_histogram,
)
from xuanyuan.mix.histogram import sum_histograms
from xuanyuan.mix.measure import BATCH_DOCS
from xuanyuan.records import make_document
from xuanyuan.shards import write_records

from tests.mix.helpers import source_docs


def docs(n, source="zh_news", kind="news", lang="zh"):
    return [
        make_document(f"{source}-{i}", "字" * (100 + i), source=source, lang=lang, domain="general", kind=kind)
        for i in range(n)
    ]


def test_histogram_counts_chars_and_docs_per_cell_and_bucket():
    records = docs(50) + docs(30, source="en_web", kind="web", lang="en")
    hist = shard_histogram(records, seed=3, bits=4)
    news, web = Cell("zh_news", "zh", "general", "news"), Cell("en_web", "en", "general", "web")
    assert list(hist.cells) == sorted([news, web]) and hist.unit == "chars"
    assert hist.amount(news) == hist.chars(news)
    assert hist.chars(news) == sum(100 + i for i in range(50)) and hist.docs(news) == 50
    expected = np.zeros(16, dtype=np.int64)
    for record in records[:50]:
        expected[bucket_of(record["id"], seed=3, bits=4)] += len(record["text"])
    part = hist.cells[news]
    assert np.all(np.diff(part.buckets.astype(np.int64)) > 0)
    assert dict(zip(part.buckets.tolist(), part.chars.tolist())) == {b: int(c) for b, c in enumerate(expected) if c}


def test_bucket_is_the_top_bits_of_a_64_bit_blake2b():
    import hashlib

    full = int.from_bytes(hashlib.blake2b(b"7:doc-1", digest_size=8).digest(), "big")
    assert bucket_of("doc-1", seed=7, bits=16) == full >> 48
    assert bucket_of("doc-1", seed=8, bits=16) != bucket_of("doc-1", seed=7, bits=16)


def test_histogram_round_trip_is_exact_and_byte_stable(tmp_path):
    hist = shard_histogram(docs(40) + docs(10, source="zh_exam", kind="exam"), seed=1, bits=16)
    write_histogram(tmp_path / "a.npz", hist)
    back = read_histogram(tmp_path / "a.npz")
    assert (back.seed, back.bits, back.unit, list(back.cells)) == (1, 16, "chars", list(hist.cells))
    for cell, part in hist.cells.items():
        for name in ("buckets", "amounts", "chars", "docs"):
            got, want = getattr(back.cells[cell], name), getattr(part, name)
            assert got.dtype == want.dtype and np.array_equal(got, want)
    write_histogram(tmp_path / "b.npz", back)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_empty_shard_round_trips(tmp_path):
    write_histogram(tmp_path / "e.npz", shard_histogram([], seed=1, bits=8))
    assert read_histogram(tmp_path / "e.npz").cells == {}


def test_sum_over_shards_equals_one_histogram_of_everything(tmp_path):
    records = docs(60)
    paths = []
    for s in range(3):
        paths.append(tmp_path / f"{s}.npz")
        write_histogram(paths[-1], shard_histogram(records[s::3], seed=2, bits=6))
    whole = shard_histogram(records, seed=2, bits=6).cells[Cell("zh_news", "zh", "general", "news")]
    total = sum_histograms(paths, seed=2, bits=6, unit="chars")[Cell("zh_news", "zh", "general", "news")]
    assert np.array_equal(np.flatnonzero(total.chars), whole.buckets) and np.array_equal(total.amounts, total.chars)
    assert np.array_equal(total.chars[whole.buckets], whole.chars) and np.array_equal(total.docs[whole.buckets], whole.docs)


def test_histograms_made_with_other_parameters_are_refused(tmp_path):
    write_histogram(tmp_path / "h.npz", shard_histogram(docs(5), seed=2, bits=6))
    with pytest.raises(MixError, match=r"h.npz was made with seed 2 and 6 bucket bits.*mix.seed 1"):
        sum_histograms([tmp_path / "h.npz"], seed=1, bits=6, unit="chars")


def test_a_record_without_a_cell_attribute_names_the_shard_and_record(tmp_path):
    record = docs(1)[0]
    record["kind"] = ""
    write_records(tmp_path / "s.jsonl.zst", [record])
    with pytest.raises(MixError, match=r"s.jsonl.zst: document 'zh_news-0' has kind=''"):
        histogram_shard(tmp_path / "s.jsonl.zst", tmp_path / "s.npz", seed=1, bits=8)


def mixed_docs(n, seed=0):
    """Chinese and English documents of real-looking text (tests/mix/helpers.py)."""
    rng = random.Random(seed)
    return (source_docs("zh_news", "zh", "general", "news", 100 * n, rng, 20, 180)
            + source_docs("en_web", "en", "general", "web", 100 * n, rng, 20, 180))


@pytest.mark.parametrize("bos", [True, False], ids=["bos", "eos_only"])
def test_token_histogram_weighs_documents_exactly_as_the_tokenize_stage_stores_them(mix_tokenizer, tmp_path, bos):
    from xuanyuan.tokdata import document_bos_id, tokenize_documents
    from xuanyuan.tokdata.encoding import BatchEncoder, load_tokenizer

    records = mixed_docs(700)  # more than one batch per cell
    assert len(records) > 2 * BATCH_DOCS
    hist = shard_histogram(records, seed=1, bits=8, measure=TokenMeasure(mix_tokenizer, bos=bos))
    assert hist.unit == "tokens"
    tokenizer = load_tokenizer(mix_tokenizer)
    stats = tokenize_documents(records, tokenizer, tmp_path / "bin" / "all", batch_docs=7,
                               eos_id=tokenizer.eos_token_id, bos_id=document_bos_id(tokenizer, bos))
    encode = BatchEncoder(tokenizer)
    for cell, part in hist.cells.items():
        assert hist.amount(cell) == stats["by_source"][cell.source]["tokens"]
        assert hist.chars(cell) == stats["by_source"][cell.source]["chars"]
        # Per bucket too: one text at a time, [BOS] + ids + EOS.
        mine = [r for r in records if r["source"] == cell.source]
        expected = np.zeros(256, dtype=np.int64)
        for record in mine:
            expected[bucket_of(record["id"], seed=1, bits=8)] += len(encode([record["text"]])[0]) + 1 + bos
        assert np.array_equal(expected[part.buckets.astype(np.int64)], part.amounts)
    zh, en = (hist.cells[c] for c in sorted(hist.cells, key=lambda c: c.lang, reverse=True))
    assert 1.0 < zh.amounts.sum() / zh.chars.sum() < 1.25  # ~1.1 tokens per Chinese character (+ EOS)
    assert 2.8 < en.chars.sum() / en.amounts.sum() < 3.8  # ~3.3 characters per English token


def test_token_histogram_job_stores_the_unit_and_the_characters(mix_tokenizer, tmp_path):
    write_records(tmp_path / "s.jsonl.zst", mixed_docs(50))
    made = histogram_shard(tmp_path / "s.jsonl.zst", tmp_path / "s.npz", seed=1, bits=8, tokenizer=mix_tokenizer)
    back = read_histogram(tmp_path / "s.npz")
    assert back.unit == "tokens" and list(back.cells) == list(made.cells)
    for cell, part in made.cells.items():
        assert np.array_equal(back.cells[cell].amounts, part.amounts)
        assert np.array_equal(back.cells[cell].chars, shard_histogram(mixed_docs(50), seed=1, bits=8).cells[cell].chars)
    assert sum_histograms([tmp_path / "s.npz"], seed=1, bits=8, unit="tokens")
    with pytest.raises(MixError, match=r"s.npz: histograms count tokens but mix.phases are in chars; rerun mix_histogram"):
        sum_histograms([tmp_path / "s.npz"], seed=1, bits=8, unit="chars")


def test_token_histogram_job_counts_the_bos_per_document_only_when_asked(mix_tokenizer, tmp_path):
    write_records(tmp_path / "s.jsonl.zst", mixed_docs(50))
    with_bos = histogram_shard(tmp_path / "s.jsonl.zst", tmp_path / "a.npz", seed=1, bits=8, tokenizer=mix_tokenizer)
    eos_only = histogram_shard(tmp_path / "s.jsonl.zst", tmp_path / "b.npz", seed=1, bits=8, tokenizer=mix_tokenizer,
                               bos=False)
    for cell, part in with_bos.cells.items():
        # The default is tokenize.bos: true, one BOS more per document.
        assert np.array_equal(part.amounts, eos_only.cells[cell].amounts + part.docs)


def test_a_token_measure_with_bos_needs_a_tokenizer_with_one(mix_tokenizer, tmp_path):
    import json
    import shutil

    from xuanyuan.errors import UserError
    from xuanyuan.tokdata.encoding import load_tokenizer

    no_bos = tmp_path / "no_bos"
    shutil.copytree(mix_tokenizer, no_bos)
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        settings = json.loads((no_bos / name).read_text())
        settings.pop("bos_token")
        (no_bos / name).write_text(json.dumps(settings))
    with pytest.raises(UserError, match=r"no_bos: tokenize.bos is true but this tokenizer has no BOS token"):
        TokenMeasure(no_bos)
    ids = load_tokenizer(no_bos).backend_tokenizer.encode("abc", add_special_tokens=False).ids
    assert TokenMeasure(no_bos, bos=False)(["abc"]) == [len(ids) + 1]
