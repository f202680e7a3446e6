import random

import numpy as np
import pytest
from datasketch import MinHash

from tests.dedup.helpers import PARAMS, doc, en_text, zh_text
from xuanyuan.dedup.shingles import normalise, shingle_hash32, shingles
from xuanyuan.dedup.signatures import (
    BLOCK,
    ShingleConfig,
    compute_signatures,
    document_signature,
    load_docs,
    load_signatures,
    permutations,
)
from xuanyuan.errors import UserError
from xuanyuan.shards import write_records


def datasketch_signature(text: str, lang: str, cfg: ShingleConfig) -> np.ndarray:
    m = MinHash(num_perm=cfg.num_perm, seed=cfg.seed, hashfunc=shingle_hash32)
    for shingle in shingles(normalise(text, lang), lang, cfg.ngram(lang)):
        m.update(shingle)
    return m.hashvalues


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 42), (256, 7)])
def test_bit_identical_to_datasketch(num_perm, seed):
    rng = random.Random(seed)
    cfg = ShingleConfig(num_perm, seed, ngram_zh=5, ngram_en=3)
    perms = permutations(num_perm, seed)
    texts = [
        (zh_text(rng, 300), "zh"),
        ("中国人民银行宣布，下调金融机构存款准备金率０.５个百分点！ 释放长期资金约1万亿元。", "zh"),
        (en_text(rng, 80), "en"),
        ("Shr 10 cts vs 5 cts\n    Net 1,200,000 vs 600,000; Revs 12.5 mln vs 10.1 mln. Reuter", "en"),
    ]
    for text, lang in texts:
        ours, exact = document_signature(text, lang, cfg, perms)
        assert exact is None
        assert ours.dtype == np.uint32
        np.testing.assert_array_equal(ours, datasketch_signature(text, lang, cfg))


def test_long_document_spans_blocks():
    rng = random.Random(3)
    cfg = ShingleConfig(32, 5, 5, 5)
    text = zh_text(rng, BLOCK * 2 + 100)
    ours, _ = document_signature(text, "zh", cfg, permutations(32, 5))
    np.testing.assert_array_equal(ours, datasketch_signature(text, "zh", cfg))


def test_normalisation():
    assert normalise("Ｈｅｌｌｏ，  World!\n  Foo-bar", "en") == "hello world foobar"
    assert normalise("央行 今天\n宣布，降准。", "zh") == "央行今天宣布降准"


def test_short_documents_get_an_exact_hash():
    cfg = ShingleConfig(64, 1, 5, 5)
    perms = permutations(64, 1)
    sig, exact = document_signature("\n******Blah blah blah.\n\n\n", "en", cfg, perms)
    sig2, exact2 = document_signature("\n****Blah, blah blah.", "en", cfg, perms)
    assert sig is None and sig2 is None and exact == exact2
    assert document_signature("降准了", "zh", cfg, perms)[0] is None


def test_signature_files_are_deterministic(tmp_path):
    rng = random.Random(1)
    records = [doc(f"a/{i}", zh_text(rng, 200), "zh", "a") for i in range(5)] + [doc("a/short", "短", "zh", "a")]
    write_records(tmp_path / "in.jsonl.zst", records)
    outputs = []
    for run in ("one", "two"):
        counts = compute_signatures(tmp_path / "in.jsonl.zst", tmp_path / run / "s", **PARAMS)
        outputs.append(((tmp_path / run / "s.sig.npy").read_bytes(), (tmp_path / run / "s.docs.json").read_bytes()))
    assert outputs[0] == outputs[1]
    assert counts == {"documents": 6, "minhash": 5, "exact": 1}
    sig = load_signatures(tmp_path / "one" / "s")
    assert sig.shape == (PARAMS["num_perm"], 6) and sig.dtype == np.uint32
    docs = load_docs(tmp_path / "one" / "s")
    assert docs["ids"][-1] == "a/short" and docs["exact"][-1] is not None and docs["exact"][0] is None


def test_unknown_language_names_file_and_record(tmp_path):
    write_records(tmp_path / "in.jsonl.zst", [doc("x/1", "bonjour tout le monde", "fr", "x")])
    with pytest.raises(ValueError, match=r"in\.jsonl\.zst: record x/1 has lang 'fr'"):
        compute_signatures(tmp_path / "in.jsonl.zst", tmp_path / "s", **PARAMS)


@pytest.mark.parametrize("field", ["text", "id"])
def test_a_record_without_text_or_id_is_a_user_error_naming_file_line_and_fix(tmp_path, field):
    good = doc("x/1", "央行今天宣布降准。" * 3, "zh", "x")
    bad = {key: value for key, value in doc("x/2", "央行今天宣布降准。" * 3, "zh", "x").items() if key != field}
    write_records(tmp_path / "in.jsonl.zst", [good, bad])
    with pytest.raises(UserError, match=rf"in\.jsonl\.zst: record .*\(line 2\) has no '{field}' field; .*rerun the rule"):
        compute_signatures(tmp_path / "in.jsonl.zst", tmp_path / "s", **PARAMS)


def test_an_unsupported_language_is_a_user_error_with_the_line_and_the_fix(tmp_path):
    write_records(tmp_path / "in.jsonl.zst", [doc("x/1", "こんにちは世界です", "ja", "x")])
    with pytest.raises(UserError, match=r"in\.jsonl\.zst: record x/1 has lang 'ja' \(line 1\).*lang zh or en"):
        compute_signatures(tmp_path / "in.jsonl.zst", tmp_path / "s", **PARAMS)
