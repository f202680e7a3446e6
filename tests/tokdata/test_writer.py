import pickle

import numpy as np
import pytest

from tests.tokdata.helpers import BOS_ID, EOS_ID, big_vocab_tokenizer, records, sample_texts
from xuanyuan.shards import read_records
from xuanyuan.tokdata import IndexedDataset, detokenize_all, merge_indexed, sidecar_path, token_dtype, tokenize_documents
from xuanyuan.tokdata.layout import HEADER_BYTES, MAGIC


def _encode(tokenizer, text):
    return tokenizer(text, add_special_tokens=False, split_special_tokens=True)["input_ids"]


def test_documents_round_trip_with_eos_after_each(tmp_path, sp_tokenizer):
    texts = sample_texts(50, seed=3)
    stats = tokenize_documents(records(texts), sp_tokenizer, tmp_path / "a", batch_docs=7, eos_id=EOS_ID)
    ds = IndexedDataset(tmp_path / "a")
    assert len(ds) == 50 and ds.dtype == np.uint16
    for i, text in enumerate(texts):
        assert ds.doc(i).tolist() == _encode(sp_tokenizer, text) + [EOS_ID]
    assert ds.num_tokens == int(ds.doc_lengths.sum()) == stats["tokens"]
    assert stats["docs"] == 50 and stats["text_tokens"] == stats["tokens"] - 50
    # the stream is the documents back to back: an EOS closes every document
    starts = ds.doc_offsets // ds.dtype.itemsize
    assert (ds.tokens[starts[1:] - 1] == EOS_ID).all() and ds.tokens[-1] == EOS_ID


def test_doc_is_a_view_of_the_memmap(tmp_path, sp_tokenizer):
    tokenize_documents(records(sample_texts(5)), sp_tokenizer, tmp_path / "a", batch_docs=2, eos_id=EOS_ID)
    ds = IndexedDataset(tmp_path / "a")
    doc = ds.doc(3)
    assert isinstance(doc.base, np.memmap) or isinstance(doc, np.memmap)
    assert not doc.flags.writeable


def test_index_follows_megatron_layout(tmp_path, sp_tokenizer):
    tokenize_documents(records(sample_texts(4)), sp_tokenizer, tmp_path / "a", batch_docs=3, eos_id=EOS_ID)
    raw = (tmp_path / "a.idx").read_bytes()
    n = 4
    assert raw[:9] == MAGIC
    assert int.from_bytes(raw[9:17], "little") == 1 and raw[17] == 8  # version, uint16 code
    assert int.from_bytes(raw[18:26], "little") == n and int.from_bytes(raw[26:34], "little") == n + 1
    sizes = np.frombuffer(raw, "<i4", n, HEADER_BYTES)
    pointers = np.frombuffer(raw, "<i8", n, HEADER_BYTES + 4 * n)
    doc_index = np.frombuffer(raw, "<i8", n + 1, HEADER_BYTES + 12 * n)
    assert pointers.tolist() == [0, *np.cumsum(sizes * 2)[:-1].tolist()]
    assert doc_index.tolist() == list(range(n + 1))
    assert len(raw) == HEADER_BYTES + 12 * n + 8 * (n + 1)
    assert (tmp_path / "a.bin").stat().st_size == 2 * int(sizes.sum())


def test_dtype_rule():
    assert token_dtype(39_000) == np.uint16 and token_dtype(65_535) == np.uint16
    assert token_dtype(65_536) == np.int32 and token_dtype(250_000) == np.int32


def test_big_vocabulary_writes_32_bit_ids(tmp_path):
    tok_dir, words = big_vocab_tokenizer(tmp_path / "tok")
    recs = records([" ".join(words), "w3 w4", " ".join(reversed(words))])
    stats = tokenize_documents(recs, tok_dir, tmp_path / "big", batch_docs=2, eos_id=EOS_ID)
    ds = IndexedDataset(tmp_path / "big")
    assert stats["dtype"] == "int32" and ds.dtype == np.int32
    assert (tmp_path / "big.idx").read_bytes()[17] == 4
    assert ds.doc(0).tolist() == [69_995, 69_996, 69_997, 69_998, 69_999, EOS_ID]
    assert ds.doc(2)[:-1].tolist() == list(range(69_999, 69_994, -1))


