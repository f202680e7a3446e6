"""The contract with the tokenizer stage: its Hugging Face directory goes through the writer
with ids identical to its SentencePiece model and a lossless round trip."""

import pytest

from tests.tokdata.helpers import records, sample_texts
from xuanyuan.tokdata import IndexedDataset, detokenize_all, tokenize_documents

tokenizer_stage = pytest.importorskip("xuanyuan.tokenizer")


@pytest.fixture(scope="module")
def project_tokenizer(tmp_path_factory):
    from transformers import AutoTokenizer

    root = tmp_path_factory.mktemp("project_tok")
    texts = sample_texts(600, seed=21)
    base = tokenizer_stage.train_standin(
        [t for t in texts if t.isascii()], root / "standin", vocab_size=400, character_coverage=1.0, max_sentences=10_000
    )
    counts = tokenizer_stage.count_cjk_chars(texts, tokenizer_stage.parse_cjk_ranges([["4E00", "9FFF"]]))
    tokenizer_stage.expand_tokenizer(base, counts, root / "merged.model", add_chars=30, min_char_freq=1)
    hf_dir = tokenizer_stage.write_hf_tokenizer(root / "merged.model", root / "hf")
    return hf_dir, tokenizer_stage.processor(root / "merged.model"), AutoTokenizer.from_pretrained(hf_dir)


def test_stage_tokenizer_round_trips_with_sentencepiece_ids(tmp_path, project_tokenizer):
    hf_dir, sp, tokenizer = project_tokenizer
    texts = sample_texts(40, seed=22) + ["  two leading spaces", "x </s> y", "", "emoji 😀 字 罕"]
    recs = records(texts)
    tokenize_documents(recs, hf_dir, tmp_path / "a", batch_docs=16,
                       eos_id=tokenizer.eos_token_id, bos_id=tokenizer.bos_token_id)
    ds = IndexedDataset(tmp_path / "a")
    for i, text in enumerate(texts):
        assert ds.doc(i).tolist() == [tokenizer.bos_token_id, *sp.encode(text), tokenizer.eos_token_id]
    assert list(detokenize_all(tmp_path / "a", hf_dir)) == [(r["id"], r["text"]) for r in recs]