def test_empty_document_keeps_its_eos_and_its_place(tmp_path, sp_tokenizer):
    texts = ["第一篇", "", "third one"]
    stats = tokenize_documents(records(texts), sp_tokenizer, tmp_path / "a", batch_docs=8, eos_id=EOS_ID)
    ds = IndexedDataset(tmp_path / "a")
    assert len(ds) == 3 and ds.doc(1).tolist() == [EOS_ID]
    assert ds.sidecar(1)["id"] == "src/1" and ds.sidecar(2)["id"] == "src/2"
    assert stats["empty_docs"] == 1


def test_special_token_text_is_not_an_eos(tmp_path, sp_tokenizer):
    text = "before </s> after <s>"
    tokenize_documents(records([text]), sp_tokenizer, tmp_path / "a", batch_docs=1, eos_id=EOS_ID)
    doc = IndexedDataset(tmp_path / "a").doc(0).tolist()
    assert doc[-1] == EOS_ID and EOS_ID not in doc[:-1] and BOS_ID not in doc
    assert [t for _, t in detokenize_all(tmp_path / "a", sp_tokenizer)] == [text]


def test_bos_is_optional(tmp_path, sp_tokenizer):
    tokenize_documents(records(["abc", ""]), sp_tokenizer, tmp_path / "a", batch_docs=4, eos_id=EOS_ID, bos_id=BOS_ID)
    ds = IndexedDataset(tmp_path / "a")
    assert ds.doc(0)[0] == BOS_ID and ds.doc(0)[-1] == EOS_ID and ds.doc(1).tolist() == [BOS_ID, EOS_ID]
    assert [t for _, t in detokenize_all(tmp_path / "a", sp_tokenizer)] == ["abc", ""]


def test_batch_encoder_matches_the_tokenizer_call(sp_tokenizer):
    from xuanyuan.tokdata.encoding import BatchEncoder

    texts = sample_texts(30, seed=9) + ["x </s> y", "", "  两个  空格 "]
    assert BatchEncoder(sp_tokenizer)(texts) == [_encode(sp_tokenizer, t) for t in texts]


def test_sidecar_maps_documents_to_provenance(tmp_path, sp_tokenizer):
    recs = records(sample_texts(6), phase="knowledge", source="wiki_zh")
    tokenize_documents(recs, sp_tokenizer, tmp_path / "a", batch_docs=4, eos_id=EOS_ID)
    ds = IndexedDataset(tmp_path / "a")
    rows = list(read_records(sidecar_path(tmp_path / "a")))
    assert len(rows) == 6 and rows == list(ds.iter_sidecar())
    for i, rec in enumerate(recs):
        assert ds.sidecar(i) == rows[i] == {
            "id": rec["id"], "source": "wiki_zh", "lang": rec["lang"], "domain": rec["domain"],
            "phase": "knowledge", "copy": i % 2,
        }
    assert ds.sidecar(-1)["id"] == recs[-1]["id"]


def test_records_without_mix_meta_have_null_phase(tmp_path, sp_tokenizer):
    tokenize_documents(records(["a", "b"], phase=None), sp_tokenizer, tmp_path / "a", batch_docs=4, eos_id=EOS_ID)
    row = IndexedDataset(tmp_path / "a").sidecar(1)
    assert row["phase"] is None and row["copy"] is None


def test_stats_report_realised_shares(tmp_path, sp_tokenizer):
    recs = records(sample_texts(40, seed=5))
    stats = tokenize_documents(recs, sp_tokenizer, tmp_path / "a", batch_docs=16, eos_id=EOS_ID)
    ds = IndexedDataset(tmp_path / "a")
    for group in ("by_lang", "by_domain", "by_lang_domain", "by_source", "by_phase"):
        cells = stats[group].values()
        assert sum(c["tokens"] for c in cells) == stats["tokens"]
        assert sum(c["docs"] for c in cells) == 40
        assert sum(c["token_share"] for c in cells) == pytest.approx(1.0)
    zh_tokens = sum(len(ds.doc(i)) for i, r in enumerate(recs) if r["lang"] == "zh")
    assert stats["by_lang"]["zh"]["tokens"] == zh_tokens
    assert stats["by_lang"]["zh"]["chars"] == sum(len(r["text"]) for r in recs if r["lang"] == "zh")


def test_round_trip_gives_back_every_text(tmp_path, sp_tokenizer_dir):
    texts = sample_texts(60, seed=11) + ["emoji 😀 and 表情", "tabs\tand\r\nCRLF", "   leading spaces"]
    recs = records(texts)
    tokenize_documents(recs, sp_tokenizer_dir, tmp_path / "a", batch_docs=10, eos_id=EOS_ID)
    assert list(detokenize_all(tmp_path / "a", sp_tokenizer_dir, batch_docs=7)) == [(r["id"], r["text"]) for r in recs]


def test_merge_concatenates_pairs_and_sidecars(tmp_path, sp_tokenizer):
    parts = [records(sample_texts(n, seed=n), source=f"s{n}") for n in (5, 0, 9)]
    for k, recs in enumerate(parts):
        tokenize_documents(recs, sp_tokenizer, tmp_path / f"p{k}", batch_docs=4, eos_id=EOS_ID)
    stats = merge_indexed([tmp_path / f"p{k}" for k in range(3)], tmp_path / "m")
    merged = IndexedDataset(tmp_path / "m")
    singles = [IndexedDataset(tmp_path / f"p{k}") for k in range(3)]
    assert stats["docs"] == len(merged) == 14
    assert merged.num_tokens == stats["tokens"] == sum(d.num_tokens for d in singles)
    expected = [(d.doc(i).tolist(), d.sidecar(i)) for d in singles for i in range(len(d))]
    assert [(merged.doc(i).tolist(), merged.sidecar(i)) for i in range(len(merged))] == expected
    merged.verify()


def test_merge_refuses_mixed_dtypes(tmp_path, sp_tokenizer):
    from xuanyuan.tokdata import TokDataError

    tok_dir, words = big_vocab_tokenizer(tmp_path / "tok")
    tokenize_documents(records([words[0]]), tok_dir, tmp_path / "big", batch_docs=1, eos_id=EOS_ID)
    tokenize_documents(records(["abc"]), sp_tokenizer, tmp_path / "small", batch_docs=1, eos_id=EOS_ID)
    with pytest.raises(TokDataError, match="big.idx"):
        merge_indexed([tmp_path / "small", tmp_path / "big"], tmp_path / "m")
    assert not (tmp_path / "m.idx").exists()


def test_dataset_pickles_as_its_prefix(tmp_path, sp_tokenizer):
    tokenize_documents(records(sample_texts(20)), sp_tokenizer, tmp_path / "a", batch_docs=8, eos_id=EOS_ID)
    ds = IndexedDataset(tmp_path / "a")
    blob = pickle.dumps(ds)
    assert len(blob) < 500
    assert pickle.loads(blob).doc(7).tolist() == ds.doc(7).tolist()


def test_bad_arguments_are_refused(tmp_path, sp_tokenizer):
    with pytest.raises(ValueError, match="eos_id"):
        tokenize_documents(records(["a"]), sp_tokenizer, tmp_path / "a", batch_docs=1, eos_id=10**6)
    with pytest.raises(ValueError, match="batch_docs"):
        tokenize_documents(records(["a"]), sp_tokenizer, tmp_path / "a", batch_docs=0, eos_id=EOS_ID)
    with pytest.raises(ValueError, match="src/0"):
        tokenize_documents([{"id": "src/0", "text": None}], sp_tokenizer, tmp_path / "a", batch_docs=1, eos_id=EOS_ID)
    assert not list(tmp_path.glob("a.*"))
